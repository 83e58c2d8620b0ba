import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { createReportStore, type NewReport } from '../../src/reports/store.js';
import { generateId, hashSecret } from '../../src/reports/secrets.js';
import { startOwnRedis, type OwnRedis } from '../reliability/helpers/redis-server.js';

// A Redis of this file's own: its script cache is flushed, which must not disturb other tests.
let server: OwnRedis;
let redis: Redis;
const store = () => createReportStore(redis, { prefix: 'scripts', retentionDays: 1 });

function newReport(id: string): NewReport {
  return {
    id,
    source: 'api',
    scheduleId: null,
    request: {},
    delivery: { email: false, archive: true, recipients: [] },
    seriesKey: 'series',
    secretHash: hashSecret('s'.repeat(43)),
    status: 'requested',
    overdueAt: null,
    note: 'created in a test',
  };
}

describe('report store scripts', () => {
  before(async () => {
    server = await startOwnRedis();
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
  });
  after(async () => {
    await redis.quit();
    await server.close();
  });

  test('the store keeps working when Redis has forgotten its scripts (first use, SCRIPT FLUSH, a restart)', async () => {
    const reports = store();
    const id = generateId('r');
    assert.deepEqual(await reports.create(newReport(id)), { id, created: true });
    await redis.script('FLUSH');
    const moved = await reports.markAccepted(id, { jobId: 'job-0', acceptedAt: new Date().toISOString(), legacy: false }, 'accepted');
    assert.deepEqual(moved, { ok: true, previous: 'requested' });
    await redis.script('FLUSH');
    const info = { receivedAt: new Date().toISOString(), contentType: 'text/csv', bytes: 4, sha256: 'x', headers: {}, jobId: null, duplicates: 0 };
    assert.deepEqual(await reports.acceptCallback(id, { info, body: Buffer.from('a,b\n') }), { kind: 'accepted' });
    assert.deepEqual(await reports.acceptCallback(id, { info, body: Buffer.from('a,b\n') }), { kind: 'duplicate' });
    const record = await reports.get(id);
    assert.equal(record?.status, 'callback_received');
    assert.deepEqual(
      record?.history.map((entry) => entry.status),
      ['requested', 'accepted', 'callback_received'],
    );
  });

  test('the callback match of a report is its secret hash, Losant job, run and re-request group; none for an unknown report', async () => {
    const reports = store();
    const id = generateId('r');
    await reports.create(newReport(id));
    assert.deepEqual(await reports.getCallbackMatch(id), {
      secretHash: hashSecret('s'.repeat(43)),
      losant: { jobId: null, acceptedAt: null, legacy: false },
      runs: 1,
      group: id,
    });
    const losant = { jobId: 'job-1', acceptedAt: '2026-01-01T00:00:00.000Z', legacy: false };
    await reports.recordLosantJob(id, losant);
    const info = { receivedAt: new Date().toISOString(), contentType: 'text/plain', bytes: 1, sha256: 'x', headers: {}, jobId: null, duplicates: 0 };
    await reports.acceptCallback(id, { info, body: Buffer.from('?') });
    const error = { step: 'callback' as const, code: 'callback_unrecognized', message: '?', permanent: true, at: info.receivedAt };
    await reports.markUnrecognized(id, { interpretation: { kind: 'unrecognized' }, error }, 'unrecognized');
    await reports.markRetried(id, 2, 'run 2');
    await reports.markUnrecognized(id, { interpretation: { kind: 'unrecognized' }, error }, 'unrecognized');
    await reports.markRetried(id, 3, 'run 3');
    assert.deepEqual(await reports.getCallbackMatch(id), { secretHash: hashSecret('s'.repeat(43)), losant, runs: 3, group: id });
    assert.equal(await reports.getCallbackMatch(generateId('r')), null);
  });
});
