import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { createLosantClient } from '../../src/losant/client.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { startService, type RunningService } from '../helpers/service.js';

/**
 * A schedule whose PATCH timed out may still have been written on Losant: it is kept, so the
 * callback URL Losant may now hold keeps working, and the view shows whether Losant has it.
 */

let sim: Simulator;
let service: RunningService;
const auth = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

describe('a schedule change with an unknown outcome', () => {
  before(async () => {
    sim = await startSimulator({ reportDelayMs: 10, faults: { noCallback: true } });
    service = await startService({
      worker: false,
      name: 'schedule-ambiguous',
      env: {
        LOSANT_API_URL: sim.url,
        LOSANT_API_TOKEN: sim.token,
        LOSANT_INSTANCE_ID: sim.instanceId,
        LOSANT_TIMEOUT_MS: '300',
        LOSANT_MAX_RETRIES: '0',
        REPORT_EMAIL_TO: 'ops@example.com',
      },
    });
  });
  after(async () => {
    await service.stop();
    await sim.close();
  });

  test('a PATCH that times out but is applied afterwards leaves a schedule whose callback URL works', async () => {
    sim.injectFaults({ action: 'patch', status: 200, delayMs: 1_500, count: 1 });
    const created = await request(service.url).post('/admin/schedules').set(auth).send({ cron: '0 6 * * *', timezone: 'UTC' });
    assert.ok(created.status >= 500, `answered ${created.status}: ${created.text}`);
    assert.match(created.body.error.message, /kept/u);

    const client = createLosantClient({ baseUrl: sim.url, token: sim.token, instanceId: sim.instanceId });
    let callbackUrl: string | undefined;
    for (let waited = 0; callbackUrl === undefined && waited < 100; waited += 1) {
      callbackUrl = ((await client.get()).reportConfigs ?? []).map((config) => config.callbackUrl).find((url) => url?.includes('/callbacks/s/'));
      if (callbackUrl === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(callbackUrl, 'Losant applied the PATCH after all');
    const scheduleId = new URL(callbackUrl).pathname.split('/')[3]!;
    const shown = await request(service.url).get(`/admin/schedules/${scheduleId}`).set(auth);
    assert.equal(shown.status, 200, 'the schedule is still known here');
    assert.equal(shown.body.schedule.losantConfig?.cron, '0 6 * * *');
    const delivered = await request(service.url).post(new URL(callbackUrl).pathname).set('Content-Type', 'text/csv').send('a,b\n1,2\n');
    assert.equal(delivered.status, 202, 'the callback on the URL Losant holds is taken');
  });
});
