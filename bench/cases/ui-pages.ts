import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import type { BenchCase, Table } from '../lib/case.js';
import { checkBelow } from '../lib/checks.js';
import { measureInterleaved } from '../lib/measure.js';
import { seededResourceId, seedReadModel } from '../lib/read-model-seed.js';
import { benchPrefix, deleteKeysWithPrefix } from '../lib/redis-prefix.js';
import { formatNumber } from '../lib/report.js';
import { percentile } from '../lib/stats.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { createService } from '../../src/service.js';
import { startSimulator } from '../../src/sim/index.js';
import { PAGES } from '../../src/ui/pages/index.js';
import { benchRedisUrl } from '../lib/redis-url.js';

/**
 * Question: does every dashboard page answer fast after years of use? Over the read-model case's
 * seed (10,000 report records, 400 delivered reports naming ~200 resources each; here one in ten
 * grouped by application), every page registered in src/ui/pages/index.ts is asked for, signed
 * in, with real ids from the seed, by the web process as the entry point builds it. Target: the
 * server's time under 50 ms at the 95th percentile for every page, under 100 ms for one
 * organization's history.
 */

const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';

/** The sample a page's route parameter takes, by the segment before it; a page added with another parameter must add its sample here. */
function samplePath(path: string, samples: Readonly<Record<string, string>>): string {
  return path.replace(/([^/]+)\/:([A-Za-z]+)/gu, (whole, segment: string) => {
    const sample = samples[segment];
    if (sample === undefined) throw new Error(`no sample for ${whole} in ${path}: add one to the samples of bench/cases/ui-pages.ts`);
    return `${segment}/${encodeURIComponent(sample)}`;
  });
}

const uiPagesCase: BenchCase = {
  description: 'Dashboard pages: server time of every registered page, signed in, over 10,000 records and 400 delivered summaries',
  defaults: { runs: 5, warmup: 1 },
  options: [
    '--records N        report records seeded (default 10000)',
    '--delivered N      of which delivered with a summary and usage written (default 400)',
    '--organizations N  organizations (or applications) per delivered report (default 200)',
    '--calls N          requests of each page per run (default 50)',
  ],

  async run({ args, runs, warmup, log, tmpDir }) {
    const records = args.number('records', 10_000, { min: 1, integer: true });
    const delivered = Math.min(records, args.number('delivered', 400, { min: 10, integer: true }));
    const resources = args.number('organizations', 200, { min: 1, integer: true });
    const calls = args.number('calls', 50, { min: 1, integer: true });
    const redisUrl = benchRedisUrl();
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
    const prefix = benchPrefix('ui-pages');
    const quiet = createLogger({ level: 'warn' });
    const sim = await startSimulator({});

    // Server time: from the HTTP server's 'request' event (this listener is added before the app's)
    // to the response's 'finish' (its last byte handed to the socket), per request path.
    const server = createServer();
    // The client and the server share this process: 'finish' may come after the client has the body, so the client waits for it.
    const finished = new Map<string, (ms: number) => void>();
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const started = performance.now();
      // Read now: Express rewrites req.url while it routes into a mounted router.
      const path = req.url ?? '';
      res.on('finish', () => finished.get(path)?.(performance.now() - started));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`; // as: a TCP server's address is an AddressInfo
    const service = await createService({
      config: loadConfig('web', {
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
        PUBLIC_URL: url,
        REDIS_URL: redisUrl,
        REDIS_PREFIX: prefix,
        ADMIN_TOKEN,
        // The schedules page reads the instance's report configs from Losant: the simulator on loopback.
        LOSANT_API_URL: sim.url,
        LOSANT_API_TOKEN: sim.token,
        LOSANT_INSTANCE_ID: sim.instanceId,
        DATA_DIR: tmpDir,
      }),
      role: 'web',
      // Logs at info level to /dev/null: their cost counts, their text does not matter.
      overrides: { logger: createLogger({ level: 'info', destination: pino.destination({ dest: '/dev/null', sync: false }) }), server, redis },
    });
    try {
      const seeded = await seedReadModel({ redis, prefix, logger: quiet, records, delivered, resources, applicationEvery: 10 });
      log(`seeded ${records} records (${delivered} delivered, ${resources} organizations or applications each) in ${seeded.seconds.toFixed(1)} s`);
      await service.start();

      const signIn = await fetch(`${url}/ui/sign-in`, {
        method: 'POST',
        redirect: 'manual',
        headers: { origin: url, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: ADMIN_TOKEN }),
      });
      const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      if (signIn.status !== 303 || cookie === '') throw new Error(`sign-in answered ${signIn.status} without a session cookie`);

      const samples: Record<string, string> = {
        organizations: seededResourceId(Math.floor(resources / 2)),
        applications: seededResourceId(Math.floor(resources / 3)),
        reports: seeded.deliveredIds.at(-1) ?? '',
      };
      const pages = PAGES.map((page) => ({ page, path: `/ui${page.path === '/' ? '' : samplePath(page.path, samples)}` }));
      const get = async (path: string): Promise<{ serverMs: number; roundTripMs: number; bytes: number }> => {
        const timed = new Promise<number>((resolve) => finished.set(path, resolve));
        const started = performance.now();
        const response = await fetch(`${url}${path}`, { headers: { cookie }, redirect: 'manual' });
        const body = await response.arrayBuffer();
        const roundTripMs = performance.now() - started;
        if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: a page must answer 200 with the seed's ids`);
        const measured = await timed;
        finished.delete(path);
        return { serverMs: measured, roundTripMs, bytes: body.byteLength };
      };

      const pooled = new Map(pages.map(({ path }) => [path, { server: [] as number[], roundTrip: [] as number[], bytes: 0 }]));
      const subjects = Object.fromEntries(
        pages.map(({ path }) => [
          path,
          async (run: number) => {
            const server: number[] = [];
            const own = pooled.get(path);
            for (let i = 0; i < calls; i += 1) {
              const answer = await get(path);
              server.push(answer.serverMs);
              if (run > 0 && own) {
                own.server.push(answer.serverMs);
                own.roundTrip.push(answer.roundTripMs);
                own.bytes = answer.bytes;
              }
            }
            return { 'p50 ms': percentile(server, 50), 'p95 ms': percentile(server, 95) };
          },
        ]),
      );
      const measured = await measureInterleaved(subjects, {
        runs,
        warmup,
        onRun: (name, run, m) => log(`${name} run ${run}: server p95 ${formatNumber(m['p95 ms'] ?? 0)} ms`),
      });

      const isHistory = (path: string) => /^\/ui\/(organizations|applications)\/[^/]+$/u.test(path);
      const table: Table = {
        title: `Server time per page (ms, ${runs * calls} requests each after warm-up, one at a time, signed in), and the client's round trip for reference`,
        columns: ['page', 'path', 'server p50', 'server p95', 'server max', 'round trip p50', 'HTML bytes'],
        rows: pages.map(({ page, path }) => {
          const times = pooled.get(path) ?? { server: [], roundTrip: [], bytes: 0 };
          return [
            page.title,
            path,
            formatNumber(percentile(times.server, 50)),
            formatNumber(percentile(times.server, 95)),
            formatNumber(Math.max(...times.server)),
            formatNumber(percentile(times.roundTrip, 50)),
            times.bytes,
          ];
        }),
      };
      const checks = pages.map(({ path }) =>
        checkBelow(`${path}: server p95`, percentile(pooled.get(path)?.server ?? [], 95), isHistory(path) ? 100 : 50, 'ms'),
      );
      return {
        parameters: {
          records,
          delivered,
          'organizations or applications per report': resources,
          'delivered reports grouped by application': seeded.deliveredIds.length / 10,
          'requests per page per run': calls,
          'seeding (s)': Number(seeded.seconds.toFixed(1)),
          pages: pages.length,
        },
        measurements: Object.values(measured),
        comparisons: [],
        checks,
        tables: [table],
        notes: [
          "Server time is measured in the web process, from the HTTP server's 'request' event (a listener added before the app's) to the response's 'finish' event: the session check, the page's Redis reads, rendering and writing the HTML. The round trip adds the client (Node's fetch over loopback) and reading the body.",
          'Every page of src/ui/pages/index.ts is asked for, a page with a route parameter with a real id of the seed (an organization and an application named by every report of its kind, the newest delivered report); a page that does not answer 200 fails the case.',
          'The organization and application pages show the newest 400 reports naming them (here 360 and 40); their target is 100 ms, every other page 50 ms.',
        ],
      };
    } finally {
      await service.close();
      await sim.close();
      await deleteKeysWithPrefix(redis, prefix);
      await redis.quit();
    }
  },
};

export default uiPagesCase;
