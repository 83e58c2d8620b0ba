import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { startCsvServer, type CsvServer } from '../reliability/helpers/csv-server.js';
import { createAwaitingReport } from '../helpers/reports.js';
import { startService, type RunningService } from '../helpers/service.js';

/** DOWNLOAD_MAX_BYTES caps a report, not each of its parts: a callback may name many URLs. */

const ROW = 'organization,o1,Acme,3\n';
const PART = Buffer.from(`resourceType,resourceId,resourceName,deviceCount\n${ROW.repeat(200)}`);
let csv: CsvServer;
let service: RunningService;

describe('the download limit over a report of several parts', () => {
  before(async () => {
    csv = await startCsvServer(PART);
    // Each part fits the limit; two of them do not.
    service = await startService({ name: 'download-total', env: { DOWNLOAD_MAX_BYTES: String(Math.floor(PART.length * 1.5)) } });
  });
  after(async () => {
    await service.stop();
    await csv.close();
  });

  test('three parts that each fit but together exceed DOWNLOAD_MAX_BYTES fail the report as too large', async () => {
    const report = await createAwaitingReport(service.store, service.url);
    const urls = [1, 2, 3].map((n) => `${csv.url}?part=${n}`);
    const answer = await request(service.url).post(report.path).set('Content-Type', 'application/json').send(JSON.stringify({ urls }));
    assert.equal(answer.status, 202, answer.text);
    const record = await service.waitForStatus(report.id, ['failed', 'delivered']);
    assert.equal(record.status, 'failed');
    assert.equal(record.error?.code, 'download_too_large');
    assert.match(record.error?.message ?? '', /DOWNLOAD_MAX_BYTES/u);
  });

  test('one part within the limit is delivered', async () => {
    const report = await createAwaitingReport(service.store, service.url);
    const answer = await request(service.url)
      .post(report.path)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ url: csv.url }));
    assert.equal(answer.status, 202);
    assert.equal((await service.waitForStatus(report.id, ['failed', 'delivered'])).status, 'delivered');
  });
});
