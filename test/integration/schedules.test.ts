import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { createLosantClient } from '../../src/losant/client.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { startService, type RunningService } from '../helpers/service.js';

let sim: Simulator;
let service: RunningService;
const auth = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
const FOREIGN = { cron: '0 4 * * 1', timezone: 'Europe/Berlin', emails: ['someone@example.com'], resourceGroupBy: 'application' as const, periods: 7 };

async function losantConfigs() {
  const client = createLosantClient({ baseUrl: sim.url, token: sim.token, instanceId: sim.instanceId });
  return (await client.get()).reportConfigs ?? [];
}

describe('schedules', () => {
  before(async () => {
    sim = await startSimulator({ reportDelayMs: 10 });
    service = await startService({
      worker: false,
      name: 'schedules',
      env: { LOSANT_API_URL: sim.url, LOSANT_API_TOKEN: sim.token, LOSANT_INSTANCE_ID: sim.instanceId, REPORT_EMAIL_TO: 'ops@example.com' },
    });
    // A config made by someone else, which report-relay must leave exactly as it is.
    const client = createLosantClient({ baseUrl: sim.url, token: sim.token, instanceId: sim.instanceId });
    await client.patch({ reportConfigs: [FOREIGN] });
  });
  after(async () => {
    await service.stop();
    await sim.close();
  });

  test('creating a schedule adds one config with its own callback URL and leaves the others exactly as they were', async () => {
    const [foreignBefore] = await losantConfigs();
    const created = await request(service.url)
      .post('/admin/schedules')
      .set(auth)
      .send({ cron: '0 4 1,15 * *', timezone: 'America/Chicago', dateGroupBy: 'day', periods: 14 });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const schedule = created.body.schedule;
    assert.equal(schedule.losantConfig.cron, '0 4 1,15 * *');
    assert.equal(schedule.losantConfig.callbackUrl, undefined, 'the secret-bearing URL is not shown');
    assert.deepEqual(schedule.delivery, { email: true, archive: true, recipients: ['ops@example.com'] });
    assert.equal(schedule.name, 'daily organization report (0 4 1,15 * * America/Chicago)', 'a default name reads as English');

    const configs = await losantConfigs();
    assert.equal(configs.length, 2);
    assert.deepEqual(
      configs.find((config) => config.id === foreignBefore!.id),
      foreignBefore,
    );
    const ours = configs.find((config) => config.id === schedule.losantConfigId);
    assert.ok(ours?.callbackUrl?.startsWith(`${service.url}/callbacks/s/${schedule.id}/`));

    const listed = await request(service.url).get('/admin/schedules').set(auth);
    assert.equal(listed.status, 200);
    assert.equal(listed.body.unmanagedConfigs, 1);
    assert.deepEqual(
      listed.body.items.map((item: { id: string }) => item.id),
      [schedule.id],
    );
  });

  test('a bad cron, time zone, period or unknown field is refused before Losant sees it', async () => {
    const patchesBefore = sim.requests.filter((entry) => entry.action === 'patch').length;
    for (const [body, problem] of [
      [{ cron: 'every day' }, /cron/u],
      [{ cron: '0 4 * *' }, /5 fields/u],
      [{ cron: '0 4 1 * *', timezone: 'Mars/Olympus' }, /IANA time zone/u],
      [{ cron: '0 4 1 * *', periods: 91 }, /periods/u],
      [{ cron: '0 4 1 * *', colour: 'blue' }, /colour/u],
      [{ cron: `0 4 1 * * ${'x'.repeat(300)}` }, /cron/u],
    ] as const) {
      const response = await request(service.url).post('/admin/schedules').set(auth).send(body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.match(response.body.error.message, problem);
    }
    assert.equal(sim.requests.filter((entry) => entry.action === 'patch').length, patchesBefore);
  });

  test('a schedule is changed, its secret rotated with a grace period, and deleted, each through PATCH', async () => {
    const created = await request(service.url).post('/admin/schedules').set(auth).send({ cron: '0 4 * * 1', email: false });
    const id = created.body.schedule.id as string;
    const firstUrl = (await losantConfigs()).find((config) => config.callbackUrl?.includes(`/callbacks/s/${id}/`))!.callbackUrl!;

    const updated = await request(service.url).put(`/admin/schedules/${id}`).set(auth).send({ cron: '30 5 * * 2', dateGroupBy: 'month', periods: 1 });
    assert.equal(updated.status, 200, JSON.stringify(updated.body));
    assert.equal(updated.body.schedule.losantConfig.cron, '30 5 * * 2');
    assert.equal(updated.body.schedule.dateGroupBy, 'month');
    const urlAfterUpdate = (await losantConfigs()).find((config) => config.callbackUrl?.includes(`/callbacks/s/${id}/`))!.callbackUrl!;
    assert.equal(urlAfterUpdate, firstUrl, 'a change keeps the callback URL and its secret');

    const rotated = await request(service.url).post(`/admin/schedules/${id}/rotate-secret`).set(auth).send({ graceSeconds: 0 });
    assert.equal(rotated.status, 200);
    const newUrl = (await losantConfigs()).find((config) => config.callbackUrl?.includes(`/callbacks/s/${id}/`))!.callbackUrl!;
    assert.notEqual(newUrl, firstUrl);
    const stale = await request(firstUrl).post('').set('Content-Type', 'text/csv').send('a,b\n1,2\n');
    assert.equal(stale.status, 404, 'the first secret no longer works');
    const fresh = await request(newUrl).post('').set('Content-Type', 'text/csv').send('a,b\n1,2\n');
    assert.equal(fresh.status, 202);
    const again = await request(newUrl).post('').set('Content-Type', 'text/csv').send('a,b\n1,2\n');
    assert.equal(again.status, 200, 'the same run delivered twice is a duplicate');
    assert.equal(again.body.reportId, fresh.body.reportId);

    const deleted = await request(service.url).delete(`/admin/schedules/${id}`).set(auth);
    assert.equal(deleted.status, 204);
    assert.equal(
      (await losantConfigs()).some((config) => config.callbackUrl?.includes(`/callbacks/s/${id}/`)),
      false,
    );
    assert.equal((await request(service.url).get(`/admin/schedules/${id}`).set(auth)).status, 404);
    assert.equal((await request(newUrl).post('').set('Content-Type', 'text/csv').send('a,b\n3,4\n')).status, 404);
  });

  test('after a rotation the previous secret keeps working until its grace time', async () => {
    const created = await request(service.url).post('/admin/schedules').set(auth).send({ cron: '0 6 * * *', email: false });
    const id = created.body.schedule.id as string;
    const oldUrl = (await losantConfigs()).find((config) => config.callbackUrl?.includes(`/callbacks/s/${id}/`))!.callbackUrl!;
    await request(service.url).post(`/admin/schedules/${id}/rotate-secret`).set(auth).send({ graceSeconds: 3600 });
    const response = await request(oldUrl).post('').set('Content-Type', 'text/csv').send('a,b\n5,6\n');
    assert.equal(response.status, 202);
    await request(service.url).delete(`/admin/schedules/${id}`).set(auth);
  });

  test('the instance holds at most 10 configs: the eleventh schedule is refused and nothing changes', async () => {
    const existing = (await losantConfigs()).length;
    const ids: string[] = [];
    for (let i = existing; i < 10; i += 1) {
      const created = await request(service.url)
        .post('/admin/schedules')
        .set(auth)
        .send({ cron: `${i} 3 * * *`, email: false });
      assert.equal(created.status, 201);
      ids.push(created.body.schedule.id as string);
    }
    const refused = await request(service.url).post('/admin/schedules').set(auth).send({ cron: '0 2 * * *', email: false });
    assert.equal(refused.status, 409);
    assert.match(refused.body.error.message, /at most 10/u);
    assert.equal((await losantConfigs()).length, 10);
    const listed = await request(service.url).get('/admin/schedules').set(auth);
    assert.equal(listed.body.items.length, 10 - 1, 'the refused schedule was not kept');
    for (const id of ids) await request(service.url).delete(`/admin/schedules/${id}`).set(auth);
  });
});
