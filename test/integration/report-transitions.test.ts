import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { CorruptDataError } from '../../src/errors.js';
import { redisKeys } from '../../src/redis-keys.js';
import type { ReportError } from '../../src/reports/record.js';
import { generateId } from '../../src/reports/secrets.js';
import { AWAITING_DEADLINE, IN_PIPELINE, REPORT_STATUSES, canMove, type ReportStatus } from '../../src/reports/state-machine.js';
import { createReportStore, type ReportStore, type TransitionResult } from '../../src/reports/store.js';
import { deleteKeys, testRedis, uniquePrefix } from '../helpers/redis.js';

const prefix = uniquePrefix('transitions');
const keys = redisKeys(prefix);
let redis: Redis;
let store: ReportStore;
const at = '2026-03-01T00:00:00.000Z';
const error: ReportError = { step: 'internal', code: 'test', message: 'a test error', permanent: true, at };

/** One named operation per status it moves to, each called as the code calls it. */
const moveTo: Record<Exclude<ReportStatus, 'requested' | 'callback_received'>, (id: string) => Promise<TransitionResult>> = {
  accepted: (id) => store.markAccepted(id, { jobId: 'job-1', acceptedAt: at, legacy: false }, 'note: accepted'),
  overdue: (id) => store.markOverdue(id, 'note: overdue'),
  downloaded: (id) => store.markDownloaded(id, { interpretation: { kind: 'inline' }, download: { bytes: 1, sha256: 'x', sources: 0, at } }, 'note: downloaded'),
  archived: (id) => store.markArchived(id, { csv: { key: 'k', location: 'l', sha256: 'x', bytes: 1 }, summary: null, at }, 'note: archived'),
  summarized: (id) => store.markSummarized(id, { comparison: null }, 'note: summarized'),
  emailed: (id) => store.markEmailed(id, { messageId: '<m@x>', accepted: [], rejected: [], outboxPath: null, sentAt: at, attachment: 'none' }, 'note: emailed'),
  delivered: (id) => store.markDelivered(id, 'note: delivered'),
  failed: (id) => store.markFailed(id, { error }, 'note: failed'),
  unrecognized: (id) => store.markUnrecognized(id, { interpretation: { kind: 'unrecognized' }, error }, 'note: unrecognized'),
};
const intoCallbackReceived = {
  markRetried: (id: string) => store.markRetried(id, 2, 'note: callback_received'),
  markRequestFailed: (id: string) => store.markRequestFailed(id, error, 'note: failed'),
};

/** A record put straight into `status` (the hash field and its index entry), as the scripts would leave it. */
async function recordIn(status: ReportStatus, awaiting: boolean): Promise<string> {
  const { id } = await store.create({
    id: generateId('r'),
    source: 'api',
    scheduleId: null,
    request: {},
    delivery: { email: false, archive: false, recipients: [] },
    seriesKey: 's',
    secretHash: null,
    status: 'requested',
    overdueAt: new Date(Date.parse(at) + 60_000),
    note: 'created',
  });
  await redis
    .multi()
    .hset(keys.report.record(id), 'status', status)
    .zrem(keys.reports.byStatus('requested'), id)
    .zadd(keys.reports.byStatus(status), 1, id)
    .exec();
  if (!awaiting) await redis.zrem(keys.reports.awaiting, id);
  return id;
}

async function indexesHolding(id: string): Promise<ReportStatus[]> {
  const found: ReportStatus[] = [];
  for (const status of REPORT_STATUSES) if ((await redis.zscore(keys.reports.byStatus(status), id)) !== null) found.push(status);
  return found;
}

describe('report transitions through the scripts, every pair of states', () => {
  before(() => {
    redis = testRedis();
    store = createReportStore(redis, { prefix, retentionDays: 1, now: () => new Date(at) });
  });
  after(async () => {
    await deleteKeys(redis, prefix);
    await redis.quit();
  });

  for (const [to, operation] of Object.entries(moveTo)) {
    test(`moving to ${to}: applied exactly from the statuses the table allows, with fields, indexes and history in the same step`, async () => {
      for (const from of REPORT_STATUSES) {
        const id = await recordIn(from, AWAITING_DEADLINE.includes(from));
        const before = (await store.get(id))!;
        const result = await operation(id);
        const after = (await store.get(id))!;
        if (canMove(from, to as ReportStatus)) {
          assert.deepEqual(result, { ok: true, previous: from }, `${from} -> ${to}`);
          assert.equal(after.status, to);
          assert.deepEqual(after.history.at(-1), { at, status: to, note: `note: ${to}` }, `${from} -> ${to}: the entry is labelled with the new status`);
          assert.deepEqual(await indexesHolding(id), [to], `${from} -> ${to}: only the new status index holds the report`);
          const awaiting = (await redis.zscore(keys.reports.awaiting, id)) !== null;
          assert.equal(awaiting, AWAITING_DEADLINE.includes(to as ReportStatus), `${from} -> ${to}: awaiting index`);
        } else {
          assert.deepEqual(result, { ok: false, current: from }, `${from} -> ${to} must be refused`);
          assert.deepEqual(after, before, `${from} -> ${to}: a refused move changes nothing`);
          assert.deepEqual(await indexesHolding(id), [from]);
        }
      }
    });
  }

  test('moving to callback_received (a retry, or a callback) is applied exactly from the statuses the table allows', async () => {
    for (const from of REPORT_STATUSES) {
      const id = await recordIn(from, false);
      const result = await intoCallbackReceived.markRetried(id);
      assert.deepEqual(result, canMove(from, 'callback_received') ? { ok: true, previous: from } : { ok: false, current: from }, from);
      const record = (await store.get(id))!;
      assert.equal(record.runs, canMove(from, 'callback_received') ? 2 : 1, from);
    }
  });

  test('a request failure is a move to failed like any other: refused from a status the table does not allow', async () => {
    const id = await recordIn('delivered', false);
    assert.deepEqual(await intoCallbackReceived.markRequestFailed(id), { ok: false, current: 'delivered' });
  });

  test('an update in place is applied only in the statuses it may annotate, and its history entry names the current status', async () => {
    for (const from of REPORT_STATUSES) {
      const id = await recordIn(from, false);
      const noted = await store.noteAttemptFailed(id, error, 'attempt failed');
      const record = (await store.get(id))!;
      if (IN_PIPELINE.includes(from)) {
        assert.deepEqual(noted, { ok: true, previous: from });
        assert.deepEqual(record.error, error);
        assert.deepEqual(record.history.at(-1), { at, status: from, note: 'attempt failed' });
      } else {
        assert.deepEqual(noted, { ok: false, current: from });
        assert.equal(record.error, null);
      }
      assert.deepEqual(await store.addNote(id, 'a note'), { ok: true, previous: from });
      assert.deepEqual((await store.get(id))!.history.at(-1), { at, status: from, note: 'a note' });
    }
  });

  test('a record the scripts cannot read is refused with its key named, not moved', async () => {
    const id = await recordIn('downloaded', false);
    await redis.hset(keys.report.record(id), 'status', 'sideways');
    await assert.rejects(() => store.markDelivered(id, 'delivered'), { message: /sideways/u });
    await assert.rejects(
      () => store.get(id),
      (caught: unknown) => caught instanceof CorruptDataError && caught.key === keys.report.record(id) && caught.message.includes('status'),
    );
  });
});
