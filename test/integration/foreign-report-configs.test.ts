import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { createLosantClient } from '../../src/losant/client.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { startService, type RunningService } from '../helpers/service.js';

/**
 * The instance's report configs that report-relay does not manage go back to Losant exactly as
 * Losant gave them, through every schedule change (PATCH replaces the whole array): fields and
 * values this version does not know (a newer Losant's) included. Only the configs it manages are
 * held to this version's rules.
 */

const auth = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
/** A config made elsewhere, with a field and an enum value this version does not know. */
const FOREIGN = {
  cron: '15 3 * * *',
  timezone: 'Asia/Tokyo',
  emails: ['someone@example.com'],
  resourceGroupBy: 'application',
  periods: 3,
  deliveryFormat: { kind: 'xlsx', sheets: ['usage', 'limits'] },
};
let sim: Simulator;
let service: RunningService;

async function foreignConfigAsText(): Promise<string> {
  const client = createLosantClient({ baseUrl: sim.url, token: sim.token, instanceId: sim.instanceId });
  const configs = (await client.get()).reportConfigs ?? [];
  const foreign = configs.filter((config) => config.callbackUrl === undefined);
  assert.equal(foreign.length, 1, 'the foreign config is still there, once');
  return JSON.stringify(foreign[0]);
}

describe('report configs report-relay does not manage', () => {
  before(async () => {
    // A Losant newer than this version: it knows `deliveryFormat` on report configs.
    sim = await startSimulator({ reportDelayMs: 10, newerReportConfigFields: ['deliveryFormat'] });
    service = await startService({
      worker: false,
      name: 'foreign-configs',
      env: { LOSANT_API_URL: sim.url, LOSANT_API_TOKEN: sim.token, LOSANT_INSTANCE_ID: sim.instanceId, REPORT_EMAIL_TO: 'ops@example.com' },
    });
    const client = createLosantClient({ baseUrl: sim.url, token: sim.token, instanceId: sim.instanceId });
    await client.patch({ reportConfigs: [FOREIGN] });
  });
  after(async () => {
    await service.stop();
    await sim.close();
  });

  test('come back identical through creating, changing, rotating and deleting a schedule', async () => {
    const original = await foreignConfigAsText();
    assert.deepEqual(JSON.parse(original).deliveryFormat, FOREIGN.deliveryFormat, 'the simulated newer Losant kept the field');

    const created = await request(service.url).post('/admin/schedules').set(auth).send({ cron: '0 6 * * *', timezone: 'UTC' });
    assert.equal(created.status, 201, created.text);
    assert.equal(await foreignConfigAsText(), original, 'after create');
    const id: string = created.body.schedule.id;

    const listed = await request(service.url).get('/admin/schedules').set(auth);
    assert.deepEqual([listed.status, listed.body.unmanagedConfigs], [200, 1]);

    const changed = await request(service.url).put(`/admin/schedules/${id}`).set(auth).send({ cron: '0 7 * * *', periods: 2 });
    assert.equal(changed.status, 200, changed.text);
    assert.equal(await foreignConfigAsText(), original, 'after update');

    const rotated = await request(service.url).post(`/admin/schedules/${id}/rotate-secret`).set(auth).send({ graceSeconds: 0 });
    assert.equal(rotated.status, 200, rotated.text);
    assert.equal(await foreignConfigAsText(), original, 'after rotation');

    assert.equal((await request(service.url).delete(`/admin/schedules/${id}`).set(auth)).status, 204);
    assert.equal(await foreignConfigAsText(), original, 'after delete');
  });

  test('the config report-relay makes is still held to the rules: a bad schedule is refused before Losant sees it', async () => {
    const before = sim.requests.filter((entry) => entry.action === 'patch').length;
    const refused = await request(service.url).post('/admin/schedules').set(auth).send({ cron: '0 6 * * *', periods: 91 });
    assert.equal(refused.status, 400);
    assert.equal(sim.requests.filter((entry) => entry.action === 'patch').length, before);
  });
});
