import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { generateId, generateSecret } from '../../../src/reports/secrets.js';
import { TEST_ADMIN_TOKEN } from '../../helpers/config.js';
import { captureLogger } from '../../helpers/logger.js';
import { startTestSmtpServer, type TestSmtpServer } from '../../helpers/smtp.js';
import { AUTH, rawRequest, startHarness, type Harness } from './harness.js';

/*
 * Item 8: nobody gets in through a callback URL without its exact secret, and no secret or
 * callback URL is ever written to the logs. The report-URL basics (wrong, other, truncated,
 * over-long secret, unknown id) against store-made records are in
 * test/integration/callback-receiver.test.ts; here the reports and schedules are made through the
 * admin API, as in production, and the variants it does not try are added.
 */

const NOT_FOUND = { error: { code: 'not_found', message: 'Not found' } };
const CSV = 'resourceType,resourceId,resourceName,deviceCount\norganization,o1,Acme,3\n';
const logs = captureLogger('trace');
let harness: Harness;
let smtp: TestSmtpServer;

const flipCase = (text: string): string => {
  const index = text.split('').findIndex((char) => char.toLowerCase() !== char.toUpperCase());
  const char = text[index]!;
  const flipped = char === char.toLowerCase() ? char.toUpperCase() : char.toLowerCase();
  return `${text.slice(0, index)}${flipped}${text.slice(index + 1)}`;
};

async function totalJobs(): Promise<number> {
  const counts = await harness.service.queue.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized');
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

async function totalReports(): Promise<number> {
  return (await harness.service.store.list({ offset: 0, limit: 1 })).total;
}

/** Every path must get exactly the 404 an unknown route gets, so a probe learns nothing. */
async function expectAllNotFound(paths: string[], method = 'POST'): Promise<void> {
  for (const path of paths) {
    const response = await rawRequest(`${harness.service.url}${path}`, { method, headers: { 'content-type': 'text/csv' }, body: CSV });
    assert.equal(response.status, 404, `${method} ${path}`);
    assert.deepEqual(JSON.parse(response.body.toString('utf8')), NOT_FOUND, path);
  }
}

/** The callback URL Losant was last given for a schedule (from the reportConfigs it was sent). */
function scheduleUrl(scheduleId: string): string {
  const urls = harness.sim.requests
    .filter((entry) => entry.action === 'patch')
    .flatMap((entry) => ((entry.body as { reportConfigs?: Array<{ callbackUrl?: string }> }).reportConfigs ?? []).map((config) => config.callbackUrl ?? ''))
    .filter((url) => url.includes(`/callbacks/s/${scheduleId}/`));
  const url = urls.at(-1);
  assert.ok(url, `Losant holds a callback URL for schedule ${scheduleId}`);
  return url;
}

async function createSchedule(name: string): Promise<{ id: string; url: string }> {
  const response = await request(harness.service.url).post('/admin/schedules').set(AUTH).send({ name, cron: '0 4 1 * *', email: false, archive: true });
  assert.equal(response.status, 201, JSON.stringify(response.body));
  const id = response.body.schedule.id as string;
  return { id, url: scheduleUrl(id) };
}

const pathOf = (url: string): string => new URL(url).pathname;

describe('callback authentication', () => {
  before(async () => {
    smtp = await startTestSmtpServer();
    harness = await startHarness({ name: 'sec-cbauth', logger: logs.logger, env: { SMTP_URL: smtp.url } });
  });
  after(async () => {
    await harness.close();
    await smtp.close();
  });

  test('a report callback URL opens only with its own secret: every other variant gets the plain 404 and nothing is stored or enqueued', async () => {
    const a = await harness.newReport();
    const b = await harness.newReport();
    const jobs = await totalJobs();
    const base = `/callbacks/r/${a.id}`;
    await expectAllNotFound([
      `${base}/${generateSecret()}`,
      `${base}/${b.secret}`,
      `/callbacks/r/${b.id}/${a.secret}`,
      `${base}/${flipCase(a.secret)}`,
      `${base}/${a.secret.slice(1)}`,
      `${base}/${a.secret}${a.secret}`,
      `${base}/${a.secret}%00`,
      `${base}/${encodeURIComponent(`${a.secret}/`)}x`,
      `${base}?secret=${a.secret}`,
      `${base}/?secret=${a.secret}`,
      `/callbacks/r/${generateId('r')}/${a.secret}`,
      `/callbacks/s/${a.id}/${a.secret}`,
      `/callbacks/x/${a.id}/${a.secret}`,
      `${base}/${a.secret}/extra`,
    ]);
    // Only POST and PUT deliver; other methods on the right URL are unknown routes.
    for (const method of ['GET', 'DELETE', 'PATCH']) await expectAllNotFound([`${base}/${a.secret}`], method);

    for (const report of [a, b]) {
      assert.equal((await harness.service.store.get(report.id))?.status, 'accepted');
      assert.equal(await harness.service.store.getCallbackBody(report.id), null);
    }
    assert.equal(await totalJobs(), jobs, 'nothing was enqueued');

    // The exact URL still works, so the refusals above were about the secret.
    const accepted = await rawRequest(a.callbackUrl, { headers: { 'content-type': 'text/csv' }, body: CSV });
    assert.equal(accepted.status, 202);
    assert.equal((await harness.service.waitForStatus(a.id, ['delivered', 'failed'])).status, 'delivered');
  });

  test('a schedule callback URL opens only with its own secret; no report is created for any other variant', async () => {
    const first = await createSchedule('first');
    const second = await createSchedule('second');
    const report = await harness.newReport();
    const secret = (url: string) => url.split('/').at(-1)!;
    const [reports, jobs] = [await totalReports(), await totalJobs()];
    await expectAllNotFound([
      `/callbacks/s/${first.id}/${generateSecret()}`,
      `/callbacks/s/${first.id}/${secret(second.url)}`,
      `/callbacks/s/${first.id}/${flipCase(secret(first.url))}`,
      `/callbacks/s/${first.id}/${secret(first.url).slice(0, -1)}`,
      `/callbacks/s/${first.id}/${secret(first.url)}0`,
      `/callbacks/s/${generateId('s')}/${secret(first.url)}`,
      `/callbacks/s/${report.id}/${report.secret}`,
      `/callbacks/r/${first.id}/${secret(first.url)}`,
      `/callbacks/s/${first.id}?secret=${secret(first.url)}`,
    ]);
    assert.equal(await totalReports(), reports, 'no report record was created');
    assert.equal(await totalJobs(), jobs, 'nothing was enqueued');

    const accepted = await rawRequest(first.url, { headers: { 'content-type': 'text/csv' }, body: CSV });
    assert.equal(accepted.status, 202);
    assert.equal(await totalReports(), reports + 1);
  });

  test('after a rotation the previous schedule secret works until its grace time ends, then gets 404', async () => {
    const schedule = await createSchedule('rotating');
    const original = schedule.url;
    const rotated = await request(harness.service.url).post(`/admin/schedules/${schedule.id}/rotate-secret`).set(AUTH).send({ graceSeconds: 1 });
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    const current = scheduleUrl(schedule.id);
    assert.notEqual(current, original, 'Losant was given a new URL');
    const graceEnds = Date.parse(rotated.body.schedule.previousSecretValidUntil as string);

    // Distinct Losant jobs: without a job id, deliveries within one cron interval are the same run (200, a repeat).
    const post = (url: string, n: number) =>
      rawRequest(url, { headers: { 'content-type': 'text/csv', 'x-losant-job-id': `job-run-${n}` }, body: `${CSV}organization,o${n},Run ${n},${n}\n` });
    assert.equal((await post(original, 1)).status, 202, 'the previous secret works during the grace time');
    assert.equal((await post(current, 2)).status, 202);
    await sleep(Math.max(0, graceEnds - Date.now()) + 100);
    const reports = await totalReports();
    await expectAllNotFound([pathOf(original)]);
    assert.equal(await totalReports(), reports);
    assert.equal((await post(current, 3)).status, 202, 'the new secret keeps working');

    const again = await request(harness.service.url).post(`/admin/schedules/${schedule.id}/rotate-secret`).set(AUTH).send({ graceSeconds: 0 });
    assert.equal(again.status, 200);
    await expectAllNotFound([pathOf(current), pathOf(original)]);
    assert.equal((await post(scheduleUrl(schedule.id), 4)).status, 202);
  });

  test('no secret, callback URL, token, callback body or query string appears in the logs of a whole pipeline run, schedule runs and admin requests', async () => {
    harness.sim.setFaults({ noCallback: false });
    const previous = harness.sim.jobs.at(-1);
    if (previous) await harness.sim.waitForJob(previous.jobId);
    const before = smtp.messages.length;
    const created = await request(harness.service.url)
      .post('/admin/reports')
      .set(AUTH)
      .send({ start: '2026-01-01T00:00:00Z', end: '2026-01-03T00:00:00Z', recipients: ['ops@example.com'] });
    assert.equal(created.status, 202);
    const id = created.body.report.id as string;
    const record = await harness.service.waitForStatus(id, ['delivered', 'failed', 'unrecognized']);
    assert.equal(record.status, 'delivered', JSON.stringify(record.error));
    await smtp.waitForMessages(before + 1);
    const schedule = await createSchedule('logged');
    const job = await harness.sim.triggerReportConfig(
      (await request(harness.service.url).get(`/admin/schedules/${schedule.id}`).set(AUTH)).body.schedule.losantConfigId as string,
    );
    assert.equal(job.callbacks[0]?.status, 202);
    for (const path of [`/admin/reports/${id}`, `/admin/reports/${id}/callback`, '/admin/reports?limit=5&status=delivered', '/admin/schedules']) {
      assert.equal((await request(harness.service.url).get(path).set(AUTH)).status, 200, path);
    }
    await request(harness.service.url).get('/admin/reports').set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}x`);

    // Callback URLs in shapes a proxy or a typo could produce: routing ignores case, so some of
    // these are even accepted, and none may leave its secret in the request log.
    const report = await harness.newReport();
    const { pathname } = new URL(report.callbackUrl);
    for (const path of [
      pathname.replace('/callbacks/', '/Callbacks/'),
      pathname.toUpperCase(),
      pathname.replace('/callbacks/', '/callbacks//'),
      pathname.replace(`/${report.secret}`, `//${report.secret}`),
      pathname.replace(`${report.id}/`, `${report.id}%2F`),
      `/admin/../${pathname}`,
      `${pathname}/extra`,
    ]) {
      const response = await rawRequest(`${harness.service.url}${path}`, { headers: { 'content-type': 'text/csv' }, body: CSV });
      assert.ok(response.status < 500, `${path}: ${response.status}`);
    }

    const callbackUrls = harness.sim.requests.flatMap((entry) => {
      const body = entry.body as { callbackUrl?: string; reportConfigs?: Array<{ callbackUrl?: string }> } | undefined;
      return [body?.callbackUrl, ...(body?.reportConfigs ?? []).map((config) => config.callbackUrl)].filter((url): url is string => typeof url === 'string');
    });
    assert.ok(callbackUrls.length >= 8, `callback URLs seen: ${callbackUrls.length}`);
    const text = logs.text();
    assert.ok(text.includes(id) && text.includes('report delivered'), 'the run was logged');
    assert.ok(text.includes(schedule.id), 'the schedule was logged');
    for (const url of new Set(callbackUrls)) {
      const secret = url.split('/').at(-1)!;
      assert.equal(text.includes(url), false, `a callback URL was logged: ${url}`);
      assert.equal(
        text.toLowerCase().includes(secret.toLowerCase()),
        false,
        `a callback secret was logged (from ${new URL(url).pathname.split('/').slice(0, 4).join('/')})`,
      );
    }
    assert.equal(text.includes(TEST_ADMIN_TOKEN), false, 'the admin token was logged');
    assert.equal(text.includes('limit=5') || text.includes('status=delivered'), false, 'a query string was logged');
    // The callback bodies: the CSV posted above, and what Losant sent for the report (its download link's JSON).
    const [csvHeader, csvRow] = CSV.split('\n');
    assert.equal(text.includes(csvHeader!) || text.includes(csvRow!), false, 'a callback body was logged');
    const body = (await request(harness.service.url).get(`/admin/reports/${id}/callback`).set(AUTH).buffer(true)).body as Buffer;
    assert.ok(body.length > 0 && !text.includes(body.toString('utf8')), "the report's callback body was logged");
    assert.equal(text.includes(harness.sim.token), false, 'the Losant API token was logged');
  });
});
