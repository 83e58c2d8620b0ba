import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { after, before, beforeEach, describe, test } from 'node:test';
import request from 'supertest';
import { neutralizeCsv } from '../../src/csv/neutralize.js';
import { startSimulator, type CallbackShape, type Simulator } from '../../src/sim/index.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { startService, type RunningService } from '../helpers/service.js';
import { startTestSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';

let sim: Simulator;
let smtp: TestSmtpServer;
let service: RunningService;
const auth = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
const RANGE = { start: '2026-01-01T00:00:00Z', end: '2026-01-08T00:00:00Z' };

async function requestReport(body: Record<string, unknown> = {}): Promise<string> {
  // One report job at a time per instance, as on Losant: wait for the previous one.
  const previous = sim.jobs.at(-1);
  if (previous) await sim.waitForJob(previous.jobId, 20_000);
  const response = await request(service.url)
    .post('/admin/reports')
    .set(auth)
    .send({ ...RANGE, recipients: ['ops@example.com'], ...body });
  assert.equal(response.status, 202, JSON.stringify(response.body));
  return response.body.report.id as string;
}

async function sha256(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

describe('report pipeline, end to end', () => {
  before(async () => {
    sim = await startSimulator({ reportDelayMs: 20 });
    smtp = await startTestSmtpServer();
    service = await startService({
      name: 'pipeline',
      env: {
        LOSANT_API_URL: sim.url,
        LOSANT_API_TOKEN: sim.token,
        LOSANT_INSTANCE_ID: sim.instanceId,
        SMTP_URL: smtp.url,
        CALLBACK_OVERDUE_MS: '1500',
        JOB_ATTEMPTS: '3',
        // Between a week's report (about 13 KB) and a quarter's (about 150 KB): both forms get tested.
        EMAIL_GZIP_ABOVE_BYTES: '60000',
      },
    });
  });
  beforeEach(() => {
    sim.setCallbackShape('json-url');
    sim.setFaults({
      duplicateDelivery: 0,
      callbackBeforeAccept: false,
      callbackDelayMs: 0,
      noCallback: false,
      downloadFailOnce: false,
      downloadExpired: false,
    });
  });
  after(async () => {
    await service.stop();
    await smtp.close();
    await sim.close();
  });

  test('an admin request ends delivered: summary email received with the CSV attached, and the CSV archived', async () => {
    const before = smtp.messages.length;
    const id = await requestReport();
    const record = await service.waitForStatus(id, ['delivered', 'failed', 'unrecognized']);
    assert.equal(record.status, 'delivered', JSON.stringify(record.error));
    assert.deepEqual(
      record.history.map((entry) => entry.status).filter((status, i, all) => all.indexOf(status) === i),
      ['requested', 'accepted', 'callback_received', 'downloaded', 'archived', 'summarized', 'emailed', 'delivered'],
    );

    const [message] = (await smtp.waitForMessages(before + 1)).slice(before);
    assert.ok(message);
    assert.deepEqual(message.envelope.to, ['ops@example.com']);
    assert.equal(message.parsed.messageId, `<report-${id}@report-relay>`);
    assert.match(message.parsed.subject ?? '', /usage report/iu);
    assert.match(String(message.parsed.html), /<table/u);
    assert.ok(
      (message.parsed.text?.includes(String(record.summary?.rows ?? 'x')) ?? false) ||
        message.parsed.text?.includes(record.summary!.rows.toLocaleString('en-US')),
    );
    const attachment = message.parsed.attachments.find((attachment) => attachment.contentType !== 'image/png');
    assert.ok(attachment, 'the CSV is attached');
    assert.match(attachment.filename ?? '', /\.csv/u);

    const job = sim.jobs.find((entry) => entry.jobId === record.losant.jobId)!;
    assert.equal(record.summary?.rows, job.rows);
    const archived = fileURLToPath(new URL(record.archive!.csv.location.replace(/^file:/u, 'file://')));
    assert.equal(await sha256(archived), record.archive!.csv.sha256);
    assert.equal(record.download?.sha256, record.archive!.csv.sha256);
    assert.ok(record.archive?.summary, 'the summary is archived beside the CSV');
  });

  test("a delivered report feeds the usage read model: each resource's history and the instance's months", async () => {
    const id = await requestReport({ resourceGroupBy: 'organization', dateGroupBy: 'day' });
    const record = await service.waitForStatus(id, ['delivered', 'failed', 'unrecognized']);
    assert.equal(record.status, 'delivered', JSON.stringify(record.error));
    const summary = record.summary!;
    assert.equal(summary.grouping.resource, 'organization');
    assert.ok(summary.periodSeries && summary.periodSeries.starts.length > 1, 'a week of days');
    const top = summary.top.find((list) => list.column === 'payloadBillableCount')!.entries[0]!;
    const points = await service.usage.resources.resourceHistory('organization', top.id);
    const point = points.find((entry) => entry.reportId === id);
    assert.equal(point?.figures.payloadBillableCount, top.value);
    assert.equal((await service.usage.resources.resource('organization', top.id))?.name, top.name);
    const months = await service.usage.instance.monthlyTotals({ from: '2026-01', to: '2026-01' });
    assert.deepEqual(months[0]?.reportIds, [id]);
    assert.equal(months[0]?.billablePayloads, summary.totals.payloadBillableCount);
  });

  for (const shape of ['json-urls', 'json-inline', 'text-csv'] as CallbackShape[]) {
    test(`a ${shape} callback is understood and delivered`, async () => {
      sim.setCallbackShape(shape);
      const id = await requestReport({ email: false });
      const record = await service.waitForStatus(id, ['delivered', 'failed', 'unrecognized']);
      assert.equal(record.status, 'delivered', JSON.stringify(record.error));
      assert.equal(record.interpretation?.kind, shape === 'json-urls' ? 'download' : 'inline');
      assert.ok((record.summary?.rows ?? 0) > 0);
    });
  }

  test('a failure callback fails the report with Losant error name and message', async () => {
    sim.setCallbackShape('failure');
    const id = await requestReport();
    const record = await service.waitForStatus(id, ['delivered', 'failed', 'unrecognized']);
    assert.equal(record.status, 'failed');
    assert.equal(record.error?.code, 'losant_report_failed');
    assert.match(record.error?.message ?? '', /ReportGenerationError/u);
  });

  test('a repeated callback gives one email', async () => {
    sim.setFaults({ duplicateDelivery: 3 });
    const before = smtp.messages.length;
    const id = await requestReport();
    const record = await service.waitForStatus(id, ['delivered', 'failed']);
    assert.equal(record.status, 'delivered');
    // The simulator marks the job done once every copy was answered; the receiver counted all three as
    // duplicates (asserted below), so no second job exists and the mail count is final.
    await sim.waitForJob(record.losant.jobId!);
    const forThis = smtp.messages.slice(before).filter((message) => message.parsed.messageId === `<report-${id}@report-relay>`);
    assert.equal(forThis.length, 1);
    assert.equal(record.emailAttempts, 1);
    assert.equal((await service.store.get(id))?.callback?.duplicates, 3);
  });

  test('a callback sent before Losant answered 202 is matched and delivered', async () => {
    sim.setFaults({ callbackBeforeAccept: true });
    const id = await requestReport({ email: false });
    const record = await service.waitForStatus(id, ['delivered', 'failed']);
    assert.equal(record.status, 'delivered');
    assert.equal(record.losant.jobId?.length, 21);
  });

  test('a download that fails once with 503 is retried and delivered', async () => {
    sim.setFaults({ downloadFailOnce: true });
    const id = await requestReport({ email: false });
    assert.equal((await service.waitForStatus(id, ['delivered', 'failed'])).status, 'delivered');
  });

  test('an expired download link fails the report at once with a clear reason', async () => {
    sim.setFaults({ downloadExpired: true });
    const id = await requestReport({ email: false });
    const record = await service.waitForStatus(id, ['delivered', 'failed']);
    assert.equal(record.status, 'failed');
    assert.equal(record.error?.step, 'download');
    assert.equal(record.error?.permanent, true);
    assert.match(record.error?.message ?? '', /expired|forbidden/iu);
    assert.equal(record.history.filter((entry) => (entry.note ?? '').includes('will retry')).length, 0, 'no pointless retries');
  });

  test('a report whose callback never comes is marked overdue and listed as such', async () => {
    sim.setFaults({ noCallback: true });
    const id = await requestReport({ email: false });
    const record = await service.waitForStatus(id, ['overdue'], 10_000);
    assert.equal(record.status, 'overdue');
    const listed = await request(service.url).get('/admin/reports?status=overdue').set(auth);
    assert.ok(listed.body.items.some((item: { id: string }) => item.id === id));
  });

  test('a callback that comes after its report was marked overdue is still delivered', async () => {
    sim.setFaults({ noCallback: true });
    const id = await requestReport({ email: false });
    const overdue = await service.waitForStatus(id, ['overdue'], 10_000);
    // The simulator published the report but held its callback back: the test delivers it late, as Losant would.
    const job = sim.jobs.find((entry) => entry.jobId === overdue.losant.jobId);
    assert.ok(job?.downloadUrl !== undefined && job.options.callbackUrl !== undefined);
    const response = await fetch(job.options.callbackUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ jobId: job.jobId, downloadUrl: job.downloadUrl }),
    });
    assert.equal(response.status, 202);
    const record = await service.waitForStatus(id, ['delivered', 'failed']);
    assert.equal(record.status, 'delivered', JSON.stringify(record.error));
    assert.deepEqual(
      record.history.map((entry) => entry.status).filter((status) => status === 'overdue' || status === 'callback_received'),
      ['overdue', 'callback_received'],
    );
  });

  test('a report failed at the email step is re-run from there: one archive, one email', async () => {
    smtp.failNext({ type: 'reply', code: 550, message: 'mailbox unavailable' });
    const before = smtp.messages.length;
    const id = await requestReport();
    const failed = await service.waitForStatus(id, ['delivered', 'failed']);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.error?.step, 'email');
    const archivedAt = failed.archive?.at;

    const retry = await request(service.url).post(`/admin/reports/${id}/retry`).set(auth);
    assert.equal(retry.status, 202);
    const again = await request(service.url).post(`/admin/reports/${id}/retry`).set(auth);
    assert.ok([200, 202].includes(again.status));
    const delivered = await service.waitForStatus(id, ['delivered', 'failed']);
    assert.equal(delivered.status, 'delivered');
    assert.equal(delivered.archive?.at, archivedAt, 'the archive was not written again');
    assert.equal(delivered.history.filter((entry) => entry.status === 'archived').length, 1);
    const forThis = smtp.messages.slice(before).filter((message) => message.parsed.messageId === `<report-${id}@report-relay>`);
    assert.equal(forThis.length, 1);
  });

  test('a report above EMAIL_GZIP_ABOVE_BYTES is attached gzipped, also when the email is sent again after a failure', async () => {
    const quarter = { start: '2026-01-01T00:00:00Z', end: '2026-04-01T00:00:00Z' };
    const expected = Buffer.from(await text(neutralizeCsv(sim.buildReportCsv(quarter), { maxColumns: 2_000, maxFieldBytes: 1024 * 1024 })));
    assert.ok(expected.length > 60_000, 'the report is above the threshold');
    smtp.failNext({ type: 'reply', code: 550, message: 'mailbox unavailable' });
    const before = smtp.messages.length;

    const id = await requestReport(quarter);
    const failed = await service.waitForStatus(id, ['delivered', 'failed']);
    assert.equal(failed.error?.step, 'email');
    assert.equal((await request(service.url).post(`/admin/reports/${id}/retry`).set(auth)).status, 202);
    const delivered = await service.waitForStatus(id, ['delivered', 'failed']);
    assert.equal(delivered.status, 'delivered', JSON.stringify(delivered.error));

    const message = smtp.messages.slice(before).find((entry) => entry.parsed.messageId === `<report-${id}@report-relay>`);
    const attachment = message?.parsed.attachments.find((attachment) => attachment.contentType !== 'image/png');
    assert.equal(attachment?.filename, `losant-usage-${id}.csv.gz`);
    assert.equal(attachment?.contentType, 'application/gzip');
    assert.ok(gunzipSync(attachment.content).equals(expected), 'the gzip attachment unpacks to the neutralized report');
  });

  test('an unrecognized callback is kept for replay and marked unrecognized', async () => {
    sim.setFaults({ noCallback: true });
    const previous = sim.jobs.at(-1);
    if (previous) await sim.waitForJob(previous.jobId, 20_000);
    const created = await request(service.url).post('/admin/reports').set(auth).send({ email: false });
    // Losant answers but does not call back: the test sends the only callback.
    const id = created.body.report.id as string;
    const record = await service.store.get(id);
    assert.ok(record);
    const url = sim.requests.filter((entry) => entry.action === 'generateReport').at(-1)!.body as { callbackUrl: string };
    const response = await request(url.callbackUrl).post('').set('Content-Type', 'application/json').send({ hello: 'world' });
    assert.equal(response.status, 202);
    const done = await service.waitForStatus(id, ['unrecognized', 'delivered', 'failed']);
    assert.equal(done.status, 'unrecognized');
    assert.match(done.error?.message ?? '', /top-level keys: hello/u);
    const kept = await request(service.url).get(`/admin/reports/${id}/callback`).set(auth);
    assert.equal(kept.status, 200);
    assert.equal(kept.body.toString(), '{"hello":"world"}');
  });

  test('a schedule created through the admin API fires in Losant and its report is delivered, with the schedule named in the email', async () => {
    const previous = sim.jobs.at(-1);
    if (previous) await sim.waitForJob(previous.jobId, 20_000);
    const created = await request(service.url)
      .post('/admin/schedules')
      .set(auth)
      .send({
        name: 'Quarterly chargeback',
        cron: '0 4 1 * *',
        timezone: 'America/Chicago',
        dateGroupBy: 'day',
        periods: 3,
        recipients: ['sched@example.com'],
      });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const schedule = created.body.schedule;
    assert.ok(schedule.losantConfigId);
    assert.equal(schedule.losantConfig.cron, '0 4 1 * *');

    const before = smtp.messages.length;
    const job = await sim.triggerReportConfig(schedule.losantConfigId);
    assert.equal(job.callbacks[0]?.status, 202);
    const list = await request(service.url).get('/admin/reports?limit=5').set(auth);
    const report = list.body.items.find((item: { scheduleId: string | null }) => item.scheduleId === schedule.id);
    assert.ok(report, 'a report record was created for the schedule run');
    const delivered = await service.waitForStatus(report.id, ['delivered', 'failed']);
    assert.equal(delivered.status, 'delivered', JSON.stringify(delivered.error));
    const messages = await smtp.waitForMessages(before + 1);
    assert.deepEqual(messages.at(-1)?.envelope.to, ['sched@example.com']);
    assert.match(messages.at(-1)?.parsed.subject ?? '', /\(Quarterly chargeback\)$/u, 'the subject names the schedule, not its id');
  });
});
