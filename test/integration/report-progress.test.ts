import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { createProgressStore, progressMeter, type ReportProgress } from '../../src/reports/progress.js';
import { redisKeys } from '../../src/redis-keys.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { deleteKeys, testRedis, uniquePrefix } from '../helpers/redis.js';
import { startService, type RunningService } from '../helpers/service.js';

/*
 * The progress the worker records while it downloads and parses a report's CSV: written at most
 * once a second, kept beside the record for an hour, and the last figure is the whole file.
 */

describe('report progress', () => {
  const redis = testRedis();
  const prefix = uniquePrefix('progress');
  let sim: Simulator;
  let service: RunningService;

  before(async () => {
    sim = await startSimulator({ reportDelayMs: 10 });
    service = await startService({
      name: 'progress-e2e',
      env: { LOSANT_API_URL: sim.url, LOSANT_API_TOKEN: sim.token, LOSANT_INSTANCE_ID: sim.instanceId },
    });
  });
  after(async () => {
    await service?.stop();
    await sim?.close();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  test('a meter writes at most once per interval however many chunks pass, and its flush writes the last figure', async () => {
    let clock = 0;
    const writes: ReportProgress[] = [];
    const meter = progressMeter((progress) => Promise.resolve(void writes.push(progress)), 'parse', {
      totalBytes: 5000,
      intervalMs: 1000,
      now: () => new Date(clock),
    });
    for (let chunk = 0; chunk < 50; chunk += 1) {
      meter.add(100);
      clock += 50;
    }
    await meter.flush();
    // 50 chunks over 2.5 s: the first, one a second after it, one after that, and the flush.
    assert.deepEqual(
      writes.map((progress) => progress.bytes),
      [100, 2100, 4100, 5000],
    );
    assert.ok(writes.every((progress) => progress.step === 'parse' && progress.totalBytes === 5000));
    await meter.flush();
    assert.equal(writes.length, 4, 'a flush without new bytes writes nothing');
  });

  test('a failed write is dropped: progress never fails the step', async () => {
    const meter = progressMeter(() => Promise.reject(new Error('Redis is away')), 'download', { totalBytes: null });
    meter.add(10);
    await meter.flush();
  });

  test('the store keeps progress for an hour, never longer than the reports, and reads several reports at once', async () => {
    const store = createProgressStore(redis, { prefix, retentionSeconds: 30 * 86_400 });
    await store.write('r1', { step: 'download', bytes: 42, totalBytes: null, at: '2026-01-01T00:00:00.000Z' });
    const found = await store.read(['r1', 'r2']);
    assert.deepEqual(Object.fromEntries(found), { r1: { step: 'download', bytes: 42, totalBytes: null, at: '2026-01-01T00:00:00.000Z' } });
    const ttl = await redis.ttl(redisKeys(prefix).report.progress('r1'));
    assert.ok(ttl > 3500 && ttl <= 3600, `ttl ${ttl}`);
    assert.equal((await store.read([])).size, 0);
    await createProgressStore(redis, { prefix, retentionSeconds: 30 }).write('r3', { step: 'parse', bytes: 1, totalBytes: 2, at: '2026-01-01T00:00:00.000Z' });
    const shortTtl = await redis.ttl(redisKeys(prefix).report.progress('r3'));
    assert.ok(shortTtl > 0 && shortTtl <= 30, `ttl with a 30 s retention: ${shortTtl}`);
    const rows = { step: 'parse', bytes: 10, totalBytes: 20, rows: 3, at: '2026-01-01T00:00:00.000Z' } as const;
    await store.write('r4', rows);
    await store.write('r5', { ...rows, rows: null });
    const withRows = await store.read(['r4', 'r5', 'r1']);
    assert.deepEqual([withRows.get('r4')?.rows, withRows.get('r5')?.rows], [3, null]);
    assert.ok(!('rows' in withRows.get('r1')!), 'a progress written without rows reads as before');
  });

  test('the worker records the parse of a delivered report to its last byte and its last row', async () => {
    const response = await request(service.url)
      .post('/admin/reports')
      .set({ Authorization: `Bearer ${TEST_ADMIN_TOKEN}` })
      .send({ start: '2026-01-01T00:00:00Z', end: '2026-01-15T00:00:00Z', email: false });
    assert.equal(response.status, 202, JSON.stringify(response.body));
    const id = String(response.body.report.id);
    const record = await service.waitForStatus(id, ['delivered', 'failed', 'unrecognized']);
    assert.equal(record.status, 'delivered', JSON.stringify(record.error));
    const progress = (
      await createProgressStore(redis, { prefix: service.config.redis.prefix, retentionSeconds: service.config.retention.reportSeconds }).read([id])
    ).get(id);
    assert.equal(progress?.step, 'parse');
    assert.equal(progress.bytes, record.download?.bytes);
    assert.equal(progress.totalBytes, record.download?.bytes);
    const summary = record.summary;
    assert.ok(summary && summary.rows > 0, 'the report has rows');
    // Every record past the header is a row or a bad row.
    assert.equal(progress.rows, summary.rows + summary.badRowCount);
  });
});
