import { Redis } from 'ioredis';
import type { BenchCase, Table } from '../lib/case.js';
import { checkEquals } from '../lib/checks.js';
import { compare, measureInterleaved, type Metrics } from '../lib/measure.js';
import { formatNumber } from '../lib/report.js';
import { runIntake, type IntakeRun, type IntakeSettings, type IntakeSide } from '../intake/run-intake.js';

/**
 * Issue: Prometheus scraping /metrics during a burst of callbacks must cost the intake less than
 * 2% of its throughput: the callback route's counting is synchronous and cheap, and a scrape
 * (the registry's text, ZCARD per status, BullMQ's job counts) runs once a scrape interval.
 * Both sides run the same service with METRICS_TOKEN set; only one is scraped during the load.
 */

const QUIET = 'callback route, /metrics not scraped';
const SCRAPED = 'callback route, /metrics scraped';
const METRICS_TOKEN = 'bench-metrics-token-0123456789abcdef';

const intakeMetricsCase: BenchCase = {
  description: 'Callback intake while /metrics is scraped (every second by default) against the same service not scraped',
  defaults: { runs: 5, warmup: 1 },
  // About five minutes; the question is answered in bench/results/intake-metrics.md, kept to re-check it.
  optIn: true,
  options: [
    '--seconds N          measured load per run (default 10)',
    '--warmup-seconds N   unmeasured load at the start of each run, fresh server process (default 2)',
    '--connections N      concurrent connections (default 100)',
    '--scrape-ms N        time between two scrapes (default 1000; Prometheus scrapes every 15 s or more)',
  ],

  async run({ args, runs, warmup, tmpDir, repoDir, log }) {
    const seconds = args.number('seconds', 10, { min: 1 });
    const warmupSeconds = args.number('warmup-seconds', 2, { min: 0 });
    const connections = args.number('connections', 100, { min: 1, integer: true });
    const scrapeEveryMs = args.number('scrape-ms', 1000, { min: 10, integer: true });
    const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
    const settings: IntakeSettings = {
      repoDir,
      tmpDir,
      redis,
      redisUrl,
      connections,
      seconds,
      warmupSeconds,
      serverNodeArgs: [],
      metricsToken: METRICS_TOKEN,
      scrapeEveryMs,
    };

    let ratePerSecond = 3000;
    const scraped: Array<NonNullable<IntakeRun['scrapes']>> = [];
    const sideRunner =
      (side: IntakeSide) =>
      async (run: number): Promise<Metrics> => {
        for (let attempt = 1; ; attempt++) {
          const pool = Math.ceil(ratePerSecond * (seconds + warmupSeconds) * 1.6) + connections * 4;
          const result = await runIntake(side, pool, settings, run);
          ratePerSecond = Math.max(ratePerSecond, result.load.targetsUsed / (seconds + warmupSeconds));
          if (result.load.exhausted) {
            if (attempt >= 3) throw new Error(`${side}: sent more than the ${pool} prepared callbacks three times`);
            continue;
          }
          const { load } = result;
          if (run > 0 && result.scrapes) scraped.push(result.scrapes);
          const scrapes = result.scrapes ? `, ${result.scrapes.count} scrapes (median ${formatNumber(result.scrapes.medianMs)} ms)` : '';
          log(`run ${run} ${side.padEnd(8)} ${formatNumber(load.requestsPerSecond)} req/s, p99 ${load.latencyP99Ms} ms${scrapes}`);
          return {
            'req/s': load.requestsPerSecond,
            'p99 ms': load.latencyP99Ms,
            'non-2xx + errors': load.non2xx + load.errors,
            ...(result.serverCpuMicrosPerRequest === null ? {} : { 'server CPU µs/req': result.serverCpuMicrosPerRequest }),
          };
        }
      };

    let measured;
    try {
      measured = await measureInterleaved({ [SCRAPED]: sideRunner('scraped'), [QUIET]: sideRunner('subject') }, { runs, warmup });
    } finally {
      await redis.quit();
    }
    const withScrapes = measured[SCRAPED]!;
    const without = measured[QUIET]!;
    const ratio = withScrapes.summary['req/s']!.median / without.summary['req/s']!.median;
    const scrapeTable: Table = {
      title: 'Scrapes during the measured runs (warm-up load included)',
      columns: ['run', 'scrapes answered 200', 'failed', 'median scrape ms'],
      rows: scraped.map((s, i) => [i + 1, s.count, s.failed, formatNumber(s.medianMs)]),
    };

    return {
      parameters: {
        load: `autocannon in its own process, ${connections} connections, ${seconds} s measured after ${warmupSeconds} s warm-up, each request a distinct valid callback`,
        service: 'src/web.ts in its own process (NODE_ENV=production, METRICS_TOKEN set), no worker',
        scrapes: `GET /metrics with the token every ${scrapeEveryMs} ms from the harness process during the load (one at a time)`,
        'runs per side': `${runs} kept + ${warmup} warmup, interleaved, fresh records, key prefix and server process each`,
      },
      measurements: [withScrapes, without],
      comparisons: [
        compare(withScrapes, without, 'req/s', { atLeast: 0.98 }, 'scraping costs under 2% of the intake throughput'),
        compare(withScrapes, without, 'server CPU µs/req', { atMost: 1.02 }, 'scraping costs under 2% of the server CPU per callback'),
      ],
      checks: [
        checkEquals(
          'scrapes that did not answer 200 (all runs)',
          scraped.reduce((total, s) => total + s.failed, 0),
          0,
          '',
        ),
        checkEquals('scraped side: non-2xx answers and errors (median)', withScrapes.summary['non-2xx + errors']!.median, 0, ''),
      ],
      tables: [scrapeTable],
      notes: [`Throughput scraped / not scraped (medians): ${ratio.toFixed(3)} (${((1 - ratio) * 100).toFixed(1)}% less).`],
    };
  },
};

export default intakeMetricsCase;
