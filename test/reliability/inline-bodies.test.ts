import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import request from 'supertest';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { createAwaitingReport } from '../helpers/reports.js';
import { startService, type RunningService } from '../helpers/service.js';
import { startOwnRedis, type OwnRedis } from './helpers/redis-server.js';

/**
 * An inline CSV (the whole report in the callback body) is kept in Redis only until it is
 * archived: then the record points at the archived copy. 500 inline 1 MB reports go through the
 * service; Redis is the test's own, so its used_memory is theirs alone.
 */

const REPORTS = 500;
const ROW = 'organization,o1,Acme Corporation with a longish name,3\n';
const CSV = `resourceType,resourceId,resourceName,deviceCount\n${ROW.repeat(Math.ceil(1_000_000 / ROW.length))}`;
// Records, histories and indexes of 500 reports, and BullMQ's kept jobs and events: a few MB. The bodies would be 500 MB.
const BOUND_BYTES = 20 * 1024 * 1024;
let redis: OwnRedis;
let service: RunningService;

const usedMemory = async () => Number(/used_memory:(\d+)/u.exec(await service.redis.info('memory'))?.[1]);

describe('inline callback bodies in Redis', () => {
  before(async () => {
    redis = await startOwnRedis();
    service = await startService({
      name: 'inline-bodies',
      env: { REDIS_URL: redis.url, WORKER_CONCURRENCY: '4', CALLBACK_MAX_BYTES: String(2 * 1024 * 1024) },
    });
  });
  after(async () => {
    await service?.stop();
    await redis?.close();
  });

  test('500 inline 1 MB reports delivered leave Redis under the bound; the archived body is still served as it came', async (t: TestContext) => {
    const baseline = await usedMemory();
    const ids: string[] = [];
    for (let sent = 0; sent < REPORTS; sent += 10) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, async () => {
          const report = await createAwaitingReport(service.store, service.url, { email: false, archive: true, recipients: [] });
          const answer = await request(service.url).post(report.path).set('Content-Type', 'text/csv').send(CSV);
          assert.equal(answer.status, 202, answer.text);
          return report.id;
        }),
      );
      for (const id of batch) assert.equal((await service.waitForStatus(id, ['delivered', 'failed'])).status, 'delivered');
      ids.push(...batch);
    }
    const after = await usedMemory();
    t.diagnostic(
      `Redis used_memory: ${(baseline / 1e6).toFixed(1)} MB before, ${(after / 1e6).toFixed(1)} MB after ${REPORTS} inline reports of ${(CSV.length / 1e6).toFixed(2)} MB`,
    );
    assert.ok(after - baseline < BOUND_BYTES, `used_memory grew by ${((after - baseline) / 1e6).toFixed(1)} MB`);

    const kept = await request(service.url).get(`/admin/reports/${ids[0]}/callback`).set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`).buffer(true);
    assert.equal(kept.status, 200);
    assert.equal(Buffer.from(kept.body as Buffer).toString(), CSV, 'the callback as it came, from the archive');
  });
});
