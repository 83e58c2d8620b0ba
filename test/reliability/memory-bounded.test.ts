import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { createMaintenance } from '../../src/jobs/maintenance.js';
import { redisKeys } from '../../src/redis-keys.js';
import { waitUntilReady } from '../../src/redis.js';
import { createService, type Service } from '../../src/service.js';
import { testConfig } from '../helpers/config.js';
import { silentLogger } from '../helpers/logger.js';
import { uniquePrefix } from '../helpers/redis.js';
import { ensureBuilt } from './helpers/build.js';
import { serviceEnv, spawnService, type ServiceProcess } from './helpers/processes.js';
import { startOwnRedis, type OwnRedis } from './helpers/redis-server.js';
import { createAwaitingReport } from './helpers/reports.js';

/**
 * Guarantee 6, the memory half: Redis does not grow with the number of reports. 10,000 reports
 * go through two real worker processes; records expire REPORT_RETENTION_SECONDS after their last
 * change (standing in for REPORT_RETENTION_DAYS), maintenance sweeps the indexes, and the queue
 * keeps only COMPLETED_JOBS_KEEP finished jobs. Redis is the test's own, so its memory and key
 * counts are this test's alone.
 *
 * To fit 10,000 reports in the time budget, callbacks are stored through the receiver's code in
 * this process (no HTTP), carry a two-row inline CSV, and the reports ask for neither email nor
 * archive: the Redis side (record, history, callback body, indexes, queue job, events) is the
 * same as for any report; files and SMTP are covered by the other tests.
 */

const TOTAL = 10_000;
// Long enough that no record can expire while its job waits, however busy the machine: intake below also
// pauses while the oldest waiting job is older than a third of it.
const RETENTION_SECONDS = 30;
const MAX_WAITING_AGE_MS = (RETENTION_SECONDS * 1_000) / 3;
// How long the test waits for a positive signal before calling the service hung: minutes, not a speed bound.
const HANG_LIMIT_MS = 10 * 60_000;
const COMPLETED_KEEP = 50;
const CSV = Buffer.from('resourceType,resourceId,resourceName,deviceCount\norganization,o1,Acme,3\norganization,o2,Beta,5\n');
let redis: OwnRedis;
let service: Service;
const workers: ServiceProcess[] = [];
const prefix = uniquePrefix('rel-memory');
const dataDir = mkdtempSync(join(tmpdir(), 'report-relay-memory-'));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

/** Waits until at most 150 jobs wait and the oldest of them has waited less than MAX_WAITING_AGE_MS. */
async function waitForShortBacklog(): Promise<void> {
  const deadline = Date.now() + HANG_LIMIT_MS;
  for (;;) {
    const waiting = await service.queue.queue.getWaiting(0, 200);
    const oldest = Math.min(Date.now(), ...waiting.map((job) => job.timestamp));
    if (waiting.length <= 150 && Date.now() - oldest < MAX_WAITING_AGE_MS) return;
    if (Date.now() > deadline) throw new Error(`the queue did not drain: ${waiting.length} jobs waiting`);
    await sleep(50);
  }
}

async function memory(): Promise<{ usedBytes: number; keys: number }> {
  const info = await service.redis.info('memory');
  return { usedBytes: Number(/used_memory:(\d+)/u.exec(info)?.[1]), keys: await service.redis.dbsize() };
}

describe('Redis memory with 10,000 reports', () => {
  before(async () => {
    await ensureBuilt();
    redis = await startOwnRedis();
    const settings = {
      DATA_DIR: dataDir,
      REDIS_URL: redis.url,
      REDIS_PREFIX: prefix,
      REPORT_RETENTION_SECONDS: String(RETENTION_SECONDS),
      COMPLETED_JOBS_KEEP: String(COMPLETED_KEEP),
    };
    // Not started: this process only stores callbacks and enqueues, as the web side does; the workers are processes.
    service = await createService({ config: testConfig(settings), role: 'web', overrides: { logger: silentLogger() } });
    await waitUntilReady(service.redis, 30_000);
    for (let i = 0; i < 2; i += 1) {
      const worker = spawnService(
        'worker',
        serviceEnv({ port: 0, redisUrl: redis.url, prefix, dataDir, extra: { ...settings, WORKER_CONCURRENCY: '16', LOG_LEVEL: 'warn' } }),
        `worker-${i}`,
      );
      workers.push(worker);
    }
    // LOG_LEVEL=warn keeps 20,000 log lines out of this process; BullMQ lists the workers once they are connected.
    const deadline = Date.now() + 60_000;
    while ((await service.queue.queue.getWorkersCount()) < 2) {
      if (Date.now() > deadline || workers.some((worker) => !worker.alive))
        throw new Error(`workers did not start: ${workers.map((w) => w.stderr()).join('\n')}`);
      await sleep(100);
    }
  });
  after(async () => {
    await Promise.all(workers.map((worker) => worker.kill()));
    await service?.close();
    await redis?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('after 10,000 reports have expired, keys and used_memory are back near their baseline', async (t: TestContext) => {
    await sleep(500);
    const baseline = await memory();
    let peak = baseline;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const now = await memory();
        if (now.usedBytes > peak.usedBytes) peak = now;
        await sleep(250);
      }
    })();

    const startedAt = Date.now();
    for (let created = 0; created < TOTAL;) {
      // A short backlog, as real intake has: a record must not expire while its job waits.
      await waitForShortBacklog();
      const batch = Math.min(100, TOTAL - created);
      await Promise.all(
        Array.from({ length: batch }, async () => {
          const { id } = await createAwaitingReport(service.store, 'http://127.0.0.1', { email: false, archive: false, recipients: [] });
          const outcome = await service.web!.callbacks.receive(id, { body: CSV, contentType: 'text/csv', headers: {} });
          assert.equal(outcome.kind, 'accepted');
        }),
      );
      created += batch;
    }
    const counts = async () => service.queue.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
    const drainDeadline = Date.now() + HANG_LIMIT_MS;
    while (Date.now() < drainDeadline) {
      const now = await counts();
      if ((now.waiting ?? 0) + (now.active ?? 0) + (now.delayed ?? 0) === 0) break;
      await sleep(100);
    }
    const processedMs = Date.now() - startedAt;
    const finished = await counts();
    assert.deepEqual({ ...finished, completed: 0 }, { waiting: 0, active: 0, delayed: 0, completed: 0, failed: 0 }, 'every job ran and none failed');
    assert.ok((finished.completed ?? 0) <= COMPLETED_KEEP, `completed jobs kept: ${finished.completed}`);

    // Records expire on their own; the indexes are swept by the maintenance the worker runs every minute, run here now.
    await sleep(RETENTION_SECONDS * 1_000 + 500);
    const maintenance = createMaintenance({
      redis: service.redis,
      store: service.store,
      queue: service.queue,
      prefix: `${prefix}-sweep`,
      logger: silentLogger(),
    });
    let swept = 0;
    for (let round = 0; round < 30; round += 1) {
      const result = await maintenance.runOnce();
      swept += result?.swept ?? 0;
      if (result?.swept === 0) break;
    }
    sampling = false;
    await sampler;
    const final = await memory();

    const keys = redisKeys(prefix);
    assert.equal(await service.redis.zcard(keys.reports.byCreated), 0, 'the by-created index is empty');
    assert.equal(await service.redis.zcard(keys.reports.byStatus('delivered')), 0, 'the status index is empty');
    const reportKeys = await service.redis.keys(`${prefix}:report:*`);
    assert.deepEqual(reportKeys, [], 'no record, history or callback body is left');
    assert.ok(final.keys <= baseline.keys + COMPLETED_KEEP + 10, `keys: baseline ${baseline.keys}, peak ${peak.keys}, after ${final.keys}`);
    // What remains above the baseline: BullMQ's capped event stream (~10,000 entries, whatever the volume) and the kept jobs.
    const grewBy = final.usedBytes - baseline.usedBytes;
    assert.ok(grewBy < 4 * 1024 * 1024, `used_memory grew by ${mb(grewBy)}`);

    t.diagnostic(
      `${TOTAL} reports in ${processedMs} ms (${Math.round(TOTAL / (processedMs / 1000))}/s); used_memory baseline ${mb(baseline.usedBytes)} (${baseline.keys} keys), ` +
        `peak ${mb(peak.usedBytes)} (${peak.keys} keys), after expiry + sweep ${mb(final.usedBytes)} (${final.keys} keys); ` +
        // The workers' own maintenance may sweep some entries first, so this count is a diagnostic; the empty indexes above are the check.
        `${swept} index entries swept here`,
    );
  });
});
