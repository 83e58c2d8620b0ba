import assert from 'node:assert/strict';
import { access, mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createFileArchive } from '../../src/delivery/file-archive.js';
import { createMaintenance, type MaintenanceDeps } from '../../src/jobs/maintenance.js';
import { processJobId } from '../../src/jobs/queue.js';
import { redisKeys } from '../../src/redis-keys.js';
import type { ResourceFigures } from '../../src/summary/types.js';
import { createResourceHistory, type ResourceKind } from '../../src/usage/resource-history.js';
import { withTempDir } from '../helpers/temp-dir.js';
import { testConfig } from '../helpers/config.js';
import { silentLogger } from '../helpers/logger.js';
import { createAwaitingReport } from '../helpers/reports.js';
import { startService, type RunningService } from '../helpers/service.js';
import { summaryOf } from '../helpers/summaries.js';

let service: RunningService;

const DAY_MS = 86_400_000;

/** Archives a report's CSV and summary as the job steps do, now; returns their keys. */
async function archiveReport(archive: ReturnType<typeof createFileArchive>, reportId: string): Promise<string[]> {
  const keys = [`reports/2026/01/${reportId}/report.csv`, `reports/2026/01/${reportId}/summary.json`];
  for (const key of keys) await archive.putBuffer(key, `${key}\n`);
  return keys;
}

/** The days ARCHIVE_RETENTION_DAYS says, read through the configuration as the service reads it. */
function retentionMs(days: string): number | null {
  const retention = testConfig({ ARCHIVE_RETENTION_DAYS: days }).worker.archiveRetentionDays;
  return retention === null ? null : retention * DAY_MS;
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

async function reportWithCallback(): Promise<string> {
  const { id } = await createAwaitingReport(service.store, service.url);
  const info = { receivedAt: new Date().toISOString(), contentType: 'text/csv', bytes: 4, sha256: 'x', headers: {}, jobId: null, duplicates: 0 };
  assert.deepEqual(await service.store.acceptCallback(id, { info, body: Buffer.from('a,b\n') }), { kind: 'accepted' });
  return id;
}

/** Housekeeping over this test's service, treating every record as stale at once. */
function housekeeping(
  options: Pick<
    MaintenanceDeps,
    'resources' | 'maxRequeues' | 'workDir' | 'workFilesRetentionMs' | 'archive' | 'archiveRetentionMs' | 'archiveFilesPerRun' | 'now'
  > = {},
) {
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

  test('names of organizations and applications whose whole history expired leave the index; those with points left stay', async () => {
    const maintenance = housekeeping({ resources: service.usage.resources });
    const logger = silentLogger();
    // Written with a one-second retention: their history keys expire as the report retention would make them.
    const shortLived = createResourceHistory(service.redis, { prefix: service.config.redis.prefix, retentionSeconds: 1, logger });
    const figures = (ids: Array<[string, string]>): ResourceFigures => ({
      columns: ['payloadBillableCount'],
      resources: ids.map(([id, name]) => ({ id, name, figures: { payloadBillableCount: 5 }, tags: {} })),
      leftOut: 0,
    });
    const created = { createdAt: new Date().toISOString() };
    await service.usage.resources.recordReport({ id: 'r-kept', ...created }, summaryOf(), figures([['org-kept', 'Kept Org']]));
    await shortLived.recordReport({ id: 'r-gone', ...created }, summaryOf(), figures([['org-gone', 'Gone Org']]));
    await shortLived.recordReport(
      { id: 'r-gone-app', ...created },
      summaryOf({ grouping: { resource: 'application', date: 'day' } }),
      figures([['app-gone', 'Gone App']]),
    );
    assert.equal((await service.usage.resources.listResources('organization', { offset: 0, limit: 10 })).total, 2);

    const keys = redisKeys(service.config.redis.prefix).usage;
    const expired: Array<[ResourceKind, string]> = [
      ['organization', 'org-gone'],
      ['application', 'app-gone'],
    ];
    const deadline = Date.now() + 20_000;
    while ((await Promise.all(expired.map(([kind, id]) => service.redis.exists(keys.resourceByPeriod(kind, id))))).some((found) => found === 1)) {
      assert.ok(Date.now() < deadline, 'the short-lived history did not expire within 20 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(await service.usage.resources.resource('organization', 'org-gone'), 'the index still names it before the sweep');

    assert.equal((await maintenance.runOnce())?.resourcesForgotten, 2);

    assert.equal(await service.usage.resources.resource('organization', 'org-gone'), null);
    assert.equal(await service.usage.resources.resource('application', 'app-gone'), null);
    assert.deepEqual(await service.usage.resources.searchResources('organization', 'gone'), []);
    const left = await service.usage.resources.listResources('organization', { offset: 0, limit: 10 });
    assert.deepEqual(
      left.items.map((item) => item.id),
      ['org-kept'],
    );
    assert.equal(left.total, 1);
    assert.equal((await maintenance.runOnce())?.resourcesForgotten, 0, 'nothing left to forget');
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

  test('archived files are removed once last written longer ago than ARCHIVE_RETENTION_DAYS, with their report folder', async () => {
    await withTempDir('report-relay-archive-', async (root) => {
      const archive = createFileArchive(root);
      await archiveReport(archive, 'r-archived');
      const written = Date.now();
      const laterBy = (days: number) => () => new Date(written + days * DAY_MS);
      const options = { archive, archiveRetentionMs: retentionMs('30') };

      assert.equal((await housekeeping({ ...options, now: laterBy(29) }).runOnce())?.archiveFilesRemoved, 0);
      assert.deepEqual(await readdir(join(root, 'reports/2026/01/r-archived')), ['report.csv', 'summary.json']);

      assert.equal((await housekeeping({ ...options, now: laterBy(31) }).runOnce())?.archiveFilesRemoved, 2);
      assert.equal(await exists(join(root, 'reports/2026/01/r-archived')), false);
    });
  });

  test('ARCHIVE_RETENTION_DAYS=0 keeps the archive whole, however old it is', async () => {
    await withTempDir('report-relay-archive-', async (root) => {
      const archive = createFileArchive(root);
      await archiveReport(archive, 'r-kept');
      const tenYearsLater = () => new Date(Date.now() + 3_650 * DAY_MS);

      const result = await housekeeping({ archive, archiveRetentionMs: retentionMs('0'), now: tenYearsLater }).runOnce();

      assert.equal(result?.archiveFilesRemoved, 0);
      assert.deepEqual(await readdir(join(root, 'reports/2026/01/r-kept')), ['report.csv', 'summary.json']);
    });
  });

  test('one run removes a bounded number of archived files; the next run, on any worker, goes on where it stopped', async () => {
    await withTempDir('report-relay-archive-', async (root) => {
      const archive = createFileArchive(root);
      for (const id of ['r-1', 'r-2', 'r-3']) await archiveReport(archive, id);
      const later = () => new Date(Date.now() + 31 * DAY_MS);
      // Two workers' housekeeping: each run is one lease, whoever holds it.
      const [first, second] = [1, 2].map(() => housekeeping({ archive, archiveRetentionMs: retentionMs('30'), archiveFilesPerRun: 4, now: later }));
      const cursorKey = redisKeys(service.config.redis.prefix).archiveSweepCursor;

      assert.equal((await first?.runOnce())?.archiveFilesRemoved, 4);
      assert.deepEqual(await readdir(join(root, 'reports/2026/01')), ['r-3']);
      assert.equal(await service.redis.get(cursorKey), 'reports/2026/01/r-2/summary.json');

      assert.equal((await second?.runOnce())?.archiveFilesRemoved, 2);
      assert.equal(await exists(join(root, 'reports')), false, 'the emptied folders went too');
      assert.equal(await service.redis.exists(cursorKey), 0, 'a finished pass leaves no cursor');
    });
  });
});

describe('the worker housekeeping of a service with ARCHIVE_RETENTION_DAYS set', () => {
  test('removes archived files older than the setting from the service archive and keeps the recent ones', async () => {
    const worker = await startService({ env: { ARCHIVE_RETENTION_DAYS: '30' }, name: 'archive-retention' });
    try {
      const root = join(worker.config.dataDir, 'archive');
      const archive = createFileArchive(root);
      const oldKeys = await archiveReport(archive, 'r-old');
      await archiveReport(archive, 'r-recent');
      const fortyDaysAgo = new Date(Date.now() - 40 * DAY_MS);
      for (const key of oldKeys) await utimes(join(root, key), fortyDaysAgo, fortyDaysAgo);

      // The service's own maintenance runs every 500 ms here; a generous deadline for a busy machine.
      const deadline = Date.now() + 30_000;
      while (await exists(join(root, 'reports/2026/01/r-old'))) {
        assert.ok(Date.now() < deadline, 'the old report was not removed within 30 s');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }

      assert.deepEqual(await readdir(join(root, 'reports/2026/01')), ['r-recent']);
      assert.deepEqual(await readdir(join(root, 'reports/2026/01/r-recent')), ['report.csv', 'summary.json']);
    } finally {
      await worker.stop();
    }
  });
});
