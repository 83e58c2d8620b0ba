import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { createLosantClient } from '../../src/losant/client.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { deleteKeys, uniquePrefix } from '../helpers/redis.js';
import { startService, type RunningService } from '../helpers/service.js';

/**
 * Two web processes sharing one Redis change schedules at once against a slow Losant: the lock
 * serializes the read-modify-write of reportConfigs, so neither PATCH drops the other's config.
 */

let sim: Simulator;
const services: RunningService[] = [];
const prefix = uniquePrefix('schedule-race');
const auth = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

describe('schedule changes from two processes', () => {
  before(async () => {
    sim = await startSimulator({ reportDelayMs: 10, faults: { noCallback: true } });
    for (const name of ['race-a', 'race-b']) {
      services.push(
        await startService({
          worker: false,
          name,
          env: {
            REDIS_PREFIX: prefix,
            LOSANT_API_URL: sim.url,
            LOSANT_API_TOKEN: sim.token,
            LOSANT_INSTANCE_ID: sim.instanceId,
            REPORT_EMAIL_TO: 'ops@example.com',
          },
        }),
      );
    }
  });
  after(async () => {
    await deleteKeys(services[0]!.redis, prefix);
    for (const service of services) await service.stop();
    await sim.close();
  });

  test('two schedules created at once through two processes, each PATCH slow: both end up on Losant', async () => {
    sim.injectFaults({ action: 'patch', status: 200, delayMs: 1_500, count: 2 });
    const [a, b] = await Promise.all(
      services.map((service, index) =>
        request(service.url)
          .post('/admin/schedules')
          .set(auth)
          .send({ cron: `0 ${index + 1} * * *`, timezone: 'UTC', name: `race ${index}` }),
      ),
    );
    assert.equal(a!.status, 201, a!.text);
    assert.equal(b!.status, 201, b!.text);
    const client = createLosantClient({ baseUrl: sim.url, token: sim.token, instanceId: sim.instanceId });
    const crons = ((await client.get()).reportConfigs ?? []).map((config) => config.cron).sort();
    assert.deepEqual(crons, ['0 1 * * *', '0 2 * * *']);
  });
});
