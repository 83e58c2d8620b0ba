import { hash } from 'node:crypto';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import type { ReceivedCallback } from '../../src/reports/store.js';
import { createReportStore, type NewReport } from '../../src/reports/store.js';
import { redisKeys } from '../../src/redis-keys.js';
import { generateId } from '../../src/reports/secrets.js';
import { deleteKeys, testRedis, uniquePrefix } from '../helpers/redis.js';

const prefix = uniquePrefix('store');
let redis: Redis;
let clock = new Date('2026-03-01T00:00:00Z');
const store = () => createReportStore(redis, { prefix, retentionDays: 30, now: () => clock });

function newReport(overrides: Partial<NewReport> = {}): NewReport {
  return {
    id: generateId('r'),
    source: 'api',
    scheduleId: null,
    request: { resourceGroupBy: 'organization' },
    delivery: { email: true, archive: true, recipients: ['ops@example.com'] },
    seriesKey: 'series-a',
    secretHash: 'ab'.repeat(32),
    status: 'requested',
    overdueAt: new Date(clock.getTime() + 60_000),
    note: 'created in a test',
    ...overrides,
  };
}

function callback(body = 'a,b\n1,2\n'): ReceivedCallback {
  return {
    info: {
      receivedAt: clock.toISOString(),
      contentType: 'text/csv',
      bytes: body.length,
      sha256: hash('sha256', body, 'hex'),
      headers: {},
      jobId: null,
      duplicates: 0,
    },
    body: Buffer.from(body),
  };
}

describe('report store', () => {
  before(() => {
    redis = testRedis();
  });
  beforeEach(async () => {
    await deleteKeys(redis, prefix);
    clock = new Date('2026-03-01T00:00:00Z');
  });
  after(async () => {
    await deleteKeys(redis, prefix);
    await redis.quit();
  });

  test('a created report reads back with its fields, status and first history entry', async () => {
    const report = newReport();
    const created = await store().create(report);
    assert.deepEqual(created, { id: report.id, created: true });
    const record = await store().get(report.id);
    assert.ok(record);
    assert.equal(record.status, 'requested');
    assert.deepEqual(record.request, { resourceGroupBy: 'organization' });
    assert.deepEqual(record.delivery.recipients, ['ops@example.com']);
    assert.equal(record.overdueAt, new Date(clock.getTime() + 60_000).toISOString());
    assert.deepEqual(record.history, [{ at: clock.toISOString(), status: 'requested', note: 'created in a test' }]);
    assert.equal(await store().getSecretHash(report.id), 'ab'.repeat(32));
    assert.equal(await store().get(generateId('r')), null);
  });

  test('a transition happens only from an allowed status, and records history', async () => {
    const { id } = await store().create(newReport());
    const download = { bytes: 1, sha256: 'x', sources: 1, at: clock.toISOString() };
    const refused = await store().markDownloaded(id, { interpretation: { kind: 'inline' }, download }, 'downloaded');
    assert.deepEqual(refused, { ok: false, current: 'requested' });
    const moved = await store().markAccepted(id, { jobId: 'job-1', acceptedAt: clock.toISOString(), legacy: false }, 'queued');
    assert.deepEqual(moved, { ok: true, previous: 'requested' });
    const record = (await store().get(id))!;
    assert.equal(record.status, 'accepted');
    assert.equal(record.losant.jobId, 'job-1');
    assert.deepEqual(
      record.history.map((entry) => entry.status),
      ['requested', 'accepted'],
    );
    assert.deepEqual(await store().markOverdue(generateId('r'), 'late'), { ok: false, current: null });
  });

  test('the first callback is kept and moves the report; the same body again is a duplicate, another is kept as a version', async () => {
    const { id } = await store().create(newReport());
    assert.deepEqual(await store().acceptCallback(id, callback('first\n')), { kind: 'accepted' });
    assert.deepEqual(await store().acceptCallback(id, callback('first\n')), { kind: 'duplicate' });
    assert.deepEqual(await store().acceptCallback(id, callback('second\n')), { kind: 'kept_as_version' });
    assert.deepEqual(await store().acceptCallback(id, callback('second\n')), { kind: 'duplicate' });
    const record = (await store().get(id))!;
    assert.equal(record.status, 'callback_received');
    assert.equal(record.callback?.duplicates, 2);
    assert.equal((await store().getCallbackBody(id))?.toString(), 'first\n');
    assert.deepEqual(await store().acceptCallback(generateId('r'), callback()), { kind: 'missing' });
  });

  test('a kept callback body expires after callbackBodyRetentionDays, never after its record', async () => {
    const day = 86_400;
    const shorter = createReportStore(redis, { prefix, retentionDays: 30, callbackBodyRetentionDays: 2, now: () => clock });
    const { id } = await shorter.create(newReport());
    await shorter.acceptCallback(id, callback());
    const bodyTtl = await redis.ttl(`${prefix}:report:${id}:callback-body`);
    assert.ok(bodyTtl > 2 * day - 60 && bodyTtl <= 2 * day, `body TTL ${bodyTtl}`);
    assert.ok((await redis.ttl(`${prefix}:report:${id}`)) > 29 * day, 'the record keeps the report retention');

    const schedule = newReport({ source: 'schedule', scheduleId: 's1', overdueAt: null });
    await shorter.create(schedule, { callback: callback(), dedupeKey: `${prefix}:dedupe:body-ttl` });
    assert.ok((await redis.ttl(`${prefix}:report:${schedule.id}:callback-body`)) <= 2 * day, 'a schedule callback body too');

    const longer = createReportStore(redis, { prefix, retentionDays: 30, callbackBodyRetentionDays: 90, now: () => clock });
    const second = await longer.create(newReport());
    await longer.acceptCallback(second.id, callback());
    assert.ok((await redis.ttl(`${prefix}:report:${second.id}:callback-body`)) <= 30 * day, 'capped at the record retention');
  });

  test('a schedule report is created with its callback in one step, once per dedupe key', async () => {
    const report = newReport({ source: 'schedule', scheduleId: 's1', overdueAt: null });
    const first = await store().create(report, { callback: callback(), dedupeKey: `${prefix}:dedupe:1` });
    const again = await store().create({ ...report, id: generateId('r') }, { callback: callback(), dedupeKey: `${prefix}:dedupe:1` });
    assert.deepEqual(first, { id: report.id, created: true });
    assert.deepEqual(again, { id: report.id, created: false });
    assert.equal((await store().get(report.id))?.status, 'callback_received');
    assert.equal((await store().list({ offset: 0, limit: 10 })).total, 1);
  });

  test('listing is newest first, paginated and filtered by status', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      clock = new Date(clock.getTime() + 1000);
      ids.push((await store().create(newReport())).id);
    }
    await store().markRequestFailed(ids[1]!, { step: 'request', code: 'refused', message: 'refused', permanent: true, at: clock.toISOString() }, 'refused');
    const page = await store().list({ offset: 0, limit: 2 });
    assert.equal(page.total, 5);
    assert.deepEqual(
      page.items.map((item) => item.id),
      [ids[4], ids[3]],
    );
    const next = await store().list({ offset: 2, limit: 2 });
    assert.deepEqual(
      next.items.map((item) => item.id),
      [ids[2], ids[1]],
    );
    const failed = await store().list({ status: 'failed', offset: 0, limit: 10 });
    assert.deepEqual(
      failed.items.map((item) => item.id),
      [ids[1]],
    );
    assert.equal((await store().countByStatus()).requested, 4);
  });

  test('reports past their overdue deadline are candidates; received ones are not', async () => {
    const late = await store().create(newReport());
    const answered = await store().create(newReport());
    await store().acceptCallback(answered.id, callback());
    assert.deepEqual(await store().overdueCandidates(), []);
    clock = new Date(clock.getTime() + 120_000);
    assert.deepEqual(await store().overdueCandidates(), [late.id]);
  });

  test('records expire after the retention period and the sweep drops their index entries', async () => {
    const { id } = await store().create(newReport());
    const keys = redisKeys(prefix).report;
    const ttl = await redis.ttl(keys.record(id));
    assert.ok(ttl > 29 * 86_400 && ttl <= 30 * 86_400, `ttl ${ttl}`);
    await redis.del(keys.record(id), keys.history(id));
    assert.equal(await store().sweepIndexes(), 0, 'entries younger than the retention stay');
    clock = new Date(clock.getTime() + 31 * 86_400_000);
    assert.equal(await store().sweepIndexes(), 1);
    assert.equal((await store().list({ offset: 0, limit: 10 })).total, 0);
    assert.equal((await store().countByStatus()).requested, 0);
  });
});
