import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { createLosantClient } from '../../src/losant/client.js';
import { startAdminService, type AdminService } from '../helpers/admin-service.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';

/**
 * One run of a schedule is one report: a resend of the same run whose body differs only in a
 * freshly signed download URL is a repeat. A run is Losant's job id when the body names one,
 * otherwise the schedule's latest fire time before the callback (README, Schedules).
 */

let admin: AdminService;
const auth = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

async function scheduleCallbackPath(scheduleId: string): Promise<string> {
  const client = createLosantClient({ baseUrl: admin.sim.url, token: admin.sim.token, instanceId: admin.sim.instanceId });
  const url = ((await client.get()).reportConfigs ?? [])
    .map((config) => config.callbackUrl ?? '')
    .find((entry) => entry.includes(`/callbacks/s/${scheduleId}/`));
  assert.ok(url, 'Losant holds the schedule with its callback URL');
  return new URL(url).pathname;
}

const signed = (signature: string) => JSON.stringify({ status: 'completed', url: `https://files.example.com/report.csv?X-Amz-Signature=${signature}` });

describe('schedule runs', () => {
  before(async () => {
    admin = await startAdminService('schedule-runs');
  });
  after(async () => {
    await admin.close();
  });

  test('a resend of one run with a freshly signed URL is a repeat; another job id is another run', async () => {
    const created = await request(admin.service.url).post('/admin/schedules').set(auth).send({ cron: '0 5 * * *', timezone: 'UTC', dateGroupBy: 'day' });
    assert.equal(created.status, 201, created.text);
    const path = await scheduleCallbackPath(created.body.schedule.id);
    const post = (body: string) => request(admin.service.url).post(path).set('Content-Type', 'application/json').send(body);

    const first = await post(signed('aaaa'));
    assert.equal(first.status, 202, first.text);
    const resent = await post(signed('bbbb'));
    assert.deepEqual([resent.status, resent.body.duplicate, resent.body.reportId], [200, true, first.body.reportId], 'the same run, not a second report');

    const withJob = (jobId: string, signature: string) =>
      JSON.stringify({ jobId, status: 'completed', url: `https://files.example.com/r.csv?X-Amz-Signature=${signature}` });
    const jobA = await post(withJob('job-a', 'cccc'));
    assert.equal(jobA.status, 202, 'a body naming a job is that job');
    assert.equal((await post(withJob('job-a', 'dddd'))).status, 200, 'the same job again is a repeat');
    assert.equal((await post(withJob('job-b', 'eeee'))).status, 202, 'another job is another run');
    assert.equal((await post('')).status, 400, 'an empty body is refused');
  });
});
