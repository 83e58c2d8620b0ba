import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { ADMIN_ROUTES } from '../../src/http/contract/admin-answers.js';
import { redisKeys } from '../../src/redis-keys.js';
import { runPeriod } from '../../src/schedules/run-period.js';
import type { Simulator } from '../../src/sim/index.js';
import { startAdminService, type AdminService } from '../helpers/admin-service.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { createAwaitingReport } from '../helpers/reports.js';
import type { RunningService } from '../helpers/service.js';

/**
 * The admin API's contract (src/http/contract/): every route answers every listed status with its
 * schema (the test helper checks each answer as it is sent; stop() fails on a violation), and the
 * stored record's bookkeeping never reaches an answer.
 */

let sim: Simulator;
let service: RunningService;
const auth = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
const CSV = 'resourceType,resourceId,resourceName,deviceCount\norganization,o1,Acme,3\n';

/** A report with a stored callback (no worker runs here, so it stays callback_received). */
async function reportWithCallback(headers: Record<string, string> = {}): Promise<string> {
  const { id, path } = await createAwaitingReport(service.store, service.url);
  const answer = await request(service.url).post(path).set('Content-Type', 'text/csv').set(headers).send(CSV);
  assert.equal(answer.status, 202, answer.text);
  return id;
}

describe('admin API contract', () => {
  let admin: AdminService;
  before(async () => {
    admin = await startAdminService('contract');
    ({ sim, service } = admin);
  });
  after(async () => {
    await admin.close();
  });

  test('every route answers each status it lists with the body its schema describes', async () => {
    const admin = (method: 'get' | 'post' | 'put' | 'delete', path: string) => request(service.url)[method](path).set(auth);

    assert.equal((await request(service.url).get('/admin/reports')).status, 401);
    const created = await admin('post', '/admin/reports').send({});
    assert.equal(created.status, 202);
    await sim.waitForJob(created.body.report.losant.jobId);
    assert.equal((await admin('post', '/admin/reports').send({ start: 'yesterday' })).status, 400);
    sim.injectFaults({ action: 'generateReport', status: 400, count: 1, body: { type: 'Validation', message: 'refused' } });
    const refused = await admin('post', '/admin/reports').send({});
    assert.equal(refused.status, 400);
    assert.equal(refused.body.report.status, 'failed');

    assert.equal((await admin('get', '/admin/reports?limit=2')).status, 200);
    assert.equal((await admin('get', '/admin/reports?status=bogus')).status, 400);
    assert.equal((await admin('get', `/admin/reports/${created.body.report.id}`)).status, 200);
    assert.equal((await admin('get', '/admin/reports/r0000000000000000000000000')).status, 404);

    const id = await reportWithCallback();
    assert.equal((await admin('get', `/admin/reports/${id}/callback`)).status, 200);
    assert.equal((await admin('get', `/admin/reports/${created.body.report.id}/callback`)).status, 404);
    assert.equal((await admin('get', `/admin/reports/${id}/rejected-callbacks`)).status, 200);
    const awaiting = await createAwaitingReport(service.store, service.url);
    await service.store.markAccepted(awaiting.id, { jobId: 'job-A', acceptedAt: null, legacy: false }, 'queued');
    assert.equal((await request(service.url).post(awaiting.path).send({ jobId: 'job-B' })).status, 409);
    const [refusedCallback] = (await admin('get', `/admin/reports/${awaiting.id}/rejected-callbacks`)).body.items;
    assert.equal((await admin('get', refusedCallback.bodyUrl)).status, 200);
    const running = await admin('post', `/admin/reports/${id}/retry`);
    assert.deepEqual([running.status, running.body.started], [200, false], 'still in the pipeline: nothing started');
    const failed = await service.store.markFailed(
      id,
      { error: { step: 'download', code: 'download_timeout', message: 'timed out', permanent: false, at: new Date().toISOString() } },
      'failed by the test',
    );
    assert.ok(failed.ok);
    const retried = await admin('post', `/admin/reports/${id}/retry`);
    assert.deepEqual([retried.status, retried.body.started], [202, true]);
    assert.equal((await admin('post', `/admin/reports/${refused.body.report.id}/retry`)).status, 409);
    await sim.waitForJob(created.body.report.losant.jobId);
    assert.ok((await service.store.markOverdue(created.body.report.id, 'overdue, for the test')).ok);
    const askedAgain = await admin('post', `/admin/reports/${created.body.report.id}/re-request`);
    assert.equal(askedAgain.status, 202, askedAgain.text);
    await sim.waitForJob(askedAgain.body.report.losant.jobId);
    assert.equal((await admin('post', `/admin/reports/${created.body.report.id}/re-request`)).status, 409);

    const schedule = await admin('post', '/admin/schedules').send({ cron: '0 6 1 * *', timezone: 'UTC', resourceGroupBy: 'organization', dateGroupBy: 'day' });
    assert.equal(schedule.status, 201, schedule.text);
    const scheduleId = schedule.body.schedule.id as string;
    assert.equal((await admin('get', '/admin/schedules')).status, 200);
    assert.equal((await admin('get', `/admin/schedules/${scheduleId}`)).status, 200);
    assert.equal((await admin('put', `/admin/schedules/${scheduleId}`).send({ name: 'monthly by organization' })).status, 200);
    assert.equal((await admin('post', `/admin/schedules/${scheduleId}/rotate-secret`).send({})).status, 200);
    // A missed run as the check records it, then listed and re-requested (once: the second is a conflict).
    const fireTime = '2026-01-01T06:00:00.000Z';
    await service.web!.missedRunStore.add({
      scheduleId,
      fireTime,
      period: runPeriod({ dateGroupBy: 'day', periods: 1 }, new Date(fireTime)),
      detectedAt: new Date().toISOString(),
      state: 'missed',
      reRequestedReportId: null,
      reRequestedAt: null,
      arrivedAt: null,
      arrivedReportId: null,
    });
    assert.equal((await admin('get', `/admin/schedules/${scheduleId}/missed-runs`)).status, 200);
    const reRequested = await admin('post', `/admin/schedules/${scheduleId}/missed-runs/${fireTime}/re-request`);
    assert.equal(reRequested.status, 202, reRequested.text);
    await sim.waitForJob(reRequested.body.report.losant.jobId);
    assert.equal((await admin('post', `/admin/schedules/${scheduleId}/missed-runs/${fireTime}/re-request`)).status, 409);
    assert.equal((await admin('post', `/admin/schedules/${scheduleId}/missed-runs/yesterday/re-request`)).status, 400);
    assert.equal((await admin('delete', `/admin/schedules/${scheduleId}`)).status, 204);
    assert.equal((await admin('get', `/admin/schedules/${scheduleId}`)).status, 404);

    const listed = ADMIN_ROUTES.flatMap((route) => Object.keys(route.answers).map((status) => `${route.method} ${route.path} ${status}`));
    assert.deepEqual(
      listed.filter((answer) => !service.answers.seen.has(answer)),
      [],
      'every listed answer was seen',
    );
    assert.deepEqual(service.answers.violations, []);
  });

  test("a stored record's bookkeeping never reaches an answer", async () => {
    const id = await reportWithCallback({ 'X-Forwarded-For': '203.0.113.77', Authorization: 'Bearer a-credential-of-the-sender' });
    const key = redisKeys(service.config.redis.prefix).report.record(id);
    const at = new Date().toISOString();
    await service.redis.hset(key, {
      runs: '7',
      emailAttempts: '3',
      losant: JSON.stringify({ jobId: 'job-1', acceptedAt: at, legacy: true }),
      interpretation: JSON.stringify({ kind: 'download', hosts: ['files.internal.example'], urlCount: 1 }),
      archive: JSON.stringify({
        csv: { key: 'hidden-archive-key', location: 'file:/archive/report.csv', sha256: 'a'.repeat(64), bytes: 10 },
        summary: null,
        at,
      }),
      email: JSON.stringify({
        messageId: '<m@x>',
        accepted: ['ops@example.com'],
        rejected: [],
        outboxPath: '/srv/outbox/hidden.eml',
        sentAt: at,
        attachment: 'report.csv',
      }),
      internalNote: 'a field this version does not know',
    });
    assert.equal((await service.store.get(id))?.callback?.headers['x-forwarded-for'], '203.0.113.77', 'the header is kept in the store');

    const answer = await request(service.url).get(`/admin/reports/${id}`).set(auth);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.report.archive.csv.location, 'file:/archive/report.csv', 'what the view names is there');
    assert.equal(answer.body.report.callback.headers['x-forwarded-for'], '203.0.113.77', 'the callback is shown as received');
    for (const hidden of [
      'a-credential-of-the-sender',
      'files.internal.example',
      'hidden-archive-key',
      '/srv/outbox',
      'emailAttempts',
      '"runs"',
      'legacy',
      'internalNote',
    ])
      assert.ok(!answer.text.includes(hidden), `${hidden} reached the answer`);

    const list = await request(service.url).get('/admin/reports?limit=200').set(auth);
    assert.ok(!list.text.includes('"summary"'), 'the list carries no summaries');
    assert.deepEqual(service.answers.violations, []);
  });
});
