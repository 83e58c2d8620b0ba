import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createMaintenance } from '../../src/jobs/maintenance.js';
import { processJobId } from '../../src/jobs/queue.js';
import { silentLogger } from '../helpers/logger.js';
import { createAwaitingReport } from '../helpers/reports.js';
import { startService, type RunningService } from '../helpers/service.js';

let service: RunningService;

async function reportWithCallback(): Promise<string> {
  const { id } = await createAwaitingReport(service.store, service.url);
  const info = { receivedAt: new Date().toISOString(), contentType: 'text/csv', bytes: 4, sha256: 'x', headers: {}, jobId: null, duplicates: 0 };
  assert.deepEqual(await service.store.acceptCallback(id, { info, body: Buffer.from('a,b\n') }), { kind: 'accepted' });
  return id;
}

/** Housekeeping over this test's service, treating every record as stale at once. */
function housekeeping(options: { maxRequeues?: number; workDir?: string; workFilesRetentionMs?: number } = {}) {
  return createMaintenance({
    redis: service.redis,
    store: service.store,
    queue: service.queue,
    prefix: service.config.redis.prefix,
    logger: silentLogger(),
    staleAfterMs: 0,
    ...options,
  });
}

describe('housekeeping', () => {
  before(async () => {
    service = await startService({ worker: false, name: 'maintenance' });
  });
  after(async () => {
    await service.stop();
  });

  test('a report whose job keeps disappearing is requeued a few times, then marked failed with the reason', async () => {
    const maintenance = housekeeping({ maxRequeues: 2 });
    const id = await reportWithCallback();
    const requeued: number[] = [];
    for (let round = 0; round < 3; round += 1) {
      // As if a worker died on the job every time: the job is gone, the record still in the pipeline.
      await (await service.queue.queue.getJob(processJobId(id, 1)))?.remove();
      requeued.push((await maintenance.runOnce())?.requeued ?? -1);
    }
    assert.deepEqual(requeued, [1, 1, 0]);
    const record = await service.store.get(id);
    assert.equal(record?.status, 'failed');
    assert.equal(record?.error?.code, 'job_keeps_stopping');
    assert.equal(record?.error?.permanent, false);
  });

  test('a report whose job is waiting in the queue is left alone', async () => {
    const maintenance = housekeeping();
    const id = await reportWithCallback();
    await service.queue.enqueue(id, 1);
    assert.equal((await maintenance.runOnce())?.requeued, 0);
    assert.equal((await service.store.get(id))?.status, 'callback_received');
  });

  test('work files of reports that ended are removed once older than the retention; those of running reports and recent ones stay', async () => {
    const workDir = await mkdtemp(join(tmpdir(), 'report-relay-work-'));
    try {
      const maintenance = housekeeping({ workDir, workFilesRetentionMs: 60 * 60_000 });
      const oldFailed = await reportWithCallback();
      const recentFailed = await reportWithCallback();
      const running = await reportWithCallback();
      const error = { step: 'download' as const, code: 'download_timeout', message: 'timed out', permanent: false, at: new Date().toISOString() };
      for (const id of [oldFailed, recentFailed]) assert.ok((await service.store.markFailed(id, { error }, 'failed by the test')).ok);
      const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60_000);
      for (const id of [oldFailed, recentFailed, running, 'r-of-a-record-that-expired']) {
        await mkdir(join(workDir, id), { recursive: true });
        await writeFile(join(workDir, id, 'report.csv'), 'a,b\n');
        if (id !== recentFailed) await utimes(join(workDir, id), twoHoursAgo, twoHoursAgo);
      }
      await service.queue.enqueue(running, 1);
      assert.equal((await maintenance.runOnce())?.workFilesRemoved, 2);
      assert.deepEqual((await readdir(workDir)).sort(), [recentFailed, running].sort());
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  });
});
