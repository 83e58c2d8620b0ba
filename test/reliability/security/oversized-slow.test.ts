import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import type { ReportRecord } from '../../../src/reports/record.js';
import { startTestSmtpServer, type TestSmtpServer } from '../../helpers/smtp.js';
import { expectHealthy, rawRequest, startFileServer, startHarness, urlCallback, type FileServer, type Harness, type Route } from './harness.js';
import { bigCsv, gzipBomb, hugeField, served, silence, trickle, wideCsv, type Served } from './hostile-files.js';

/*
 * Item 11, behaviour: an oversized, compressed-bomb, slow or absurdly shaped report fails THAT
 * report with a clear reason in bounded time, and the service goes on serving: a normal report
 * sent right after is delivered. Peak memory for the worst of these is measured in
 * memory-bound.test.ts. Unit-level coverage of the same limits: test/unit/download-body-writer.test.ts,
 * test/integration/download-downloader.test.ts, test/unit/csv-limits.test.ts.
 */

const MAX_BYTES = 16 * 1024 * 1024;
const IDLE_MS = 1_200;
const TOTAL_MS = 2_000;
const GOOD_CSV = 'resourceType,resourceId,resourceName,deviceCount\norganization,o1,Acme,3\n';

let harness: Harness;
let files: FileServer;
let smtp: TestSmtpServer;

async function failedReport(route: Route, path: string): Promise<ReportRecord> {
  files.route(path, route);
  const report = await harness.newReport();
  assert.equal((await rawRequest(report.callbackUrl, urlCallback(`${files.url}${path}`))).status, 202);
  return harness.service.waitForStatus(report.id, ['delivered', 'failed', 'unrecognized'], 20_000);
}

/** The service still works: health answers and a normal report sent now is delivered by email. */
async function expectStillServing(): Promise<void> {
  await expectHealthy(harness.service);
  const before = smtp.messages.length;
  const report = await harness.newReport({ recipients: ['ops@example.com'] });
  assert.equal((await rawRequest(report.callbackUrl, { headers: { 'content-type': 'text/csv' }, body: GOOD_CSV })).status, 202);
  const record = await harness.service.waitForStatus(report.id, ['delivered', 'failed', 'unrecognized']);
  assert.equal(record.status, 'delivered', JSON.stringify(record.error));
  await smtp.waitForMessages(before + 1);
}

function expectFailure(record: ReportRecord, step: string, code: string, message: RegExp): void {
  assert.equal(record.status, 'failed', JSON.stringify(record.error));
  assert.equal(record.error?.step, step);
  assert.equal(record.error?.code, code, record.error?.message);
  assert.match(record.error?.message ?? '', message, record.error?.message);
}

describe('oversized and slow reports', () => {
  before(async () => {
    smtp = await startTestSmtpServer();
    files = await startFileServer();
    harness = await startHarness({
      name: 'sec-oversized',
      env: {
        SMTP_URL: smtp.url,
        CALLBACK_MAX_BYTES: '65536',
        DOWNLOAD_MAX_BYTES: String(MAX_BYTES),
        DOWNLOAD_IDLE_TIMEOUT_MS: String(IDLE_MS),
        DOWNLOAD_TIMEOUT_MS: String(TOTAL_MS),
        JOB_ATTEMPTS: '2',
      },
    });
  });
  after(async () => {
    await harness.close();
    await files.close();
    await smtp.close();
  });

  test('a callback body over CALLBACK_MAX_BYTES, plain or as a gzip that inflates past it, gets 413; the report then takes a normal one', async () => {
    const report = await harness.newReport();
    const plain = await rawRequest(report.callbackUrl, { headers: { 'content-type': 'text/csv' }, body: Buffer.alloc(200_000, 0x61) });
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x61));
    assert.ok(bomb.length < 65_536, 'the compressed body itself is under the limit');
    const inflating = await rawRequest(report.callbackUrl, { headers: { 'content-type': 'text/csv', 'content-encoding': 'gzip' }, body: bomb });
    for (const response of [plain, inflating]) {
      assert.equal(response.status, 413);
      assert.equal(JSON.parse(response.body.toString('utf8')).error.code, 'payload_too_large');
    }
    assert.equal((await harness.service.store.get(report.id))?.status, 'accepted', 'nothing was stored');
    assert.equal((await rawRequest(report.callbackUrl, { headers: { 'content-type': 'text/csv' }, body: GOOD_CSV })).status, 202);
    assert.equal((await harness.service.waitForStatus(report.id, ['delivered', 'failed'])).status, 'delivered');
  });

  const tooLarge: Array<[string, (s: Served) => Route, string]> = [
    ['a CSV that announces 200 MB', (s) => bigCsv(s, { totalBytes: 200 * 1024 * 1024, announce: true }), '/announced.csv'],
    ['an endless CSV without Content-Length', (s) => bigCsv(s), '/endless.csv'],
    // Endless: 8 KB on the wire per 8 MiB decoded, until the service hangs up.
    ['an endless gzip bomb sent as Content-Encoding', (s) => gzipBomb(s, { members: Number.POSITIVE_INFINITY, as: 'content-encoding' }), '/bomb.csv'],
    ['an endless gzip bomb sent as a .gz file', (s) => gzipBomb(s, { members: Number.POSITIVE_INFINITY, as: 'file' }), '/bomb.csv.gz'],
  ];
  for (const [name, make, path] of tooLarge) {
    test(`${name} fails its report as too large at DOWNLOAD_MAX_BYTES, at once, and the service keeps serving`, async () => {
      const stats = served();
      const record = await failedReport(make(stats), path);
      expectFailure(record, 'download', 'download_too_large', /DOWNLOAD_MAX_BYTES/u);
      assert.equal(record.error?.permanent, true);
      assert.ok(stats.cutOff, 'the service hung up before the file ended');
      assert.ok(stats.bytes < MAX_BYTES + 32 * 1024 * 1024, `bytes sent before the hang-up: ${stats.bytes}`);
      await expectStillServing();
    });
  }

  test('a server sending one byte a second, and one that never answers, fail their reports within the timeouts', async () => {
    const slow = served();
    const mute = served();
    const started = Date.now();
    const [trickled, silent] = await Promise.all([failedReport(trickle(slow, 1_000), '/trickle.csv'), failedReport(silence(mute), '/silent.csv')]);
    const elapsed = Date.now() - started;
    expectFailure(trickled, 'download', 'download_timeout', /DOWNLOAD_TIMEOUT_MS/u);
    expectFailure(silent, 'download', 'download_timeout', /no response within 1200 ms|DOWNLOAD_TIMEOUT_MS/u);
    // Two job attempts of at most DOWNLOAD_TIMEOUT_MS each, plus backoff and bookkeeping.
    assert.ok(elapsed < 2 * TOTAL_MS + 5_000, `took ${elapsed} ms`);
    assert.ok(slow.cutOff && mute.cutOff, 'both connections were closed by the service');
    assert.ok(slow.bytes <= Math.ceil((2 * TOTAL_MS) / 1_000) + 2, `trickled bytes: ${slow.bytes}`);
    await expectStillServing();
  });

  test('a 10 MB single field fails its report at parsing with the line number', async () => {
    const record = await failedReport(hugeField(served(), 10 * 1024 * 1024), '/field.csv');
    expectFailure(record, 'parse', 'csv_field_too_large', /A field starting on line 2 is larger than 1048576 bytes/u);
    assert.equal(record.error?.permanent, true);
    await expectStillServing();
  });

  test('100,000 columns fail their report at parsing with the exact count', async () => {
    const record = await failedReport(wideCsv(served(), 100_000, 3), '/wide.csv');
    expectFailure(record, 'parse', 'csv_too_many_columns', /100000 columns on line 1; at most 2000/u);
    assert.equal(record.error?.permanent, true);
    await expectStillServing();
  });
});
