import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { CorruptDataError } from '../../src/errors.js';
import { redisKeys } from '../../src/redis-keys.js';
import { generateId } from '../../src/reports/secrets.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { createAwaitingReport } from '../helpers/reports.js';
import { startService, type RunningService } from '../helpers/service.js';

let service: RunningService;
const auth = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
const keys = () => redisKeys(service.config.redis.prefix);

function corruptNaming(key: string, problem: RegExp) {
  return (caught: unknown) => caught instanceof CorruptDataError && caught.key === key && problem.test(caught.message) && caught.message.includes(key);
}

describe('data read back from Redis is validated at the store boundary', () => {
  before(async () => {
    service = await startService({ worker: false, name: 'stored-data' });
  });
  after(async () => {
    await service.stop();
  });

  test('a record with a field of the wrong shape fails with its key and the field named', async () => {
    const { id } = await createAwaitingReport(service.store, service.url);
    const key = keys().report.record(id);
    await service.redis.hset(key, 'delivery', JSON.stringify({ email: 'yes', archive: true, recipients: [] }));
    await assert.rejects(() => service.store.get(id), corruptNaming(key, /delivery\.email/u));
  });

  test('a JSON field that is not JSON, a bad count and a bad history entry are each named', async () => {
    const { id } = await createAwaitingReport(service.store, service.url);
    const key = keys().report.record(id);
    await service.redis.hset(key, 'summary', '{not json', 'runs', 'two');
    await service.redis.rpush(keys().report.history(id), JSON.stringify({ at: 'x', status: 'teleported' }));
    await assert.rejects(
      () => service.store.get(id),
      (caught: unknown) =>
        corruptNaming(key, /summary: is not JSON/u)(caught) &&
        (caught as Error).message.includes('runs: must be a whole number') &&
        (caught as Error).message.includes('history 1.status'),
    );
  });

  test('a foreign hash under a report key (no fields this version writes) fails instead of reading as an empty report', async () => {
    const id = generateId('r');
    const key = keys().report.record(id);
    await service.redis.hset(key, 'owner', 'another program');
    await assert.rejects(() => service.store.get(id), corruptNaming(key, /status/u));
  });

  test('the admin API answers a corrupt record with 500 corrupt_data naming the key, and lists the others', async () => {
    const good = await createAwaitingReport(service.store, service.url);
    const bad = await createAwaitingReport(service.store, service.url);
    await service.redis.hset(keys().report.record(bad.id), 'losant', '[]');
    const answer = await request(service.url).get(`/admin/reports/${bad.id}`).set(auth);
    assert.equal(answer.status, 500);
    assert.equal(answer.body.error.code, 'corrupt_data');
    assert.match(answer.body.error.message, new RegExp(keys().report.record(bad.id), 'u'));
    const fine = await request(service.url).get(`/admin/reports/${good.id}`).set(auth);
    assert.equal(fine.status, 200);
  });

  test('the callback match, a series entry and a rejected callback are validated too', async () => {
    const { id } = await createAwaitingReport(service.store, service.url);
    const key = keys().report.record(id);
    await service.redis.hset(key, 'losant', JSON.stringify({ jobId: 7 }));
    await assert.rejects(() => service.store.getCallbackMatch(id), corruptNaming(key, /jobId/u));

    await service.redis.set(keys().series('monthly'), JSON.stringify({ reportId: 'r1', summary: { rows: -1 } }));
    await assert.rejects(() => service.store.latestInSeries('monthly'), corruptNaming(keys().series('monthly'), /summary\.rows/u));

    await service.redis.lpush(keys().report.rejectedCallbacks(id), JSON.stringify({ reason: 'x' }));
    await assert.rejects(() => service.web!.rejected.list(id), corruptNaming(keys().report.rejectedCallbacks(id), /info/u));
  });

  test('a schedule document of another shape fails with its key named', async () => {
    const key = keys().schedule.document('s_corrupt');
    await service.redis.set(key, JSON.stringify({ schedule: { id: 's_corrupt', name: 'x' }, secretHash: 'h', previousSecretHash: null }));
    await service.redis.sadd(keys().schedule.ids, 's_corrupt');
    const answer = await request(service.url).get('/admin/schedules').set(auth);
    assert.equal(answer.status, 500);
    assert.equal(answer.body.error.code, 'corrupt_data');
    assert.match(answer.body.error.message, /schedule:s_corrupt.*schedule\.cron/u);
    await service.redis.srem(keys().schedule.ids, 's_corrupt');
  });
});
