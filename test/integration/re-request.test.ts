import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import request from 'supertest';
import { startSimulator, type SimJob, type Simulator } from '../../src/sim/index.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { startService, type RunningService } from '../helpers/service.js';
import { startTestSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';

/**
 * An overdue report can be asked of Losant again (POST /admin/reports/<id>/re-request): a new
 * report with the same options, a new Losant job, the two linked. The first callback of the two to
 * arrive takes the run; the other's is kept beside its report and not processed: one delivery.
 */

const auth = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
const RANGE = { start: '2026-02-01T00:00:00Z', end: '2026-02-04T00:00:00Z' };
let sim: Simulator;
let smtp: TestSmtpServer;
let service: RunningService;

/** An overdue report: Losant queued its job but held the callback back. */
async function overdueReport(): Promise<{ id: string; job: SimJob }> {
  sim.setFaults({ noCallback: true });
  const previous = sim.jobs.at(-1);
  if (previous) await sim.waitForJob(previous.jobId, 20_000);
  const response = await request(service.url)
    .post('/admin/reports')
    .set(auth)
    .send({ ...RANGE, dateGroupBy: 'day', recipients: ['ops@example.com'] });
  assert.equal(response.status, 202, response.text);
  const id: string = response.body.report.id;
  const overdue = await service.waitForStatus(id, ['overdue'], 20_000);
  const job = sim.jobs.find((entry) => entry.jobId === overdue.losant.jobId);
  assert.ok(job);
  await sim.waitForJob(job.jobId, 20_000);
  return { id, job };
}

/** Delivers a job's callback as Losant would, late. */
async function callBack(job: SimJob): Promise<{ status: number; body: Record<string, unknown> }> {
  assert.ok(job.options.callbackUrl !== undefined && job.downloadUrl !== undefined);
  const response = await fetch(job.options.callbackUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jobId: job.jobId, downloadUrl: job.downloadUrl }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function reRequest(id: string) {
  return request(service.url).post(`/admin/reports/${id}/re-request`).set(auth);
}

const emailsFor = (id: string) => smtp.messages.filter((message) => message.raw.toString('utf8').includes(`report-${id}@report-relay`)).length;

describe('re-requesting an overdue report', () => {
  before(async () => {
    sim = await startSimulator({ reportDelayMs: 20 });
    smtp = await startTestSmtpServer();
    service = await startService({
      name: 're-request',
      env: { LOSANT_API_URL: sim.url, LOSANT_API_TOKEN: sim.token, LOSANT_INSTANCE_ID: sim.instanceId, SMTP_URL: smtp.url, CALLBACK_OVERDUE_MS: '1000' },
    });
  });
  beforeEach(() => {
    sim.setFaults({ noCallback: false });
  });
  after(async () => {
    await service.stop();
    await smtp.close();
    await sim.close();
  });

  test('asks Losant again with the same options, links both reports, and is refused a second time', async () => {
    const { id, job } = await overdueReport();
    sim.setFaults({ noCallback: false });
    const answer = await reRequest(id);
    assert.equal(answer.status, 202, answer.text);
    const replacement = answer.body.report;
    assert.notEqual(replacement.id, id);
    assert.equal(replacement.reRequestOf, id);
    assert.notEqual(replacement.losant.jobId, job.jobId, 'a new Losant job');
    const original = (await request(service.url).get(`/admin/reports/${id}`).set(auth)).body.report;
    assert.equal(original.reRequestedAs, replacement.id);
    assert.deepEqual(replacement.request, original.request);
    assert.deepEqual(replacement.delivery, original.delivery);
    assert.equal(replacement.seriesKey, original.seriesKey);
    const newJob = sim.jobs.find((entry) => entry.jobId === replacement.losant.jobId);
    assert.deepEqual([newJob?.options.start, newJob?.options.end], [job.options.start, job.options.end]);

    const again = await reRequest(id);
    assert.equal(again.status, 409);
    assert.equal(again.body.error.details.reportId, replacement.id);
    await service.waitForStatus(replacement.id, ['delivered', 'failed']);
  });

  test('the re-requested report delivers; a late callback of the overdue one is kept, not processed', async () => {
    const { id, job } = await overdueReport();
    sim.setFaults({ noCallback: false });
    const answer = await reRequest(id);
    assert.equal(answer.status, 202, answer.text);
    const replacementId: string = answer.body.report.id;
    assert.equal((await service.waitForStatus(replacementId, ['delivered', 'failed'])).status, 'delivered');

    const late = await callBack(job);
    assert.equal(late.status, 200);
    assert.deepEqual([late.body.kept, late.body.runTakenBy], [true, replacementId]);
    assert.equal((await service.store.getExisting(id)).status, 'overdue', 'the overdue report is not processed');
    const kept = await request(service.url).get(`/admin/reports/${id}/rejected-callbacks`).set(auth);
    assert.equal(kept.body.items.length, 1);
    assert.match(kept.body.items[0].reason, new RegExp(replacementId, 'u'));
    assert.equal(emailsFor(replacementId), 1);
    assert.equal(emailsFor(id), 0);
  });

  test('a late callback of the overdue report that comes first takes the run; the re-requested one is kept', async () => {
    const { id, job } = await overdueReport();
    // Losant holds the new job's callback back too, until the test delivers it.
    const answer = await reRequest(id);
    assert.equal(answer.status, 202, answer.text);
    const replacementId: string = answer.body.report.id;
    const newJob = sim.jobs.find((entry) => entry.jobId === answer.body.report.losant.jobId);
    assert.ok(newJob);
    await sim.waitForJob(newJob.jobId, 20_000);

    assert.equal((await callBack(job)).status, 202);
    assert.equal((await service.waitForStatus(id, ['delivered', 'failed'])).status, 'delivered');
    const second = await callBack(newJob);
    assert.deepEqual([second.status, second.body.runTakenBy], [200, id]);
    assert.equal((await service.store.getExisting(replacementId)).status, 'accepted', 'the re-requested report is not processed');
    assert.equal(emailsFor(id), 1);
    assert.equal(emailsFor(replacementId), 0);
  });

  test('only an overdue report can be re-requested; an unknown one is 404', async () => {
    const response = await request(service.url)
      .post('/admin/reports')
      .set(auth)
      .send({ ...RANGE, recipients: ['ops@example.com'] });
    const id: string = response.body.report.id;
    await service.waitForStatus(id, ['delivered', 'failed']);
    const refused = await reRequest(id);
    assert.equal(refused.status, 409);
    assert.match(refused.body.error.message, /only an overdue report/iu);
    assert.equal((await reRequest('r0000000000000000000000000')).status, 404);
  });
});
