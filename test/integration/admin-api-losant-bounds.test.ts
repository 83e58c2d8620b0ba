import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { startService, type RunningService } from '../helpers/service.js';

/**
 * A body that breaks one of Losant's own bounds is refused by the service, with a 400 naming the
 * field, before Losant is asked. The admin API checks what the operator sends itself; what it
 * cannot see is what the service adds, here the callback URL, which Losant caps at 1024
 * characters and which grows with PUBLIC_URL.
 */

let sim: Simulator;
let service: RunningService;
const auth = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

const sent = (action: string) => sim.requests.filter((entry) => entry.action === action).length;

describe('admin API: Losant bounds on what the service adds', () => {
  before(async () => {
    sim = await startSimulator({ reportDelayMs: 10, faults: { noCallback: true } });
    service = await startService({
      worker: false,
      name: 'admin-bounds',
      env: {
        // Callback URLs under this base are longer than the 1024 characters Losant accepts.
        PUBLIC_URL: `http://127.0.0.1:9/${'p'.repeat(1000)}`,
        LOSANT_API_URL: sim.url,
        LOSANT_API_TOKEN: sim.token,
        LOSANT_INSTANCE_ID: sim.instanceId,
        REPORT_EMAIL_TO: 'ops@example.com',
      },
    });
  });
  after(async () => {
    await service.stop();
    await sim.close();
  });

  test('POST /admin/reports: 400 naming callbackUrl, a failed record, and no generateReport sent', async () => {
    const before = sent('generateReport');
    const response = await request(service.url).post('/admin/reports').set(auth).send({ email: false });
    assert.equal(response.status, 400, JSON.stringify(response.body));
    assert.equal(response.body.error.code, 'losant_request_invalid');
    assert.match(response.body.error.message, /callbackUrl: must be at most 1024 characters/u);
    assert.equal(response.body.report.status, 'failed');
    assert.equal(sent('generateReport'), before);
  });

  test('POST /admin/schedules: 400 naming the config and its callbackUrl, no PATCH sent, nothing kept', async () => {
    const before = sent('patch');
    const response = await request(service.url).post('/admin/schedules').set(auth).send({ cron: '0 4 1 * *' });
    assert.equal(response.status, 400, JSON.stringify(response.body));
    assert.equal(response.body.error.code, 'losant_request_invalid');
    assert.match(response.body.error.message, /reportConfigs\.0\.callbackUrl: must be at most 1024 characters/u);
    assert.equal(sent('patch'), before);
    const listed = await request(service.url).get('/admin/schedules').set(auth);
    assert.deepEqual(listed.body.items, []);
  });
});
