import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { Simulator } from '../../src/sim/index.js';
import { uniquePrefix } from '../helpers/redis.js';
import type { CsvServer } from './helpers/csv-server.js';
import type { ServiceProcess } from './helpers/processes.js';
import { archiveFiles, emailAttempts, notesMatching, reportCallingBack, requestAwaitingReport, waitForReport } from './helpers/reports.js';
import { startSpawnedService, type SpawnedService } from './helpers/spawned-service.js';
import { mailsForReport, startStallSmtpServer, type StallSmtpServer } from './helpers/stall-smtp.js';

/**
 * Guarantee 2: a worker killed with SIGKILL at any point of a report loses nothing and repeats
 * no completed effect. Real compiled processes (Procfile's web and worker); JOB_LOCK_MS=2000 so
 * that the next worker takes the killed worker's job over after about two seconds.
 */

const LOCK_MS = 2_000;
const OVERDUE_MS = 1_000;
const prefix = uniquePrefix('rel-crash');
let service: SpawnedService;
let sim: Simulator;
let smtp: StallSmtpServer;
let csv: CsvServer;
let worker: ServiceProcess;
let baseUrl: string;
let dataDir: string;

/** Kills the worker with SIGKILL, starts another, and waits for the report to end. Returns the takeover time. */
async function killAndRecover(id: string): Promise<{ record: Awaited<ReturnType<typeof waitForReport>>; recoveryMs: number }> {
  const killedAt = Date.now();
  const exit = await worker.kill();
  assert.equal(exit.signal, 'SIGKILL');
  worker = await service.startWorker();
  const record = await waitForReport(baseUrl, id, ['delivered', 'failed'], 20_000);
  return { record, recoveryMs: Date.now() - killedAt };
}

describe('a worker killed with SIGKILL', () => {
  before(async () => {
    smtp = await startStallSmtpServer();
    service = await startSpawnedService({
      prefix,
      csvPeriod: { start: '2026-01-01T00:00:00Z', end: '2026-01-04T00:00:00Z' },
      smtpUrl: smtp.url,
      extra: { JOB_LOCK_MS: String(LOCK_MS), WORKER_CONCURRENCY: '1', JOB_ATTEMPTS: '3', CALLBACK_OVERDUE_MS: String(OVERDUE_MS) },
    });
    ({ sim, csv, baseUrl, dataDir } = service);
    await service.startWeb();
    worker = await service.startWorker();
  });
  after(async () => {
    await service?.close();
    await smtp?.close();
  });

  test('during the download: the next worker downloads again and delivers once', async (t: TestContext) => {
    csv.stallNext();
    const before = csv.requests;
    const id = await reportCallingBack(baseUrl, sim, csv.url);
    await csv.waitForRequest(before + 1);

    const { record, recoveryMs } = await killAndRecover(id);
    assert.equal(record.status, 'delivered', JSON.stringify(record.error));
    assert.equal(csv.requests, before + 2, 'the interrupted download was made again, once');
    assert.deepEqual(
      archiveFiles(dataDir, id)
        .map((path) => basename(path))
        .sort(),
      ['report.csv', 'summary.json'],
    );
    assert.equal(notesMatching(record, /^CSV archived at /u), 1);
    assert.equal(mailsForReport(smtp.received, id).length, 1, 'one email');
    assert.equal(await emailAttempts(prefix, id), 1);
    t.diagnostic(`kill during download: delivered ${recoveryMs} ms after the kill (JOB_LOCK_MS=${LOCK_MS})`);
  });

  test('after the archive was written: the archive is not written again and one email is sent', async (t: TestContext) => {
    smtp.stallNext('mail');
    const before = csv.requests;
    const id = await reportCallingBack(baseUrl, sim, csv.url);
    await smtp.waitForStall();
    const archivedBefore = archiveFiles(dataDir, id)
      .map((path) => basename(path))
      .sort();
    assert.deepEqual(archivedBefore, ['report.csv', 'summary.json'], 'the worker is in the email step with the archive written');

    const { record, recoveryMs } = await killAndRecover(id);
    assert.equal(record.status, 'delivered', JSON.stringify(record.error));
    assert.equal(csv.requests, before + 1, 'the CSV was not downloaded again');
    assert.deepEqual(
      archiveFiles(dataDir, id)
        .map((path) => basename(path))
        .sort(),
      ['report.csv', 'summary.json'],
    );
    assert.equal(notesMatching(record, /^CSV archived at /u), 1, 'one archived entry');
    assert.equal(record.history.filter((entry) => entry.status === 'summarized' && (entry.note ?? '').startsWith('parsed ')).length, 1, 'parsed once');
    assert.equal(mailsForReport(smtp.received, id).length, 1, 'one email');
    assert.equal(await emailAttempts(prefix, id), 2, 'the interrupted hand-off is visible on the record');
    t.diagnostic(`kill in the email step (before MAIL FROM was answered): delivered ${recoveryMs} ms after the kill`);
  });

  test('during the SMTP DATA exchange: at most two copies, both with the same Message-ID, one acknowledged', async (t: TestContext) => {
    smtp.stallNext('data');
    const id = await reportCallingBack(baseUrl, sim, csv.url);
    await smtp.waitForStall();
    assert.equal(mailsForReport(smtp.received, id).length, 1, 'the server has the whole message but has not answered');

    const { record, recoveryMs } = await killAndRecover(id);
    assert.equal(record.status, 'delivered', JSON.stringify(record.error));
    const mails = mailsForReport(smtp.received, id);
    // SMTP has no idempotent submission: a server may keep a message whose 250 never reached
    // the sender, so the re-sent copy is a true duplicate, recognisable by its Message-ID.
    assert.ok(mails.length >= 1 && mails.length <= 2, `copies: ${mails.length}`);
    assert.ok(mails.every((mail) => mail.messageId === `<report-${id}@report-relay>`));
    assert.equal(mails.filter((mail) => mail.acknowledged).length, 1, 'exactly one hand-off completed');
    assert.equal(await emailAttempts(prefix, id), 2);
    assert.equal(record.email?.messageId, `<report-${id}@report-relay>`);
    assert.deepEqual(
      archiveFiles(dataDir, id)
        .map((path) => basename(path))
        .sort(),
      ['report.csv', 'summary.json'],
    );
    t.diagnostic(`kill after DATA was sent: ${mails.length} copies received, delivered ${recoveryMs} ms after the kill`);
  });

  test('before a callback came: the next worker marks the report overdue once its deadline has passed', async () => {
    // Guarantee 5 at process level (test/integration/pipeline.test.ts covers the periodic check in process).
    const { id } = await requestAwaitingReport(baseUrl, sim, { recipients: ['ops@example.com'] });
    await new Promise((resolve) => setTimeout(resolve, OVERDUE_MS + 200));
    await worker.kill();
    worker = await service.startWorker();
    const record = await waitForReport(baseUrl, id, ['overdue'], 10_000);
    assert.equal(record.history.at(-1)?.note, 'no callback from Losant by the overdue deadline');
  });
});
