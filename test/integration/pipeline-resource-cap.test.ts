import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import type { ReportView } from '../../src/http/contract/report-view.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { startService, type RunningService } from '../helpers/service.js';
import { startTestSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';

// The simulator's week has 6 organizations with a row per day: a cap of 3 leaves the rows of 3 out.
const CAP = 3;
const auth = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
const RANGE = { start: '2026-01-01T00:00:00Z', end: '2026-01-08T00:00:00Z' };

interface CsvRow {
  resourceId: string;
  payloadBillableCount: string;
}

/** What a capped summary of `rows` must say, from the CSV itself: the first CAP distinct resources in file order are tracked. */
function expectedFrom(rows: readonly CsvRow[]) {
  const tracked = new Set<string>();
  let untrackedRows = 0;
  let payloads = 0;
  for (const row of rows) {
    payloads += Number(row.payloadBillableCount);
    if (tracked.has(row.resourceId)) continue;
    if (tracked.size < CAP) tracked.add(row.resourceId);
    else untrackedRows += 1;
  }
  return { tracked, untrackedRows, payloads };
}

describe('a report past the resource cap, end to end', () => {
  let sim: Simulator;
  let smtp: TestSmtpServer;
  let service: RunningService;

  before(async () => {
    sim = await startSimulator({ reportDelayMs: 20 });
    smtp = await startTestSmtpServer();
    service = await startService({
      name: 'resource-cap',
      env: { LOSANT_API_URL: sim.url, LOSANT_API_TOKEN: sim.token, LOSANT_INSTANCE_ID: sim.instanceId, SMTP_URL: smtp.url },
      overrides: { summaryOptions: { maxResources: CAP } },
    });
  });
  after(async () => {
    // stop() throws when an admin answer broke the contract: the servers close all the same.
    try {
      await service.stop();
    } finally {
      await smtp.close();
      await sim.close();
    }
  });

  test('the admin API and the email say how many rows are in the totals only, and the totals hold them', async () => {
    const created = await request(service.url)
      .post('/admin/reports')
      .set(auth)
      .send({ ...RANGE, resourceGroupBy: 'organization', dateGroupBy: 'day', recipients: ['ops@example.com'] });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const id = created.body.report.id as string;
    const record = await service.waitForStatus(id, ['delivered', 'failed', 'unrecognized']);
    assert.equal(record.status, 'delivered', JSON.stringify(record.error));

    const csvPath = fileURLToPath(new URL(record.archive!.csv.location.replace(/^file:/u, 'file://')));
    // With `columns: true` each row is an object keyed by the header, which has these columns.
    const rows = parse<CsvRow>(await readFile(csvPath), { columns: true });
    const expected = expectedFrom(rows);
    assert.ok(expected.untrackedRows > 0, 'the report names more resources than the cap');

    const answer = await request(service.url).get(`/admin/reports/${id}`).set(auth);
    assert.equal(answer.status, 200);
    const summary = (answer.body as { report: ReportView }).report.summary;
    assert.ok(summary);
    assert.equal(summary.resourcesCapped, expected.untrackedRows);
    assert.equal(summary.resourceCount, CAP);
    assert.equal(summary.rows, rows.length);
    assert.equal(summary.totals.payloadBillableCount, expected.payloads, 'the totals count every row');
    for (const list of summary.top) for (const entry of list.entries) assert.ok(expected.tracked.has(entry.id), `${entry.id} is among the tracked resources`);
    assert.deepEqual(service.answers.violations, []);

    const message = (await smtp.waitForMessages(1))[0];
    assert.ok(message);
    const sentence =
      `This report names more than ${CAP} organizations; the ${expected.untrackedRows.toLocaleString('en-US')} rows of organizations past the first ${CAP} ` +
      'were counted in the totals only, not in the number of organizations or the top lists.';
    assert.ok((message.parsed.text ?? '').replace(/\s+/gu, ' ').includes(sentence), 'the text part says it');
    assert.ok(String(message.parsed.html).includes(sentence), 'the HTML part says it');
    assert.ok(record.history.some((entry) => (entry.note ?? '').includes(`${expected.untrackedRows} rows past the resource cap`)));
  });
});
