import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import type { Config } from '../../src/config.js';
import { neutralizeCsv } from '../../src/csv/neutralize.js';
import type { HistoryEntry, ReportRecord } from '../../src/reports/record.js';
import { createService, type Service } from '../../src/service.js';
import { DOWNLOAD_PARTS, startSimulator, type Simulator } from '../../src/sim/index.js';
import { startAdminService, type AdminService } from '../helpers/admin-service.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { silentLogger } from '../helpers/logger.js';
import { startService, type RunningService } from '../helpers/service.js';
import { startTestSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';

/**
 * The paths of a report that pipeline.test.ts does not walk: a callback naming several download
 * URLs, a retry of a callback nobody understands, and a Losant answer that was lost. Each through
 * the real service, the Losant simulator and a real SMTP server.
 */

const auth = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
const RANGE = { start: '2026-01-01T00:00:00Z', end: '2026-01-08T00:00:00Z' };

const messagesFor = (smtp: TestSmtpServer, id: string) => smtp.messages.filter((message) => message.parsed.messageId === `<report-${id}@report-relay>`);
const archivedPath = (record: ReportRecord): string => record.archive!.csv.location.replace(/^file:/u, '');
const statusesOf = (record: ReportRecord) => record.history.map((entry) => entry.status);

/** One report job at a time per instance, as on Losant: wait for the previous one. */
async function previousJobDone(sim: Simulator): Promise<void> {
  const previous = sim.jobs.at(-1);
  if (previous) await sim.waitForJob(previous.jobId, 20_000);
}

function simConnection(sim: Simulator): Record<string, string> {
  return { LOSANT_API_URL: sim.url, LOSANT_API_TOKEN: sim.token, LOSANT_INSTANCE_ID: sim.instanceId };
}

/** Sums of every column whose cells are all plain numbers, over the rows of one CSV (header excluded). */
function columnSums(rows: ReadonlyArray<Record<string, string>>): Map<string, number> {
  const sums = new Map<string, number>();
  const [first] = rows;
  for (const column of Object.keys(first ?? {})) {
    const cells = rows.map((row) => row[column] ?? '').filter((cell) => cell !== '');
    if (cells.length > 0 && cells.every((cell) => /^-?\d+(?:\.\d+)?$/u.test(cell))) {
      sums.set(
        column,
        cells.reduce((sum, cell) => sum + Number(cell), 0),
      );
    }
  }
  return sums;
}

describe('a callback that names several download URLs', () => {
  let sim: Simulator;
  let smtp: TestSmtpServer;
  let service: RunningService;

  before(async () => {
    sim = await startSimulator({ reportDelayMs: 20, callbackShape: 'json-parts' });
    smtp = await startTestSmtpServer();
    service = await startService({ name: 'paths-parts', env: { ...simConnection(sim), SMTP_URL: smtp.url } });
  });
  after(async () => {
    await service.stop();
    await smtp.close();
    await sim.close();
  });

  test('the parts are merged in order into one report: totals of all parts, one archived CSV with one header, one email', async () => {
    const created = await request(service.url)
      .post('/admin/reports')
      .set(auth)
      .send({ ...RANGE, recipients: ['ops@example.com'] });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const id = created.body.report.id as string;
    const record = await service.waitForStatus(id, ['delivered', 'failed', 'unrecognized']);
    assert.equal(record.status, 'delivered', JSON.stringify(record.error));

    // The parts as Losant (the simulator) serves them, read here apart from the service.
    const job = sim.jobs.find((entry) => entry.jobId === record.losant.jobId);
    const urls = job?.downloadUrls ?? [];
    assert.equal(urls.length, DOWNLOAD_PARTS);
    const parts = await Promise.all(urls.map(async (url) => (await fetch(url)).text()));
    const partRows = parts.map((part) => parse<Record<string, string>>(part, { columns: true }));
    for (const rows of partRows) assert.ok(rows.length > 0, 'every part has rows of its own');
    assert.equal(record.interpretation?.kind, 'download');
    assert.equal(record.interpretation.urlCount, DOWNLOAD_PARTS);
    assert.equal(record.download?.sources, DOWNLOAD_PARTS);

    // The summary counts every part: its rows and totals are the sums of the parts'.
    const summary = record.summary!;
    assert.equal(
      summary.rows,
      partRows.reduce((sum, rows) => sum + rows.length, 0),
    );
    assert.equal(summary.rows, job?.rows);
    const perPart = partRows.map(columnSums);
    for (const column of ['payloadBillableCount', 'deviceCount', 'notebookMinutesCount']) assert.ok(column in summary.totals, `${column} is totalled`);
    for (const [column, total] of Object.entries(summary.totals)) {
      const expected = perPart.reduce((sum, sums) => sum + (sums.get(column) ?? Number.NaN), 0);
      assert.ok(Math.abs(total - expected) < 1e-6, `${column}: the summary says ${total}, the parts add up to ${expected}`);
    }
    assert.ok(
      perPart.every((sums) => (sums.get('payloadBillableCount') ?? 0) > 0),
      'each part adds to the totals',
    );

    // One archived report.csv: the first part whole, then each later part without its header line.
    const header = parts[0]!.slice(0, parts[0]!.indexOf('\n'));
    const merged = parts.map((part, index) => (index === 0 ? part : part.slice(part.indexOf('\n') + 1))).join('');
    const archived = await readFile(archivedPath(record), 'utf8');
    assert.equal(archived, merged);
    assert.equal(archived.split('\n').filter((line) => line === header).length, 1, 'the header is there once');
    assert.deepEqual(parse(archived, { columns: true }), partRows.flat(), 'rows of part 1, then part 2, then part 3');
    assert.deepEqual((await readdir(dirname(archivedPath(record)))).sort(), ['report.csv', 'summary.json']);
    assert.equal(statusesOf(record).filter((status) => status === 'archived').length, 1);
    assert.equal(record.download?.sha256, record.archive?.csv.sha256);

    // One email, with the merged report attached (formula-neutralized, as every attachment).
    const [message, ...more] = messagesFor(smtp, id);
    assert.equal(more.length, 0, 'one email');
    const expectedAttachment = await text(neutralizeCsv(Readable.from([Buffer.from(merged)]), { maxColumns: 2_000, maxFieldBytes: 1024 * 1024 }));
    assert.equal(message?.parsed.attachments.find((attachment) => attachment.contentType !== 'image/png')?.content.toString('utf8'), expectedAttachment);
    assert.equal(record.emailAttempts, 1);
  });
});

/** A worker process as the Procfile's `worker:` line runs it, on the web side's Redis prefix and data folder. */
async function startWorker(config: Readonly<Config>): Promise<Service> {
  const worker = await createService({ config, role: 'worker', overrides: { logger: silentLogger() }, maintenanceIntervalMs: 500 });
  await worker.start();
  return worker;
}

describe('a retry of an unrecognized report', () => {
  let admin: AdminService;
  let worker: Service | null = null;

  before(async () => {
    // Web and worker apart, as deployed: the worker can be stopped while the web side takes the retry.
    admin = await startAdminService('paths-retry');
    worker = await startWorker(admin.service.config);
  });
  after(async () => {
    await worker?.close();
    await admin.close();
  });

  test('interprets the kept callback body again: a second run that ends unrecognized too, started once however often it is asked', async () => {
    const { sim, service } = admin;
    const created = await request(service.url).post('/admin/reports').set(auth).send({ email: false });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const id = created.body.report.id as string;
    // The simulator queues the job but does not call back: the test sends the only callback.
    const { callbackUrl } = sim.requests.filter((entry) => entry.action === 'generateReport').at(-1)!.body as { callbackUrl: string };
    const body = '{"hello":"world","count":2}';
    const sent = await fetch(callbackUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    assert.equal(sent.status, 202);

    const first = await service.waitForStatus(id, ['unrecognized', 'delivered', 'failed']);
    assert.equal(first.status, 'unrecognized');
    assert.equal(first.error?.code, 'callback_unrecognized');
    assert.equal(first.interpretation?.reason, 'no download URL, inline CSV or error found (top-level keys: hello, count)');
    assert.equal(first.runs, 1);

    // No worker: the re-run stays queued, so a second retry meets it in the pipeline.
    await worker?.close();
    worker = null;
    const retry = await request(service.url).post(`/admin/reports/${id}/retry`).set(auth);
    assert.equal(retry.status, 202, JSON.stringify(retry.body));
    assert.equal(retry.body.started, true);
    assert.equal(retry.body.report.status, 'callback_received');
    assert.equal(retry.body.report.error, null, "the first run's error is cleared");
    const again = await request(service.url).post(`/admin/reports/${id}/retry`).set(auth);
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.started, false);
    assert.equal(again.body.report.status, 'callback_received');
    // The retry queued run 2 itself (no worker, so no reconciler, is running); the second retry queued nothing.
    assert.equal((await service.queue.runState(id, 2)).state, 'waiting');
    assert.equal((await service.queue.runState(id, 3)).state, 'missing');

    worker = await startWorker(service.config);
    const second = await service.waitForStatus(id, ['unrecognized', 'delivered', 'failed']);
    assert.equal(second.status, 'unrecognized');
    assert.equal(second.runs, 2, 'one re-run, not two');
    assert.deepEqual(statusesOf(second), ['requested', 'accepted', 'callback_received', 'unrecognized', 'callback_received', 'unrecognized']);
    const [retried, ended] = second.history.slice(-2) as [HistoryEntry, HistoryEntry];
    assert.equal(retried.note, 're-run 2 requested by an operator');
    assert.equal(ended.note, first.history.at(-1)?.note, 'the second run interpreted the same body the same way');
    assert.ok(ended.at > retried.at, 'the second unrecognized comes after the retry');
    assert.ok(second.error!.at > first.error.at, "the error is the second run's");
    assert.deepEqual(second.interpretation, first.interpretation);
    // The same body is kept, unchanged, for the next attempt; nothing was downloaded.
    const kept = await request(service.url).get(`/admin/reports/${id}/callback`).set(auth).buffer(true);
    assert.equal(kept.status, 200);
    assert.equal(Buffer.from(kept.body as Buffer).toString('utf8'), body);
    assert.equal(second.callback?.sha256, first.callback?.sha256);
    assert.equal(sim.requests.filter((entry) => entry.path.startsWith('/downloads/')).length, 0);
  });
});

describe('a Losant answer that was lost (losant_outcome_unknown)', () => {
  const TIMEOUT_MS = 500;
  let sim: Simulator;
  let smtp: TestSmtpServer;
  let service: RunningService;

  before(async () => {
    sim = await startSimulator({ reportDelayMs: 20 });
    smtp = await startTestSmtpServer();
    // Every POST /admin/reports here meets an injected fault, so a short attempt timeout is safe.
    service = await startService({
      name: 'paths-lost',
      env: { ...simConnection(sim), SMTP_URL: smtp.url, LOSANT_TIMEOUT_MS: String(TIMEOUT_MS), CALLBACK_OVERDUE_MS: '1500' },
    });
  });
  after(async () => {
    await service.stop();
    await smtp.close();
    await sim.close();
  });

  /** POST /admin/reports while the fault is in place: the answer must be 504, with the report still waiting for its callback. */
  async function requestWithLostAnswer(): Promise<string> {
    await previousJobDone(sim);
    const asked = sim.requests.filter((entry) => entry.action === 'generateReport').length;
    const answer = await request(service.url)
      .post('/admin/reports')
      .set(auth)
      .send({ ...RANGE, recipients: ['ops@example.com'] });
    assert.equal(answer.status, 504, JSON.stringify(answer.body));
    assert.equal(answer.body.error.code, 'losant_outcome_unknown');
    assert.match(answer.body.error.message, /may or may not have been queued/u);
    assert.equal(sim.requests.filter((entry) => entry.action === 'generateReport').length, asked + 1, 'generateReport is not sent again');
    const report = answer.body.report as { id: string; status: string; error: unknown; losant: { jobId: string | null }; history: Array<{ note?: string }> };
    assert.equal(report.status, 'requested', 'not failed: the report waits for its callback');
    assert.equal(report.error, null);
    assert.equal(report.losant.jobId, null);
    assert.match(report.history.at(-1)?.note ?? '', /answer was lost .*waiting for a callback until the overdue deadline/u);
    // Nothing to re-run before a callback comes: asking again is a new request.
    const retry = await request(service.url).post(`/admin/reports/${report.id}/retry`).set(auth);
    assert.equal(retry.status, 409, JSON.stringify(retry.body));
    return report.id;
  }

  test('no answer in LOSANT_TIMEOUT_MS although Losant queued the job: 504, and the callback that comes is delivered', async () => {
    // Losant takes the request, but answers long after the attempt timed out; the job runs anyway.
    sim.injectFaults({ action: 'generateReport', status: 200, delayMs: 5 * TIMEOUT_MS, count: 1 });
    const jobsBefore = sim.jobs.length;
    const id = await requestWithLostAnswer();

    const record = await service.waitForStatus(id, ['delivered', 'failed', 'unrecognized']);
    assert.equal(record.status, 'delivered', JSON.stringify(record.error));
    const job = sim.jobs[jobsBefore];
    assert.ok(job, 'Losant queued the job after all');
    assert.equal(sim.jobs.length, jobsBefore + 1);
    assert.equal(record.losant.jobId, job.jobId, "the job id is learned from the callback's body");
    assert.equal(record.summary?.rows, job.rows);
    // Whether the overdue deadline passed before the callback came does not matter here (see the next test).
    assert.deepEqual(
      statusesOf(record).filter((status, i, all) => status !== 'overdue' && all.indexOf(status) === i),
      ['requested', 'callback_received', 'downloaded', 'archived', 'summarized', 'emailed', 'delivered'],
    );
    // The test server keeps a message before it answers 250, so a delivered report's email is there.
    assert.equal(messagesFor(smtp, id).length, 1);
  });

  test('the connection dropped after the request was sent: 504, overdue when no callback comes, and a callback that then arrives is delivered', async () => {
    sim.injectFaults({ action: 'generateReport', status: 0, count: 1 });
    const jobsBefore = sim.jobs.length;
    const id = await requestWithLostAnswer();
    assert.equal(sim.jobs.length, jobsBefore, 'this time Losant queued nothing');
    // Still waiting for its callback: the overdue deadline applies, as to any report awaiting one.
    const overdue = await service.waitForStatus(id, ['overdue', 'failed'], 20_000);
    assert.equal(overdue.status, 'overdue');

    // The callback Losant would have sent had it queued the job: the CSV itself, on the report's URL.
    const { callbackUrl } = sim.requests.filter((entry) => entry.action === 'generateReport').at(-1)!.body as { callbackUrl: string };
    const csv = await text(sim.buildReportCsv(RANGE));
    const sent = await fetch(callbackUrl, { method: 'POST', headers: { 'Content-Type': 'text/csv; charset=utf-8' }, body: csv });
    assert.equal(sent.status, 202);
    const record = await service.waitForStatus(id, ['delivered', 'failed', 'unrecognized']);
    assert.equal(record.status, 'delivered', JSON.stringify(record.error));
    assert.equal(record.interpretation?.kind, 'inline');
    assert.deepEqual(
      statusesOf(record).filter((status, i, all) => all.indexOf(status) === i),
      ['requested', 'overdue', 'callback_received', 'downloaded', 'archived', 'summarized', 'emailed', 'delivered'],
    );
    assert.equal(record.summary?.rows, parse(csv).length - 1);
    assert.equal(messagesFor(smtp, id).length, 1);
  });
});
