import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { createS3Archive, UPLOAD_PART_BYTES } from '../../src/delivery/s3/s3-archive.js';
import { startCsvServer, type CsvServer } from '../reliability/helpers/csv-server.js';
import { readAll, reportCallingBack } from '../reliability/helpers/reports.js';
import { startS3, type TestS3 } from '../helpers/s3.js';
import { startService, type RunningService } from '../helpers/service.js';
import { startTestSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';

/**
 * The archive's store goes away in the middle of a multipart upload and comes back: the attempt
 * fails as a retryable error, a later one uploads the CSV whole, and one email goes out.
 */

let sim: Simulator;
let smtp: TestSmtpServer;
let s3: TestS3;
let csv: CsvServer;
let service: RunningService;
let content: Buffer;

/** Resolves once s3rver holds a part of a multipart upload: the upload is under way. */
async function waitForUploadedPart(timeoutMs = 60_000): Promise<void> {
  const uploads = join(s3.directory, s3.bucket, '._S3rver_uploads');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ids = await readdir(uploads).catch(() => []);
    for (const id of ids) if ((await readdir(join(uploads, id)).catch(() => [])).some((name) => /^\d+$/u.test(name))) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('no multipart upload started');
}

describe('an S3 archive that goes away mid-upload', () => {
  before(async () => {
    sim = await startSimulator({ reportDelayMs: 10, faults: { noCallback: true } });
    // A real report, repeated to four parts' worth, so the upload has parts in flight to cut.
    const report = await readAll(sim.buildReportCsv({ start: '2026-01-01T00:00:00Z', end: '2026-01-04T00:00:00Z' }));
    const header = report.subarray(0, report.indexOf(0x0a) + 1);
    const rows = report.subarray(header.length);
    const copies = Math.ceil((4 * UPLOAD_PART_BYTES) / rows.length);
    content = Buffer.concat([header, ...Array.from({ length: copies }, () => rows)]);
    csv = await startCsvServer(content);
    smtp = await startTestSmtpServer();
    s3 = await startS3();
    service = await startService({
      name: 's3-outage',
      env: {
        ...s3.env('outage'),
        LOSANT_API_URL: sim.url,
        LOSANT_API_TOKEN: sim.token,
        LOSANT_INSTANCE_ID: sim.instanceId,
        SMTP_URL: smtp.url,
        JOB_ATTEMPTS: '10',
        JOB_BACKOFF_MS: '500',
        // The email need not carry a CSV of this size.
        EMAIL_MAX_ATTACHMENT_BYTES: '1000',
      },
    });
  });
  after(async () => {
    await service.stop();
    await s3.stop();
    await smtp.close();
    await csv.close();
    await sim.close();
  });

  test('the report is archived whole once the store is back, and delivered once', async () => {
    const id = await reportCallingBack(service.url, sim, csv.url);
    await waitForUploadedPart();
    await s3.halt();
    // The attempt fails, as one to retry, at the archive step.
    for (;;) {
      const record = await service.store.get(id);
      assert.notEqual(record?.status, 'failed', JSON.stringify(record?.error));
      if (record?.error?.step === 'archive') {
        assert.equal(record.error.code, 'archive_unavailable');
        assert.equal(record.error.permanent, false);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await s3.start();

    const record = await service.waitForStatus(id, ['delivered', 'failed', 'unrecognized'], 120_000);
    assert.equal(record.status, 'delivered', JSON.stringify(record.error));
    const sha256 = createHash('sha256').update(content).digest('hex');
    assert.equal(record.archive?.csv.sha256, sha256);
    assert.equal(record.archive.csv.bytes, content.length);
    const archive = createS3Archive({ client: s3.client, bucket: s3.bucket, prefix: 'outage', timeoutMs: 5_000 });
    const stored = await readAll(await archive.openRead(record.archive.csv.key));
    assert.equal(createHash('sha256').update(stored).digest('hex'), sha256);
    const mails = (await smtp.waitForMessages(1)).filter((message) => message.parsed.messageId === `<report-${id}@report-relay>`);
    assert.equal(mails.length, 1, 'one email');
  });
});
