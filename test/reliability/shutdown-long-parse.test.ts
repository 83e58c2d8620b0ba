import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { generateReportCsv } from '../../bench/lib/generate-report-csv.js';
import { waitUntilReady } from '../../src/redis.js';
import { createService, type Service } from '../../src/service.js';
import { testConfig } from '../helpers/config.js';
import { silentLogger } from '../helpers/logger.js';
import { deleteKeys, REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { createAwaitingReport } from '../helpers/reports.js';
import { ensureBuilt } from './helpers/build.js';
import { msg, serviceEnv, spawnService } from './helpers/processes.js';

/**
 * Shutdown keeps its deadline during a long parse: SIGTERM reaches the parse, the job goes back to
 * the queue without using an attempt, and the process exits 0 within SHUTDOWN_TIMEOUT_MS. Five
 * such restarts during one report, then it is delivered once. The report is large enough that its
 * parse outlasts the deadline several times over (about 120 MB against 3 s).
 */

const SHUTDOWN_TIMEOUT_MS = 3_000;
const EXIT_MARGIN_MS = 5_000;
const RESTARTS = 5;
const prefix = uniquePrefix('rel-long-parse');
let dataDir: string;
let csvPath: string;
let csvServer: Server;
let csvUrl: string;
let service: Service;

/** The parse is running once the attachment it writes beside it (a temp file) has grown. */
async function parseInProgress(workDir: string, hangLimitMs = 120_000): Promise<void> {
  const deadline = Date.now() + hangLimitMs;
  for (;;) {
    const names = await readdir(workDir).catch(() => [] as string[]);
    for (const name of names.filter((entry) => /^\.attachment\.csv\..*\.tmp$/u.test(entry))) {
      if (((await stat(join(workDir, name)).catch(() => null))?.size ?? 0) > 1_000_000) return;
    }
    if (Date.now() > deadline) throw new Error(`no parse seen in ${workDir}: ${names.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('shutdown during a long parse', () => {
  before(async () => {
    await ensureBuilt();
    dataDir = await mkdtemp(join(tmpdir(), 'report-relay-long-parse-'));
    csvPath = join(dataDir, 'big.csv');
    await generateReportCsv({ path: csvPath, targetBytes: 120_000_000, seed: 7 });
    csvServer = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/csv' });
      createReadStream(csvPath).pipe(res);
    });
    await new Promise<void>((resolve) => csvServer.listen(0, '127.0.0.1', resolve));
    csvUrl = `http://127.0.0.1:${(csvServer.address() as AddressInfo).port}/report.csv`;
    // This process only stores the callback and enqueues it, as the web side does; the workers are processes.
    service = await createService({ config: testConfig({ REDIS_PREFIX: prefix, DATA_DIR: dataDir }), role: 'web', overrides: { logger: silentLogger() } });
    // Not started (nothing listens here), so its connection is waited for by hand.
    await waitUntilReady(service.redis, 30_000);
  });
  after(async () => {
    try {
      await deleteKeys(service.redis, prefix);
    } finally {
      await service.close();
      await new Promise((resolve) => csvServer.close(resolve));
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test(`${RESTARTS} SIGTERMs during the parse each exit 0 in time and return the job; then the report is delivered once`, async (t: TestContext) => {
    const { id } = await createAwaitingReport(service.store, 'http://127.0.0.1', { email: true, archive: true, recipients: ['ops@example.com'] });
    const outcome = await service.web!.callbacks.receive(id, {
      body: Buffer.from(JSON.stringify({ url: csvUrl })),
      contentType: 'application/json',
      headers: {},
    });
    assert.equal(outcome.kind, 'accepted');
    const env = serviceEnv({
      port: 0,
      redisUrl: REDIS_URL,
      prefix,
      dataDir,
      extra: { SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS), JOB_ATTEMPTS: '2', WORKER_CONCURRENCY: '1', DOWNLOAD_ALLOW_PRIVATE_NETWORKS: 'true' },
    });
    const exits: number[] = [];
    for (let restart = 0; restart < RESTARTS; restart += 1) {
      const worker = spawnService('worker', env, `worker-${restart}`);
      await worker.waitForLog(msg('worker consuming report jobs'), 60_000);
      await parseInProgress(join(dataDir, 'work', id));
      const signalledAt = Date.now();
      worker.signal('SIGTERM');
      const exit = await worker.exited;
      const exitMs = Date.now() - signalledAt;
      exits.push(exitMs);
      assert.equal(exit.code, 0, `restart ${restart}: exit ${JSON.stringify(exit)}; ${worker.stderr().slice(-2_000)}`);
      assert.ok(exitMs < SHUTDOWN_TIMEOUT_MS + EXIT_MARGIN_MS, `restart ${restart}: exited ${exitMs} ms after SIGTERM`);
      assert.ok(worker.logs.some(msg(/job returned to the queue/u)), `restart ${restart}: the job went back to the queue`);
    }
    const last = spawnService('worker', env, 'worker-last');
    try {
      let record = await service.store.get(id);
      const deadline = Date.now() + 300_000;
      while (record?.status !== 'delivered' && record?.status !== 'failed' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        record = await service.store.get(id);
      }
      assert.equal(record?.status, 'delivered', JSON.stringify(record?.error));
      assert.equal(record.history.filter((entry) => (entry.note ?? '').startsWith('CSV archived at ')).length, 1, 'archived once');
      assert.equal(record.history.filter((entry) => (entry.note ?? '').startsWith('parsed ')).length, 1, 'one finished parse');
      t.diagnostic(`exits after SIGTERM during the parse: ${exits.join(', ')} ms (deadline ${SHUTDOWN_TIMEOUT_MS} ms)`);
    } finally {
      await last.kill();
    }
  });
});
