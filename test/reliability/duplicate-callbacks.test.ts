import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { captureLogger } from '../helpers/logger.js';
import { startService, type RunningService } from '../helpers/service.js';
import { startTestSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { startCsvServer, type CsvServer } from './helpers/csv-server.js';
import { waitForQueueIdle } from './helpers/queue-idle.js';
import { archiveFiles, notesMatching, readAll, requestAwaitingReport } from './helpers/reports.js';

/**
 * Guarantee 1: Losant (or a proxy, or a retrying client) delivering the same callback many times
 * at once leads to one processing run, one email and one archived CSV, and every sender is
 * told its callback arrived. The whole service runs here, with a worker, against real Redis,
 * a real SMTP server and a real HTTP download.
 */

let sim: Simulator;
let smtp: TestSmtpServer;
let csv: CsvServer;
let service: RunningService;
const logs = captureLogger('info');

describe('50 identical callbacks at once', () => {
  before(async () => {
    sim = await startSimulator({ reportDelayMs: 10, faults: { noCallback: true } });
    smtp = await startTestSmtpServer();
    csv = await startCsvServer(await readAll(sim.buildReportCsv({ start: '2026-01-01T00:00:00Z', end: '2026-01-04T00:00:00Z' })));
    service = await startService({
      name: 'rel-dup',
      logger: logs.logger,
      env: { LOSANT_API_URL: sim.url, LOSANT_API_TOKEN: sim.token, LOSANT_INSTANCE_ID: sim.instanceId, SMTP_URL: smtp.url, WORKER_CONCURRENCY: '4' },
    });
  });
  after(async () => {
    await service?.stop();
    await csv?.close();
    await smtp?.close();
    await sim?.close();
  });

  test('give one processing run, one download, one email, one archived CSV, and a 2xx to every sender', async () => {
    const { id, callbackUrl } = await requestAwaitingReport(service.url, sim, { recipients: ['ops@example.com'] });
    const body = JSON.stringify({ status: 'completed', url: csv.url });

    const responses = await Promise.all(
      Array.from({ length: 50 }, () => fetch(callbackUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })),
    );
    const statuses = responses.map((response) => response.status);
    await Promise.all(responses.map((response) => response.text()));
    assert.ok(
      statuses.every((status) => status >= 200 && status < 300),
      `statuses: ${statuses.join(',')}`,
    );
    assert.equal(statuses.filter((status) => status === 202).length, 1, 'exactly one callback is the one kept');

    const record = await service.waitForStatus(id, ['delivered', 'failed']);
    assert.equal(record.status, 'delivered', JSON.stringify(record.error));
    // Any second job (there must be none) has run once the queue is idle: then the effects are final.
    await waitForQueueIdle(service.queue.queue);

    const processing = logs.lines
      .map((line) => JSON.parse(line) as { msg?: string; reportId?: string })
      .filter((line) => line.reportId === id && line.msg === 'processing report');
    assert.equal(processing.length, 1, 'one processing run');
    assert.equal(csv.requests, 1, 'one download');

    const mails = smtp.messages.filter((message) => message.parsed.messageId === `<report-${id}@report-relay>`);
    assert.equal(mails.length, 1, 'one email with the report Message-ID');
    assert.equal(smtp.attempts, 1, 'one SMTP hand-off');

    const final = (await service.store.get(id))!;
    assert.equal(final.callback?.duplicates, 49);
    assert.equal(final.emailAttempts, 1);
    assert.equal(notesMatching(final, /^CSV archived at /u), 1, 'one "archived" history entry');
    assert.equal(final.history.filter((entry) => entry.status === 'archived').length, 1);
    const files = archiveFiles(service.config.dataDir, id)
      .map((path) => basename(path))
      .sort();
    assert.deepEqual(files, ['report.csv', 'summary.json'], 'one archived CSV (and its summary), no temp files');

    const counts = await service.queue.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
    assert.equal(counts.completed, 1, `one job ran: ${JSON.stringify(counts)}`);
  });
});
