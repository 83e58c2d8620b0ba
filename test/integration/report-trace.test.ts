import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { captureLogger } from '../helpers/logger.js';
import { startService, type RunningService } from '../helpers/service.js';
import { startTestSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';

/**
 * One report followed through the logs of both sides: the admin request that asked for it, the
 * callback that started its job, and the worker's lines for that job, which carry the callback
 * request's id (README, Operating: following a report).
 */

interface LogLine {
  msg: string;
  reportId?: string;
  requestId?: string;
  jobId?: string;
  path?: string;
  method?: string;
}

let sim: Simulator;
let smtp: TestSmtpServer;
let service: RunningService;
const logs = captureLogger('debug');
const auth = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
const parsed = (): LogLine[] => logs.lines.map((line) => JSON.parse(line) as LogLine);

/** The job's last line comes after the status it waits for (the job still tidies up): waits for it. */
async function waitForLine(matches: (line: LogLine) => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!parsed().some(matches)) {
    if (Date.now() > deadline) assert.fail(`no log line ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a report traced through the logs', () => {
  before(async () => {
    sim = await startSimulator({ reportDelayMs: 20 });
    smtp = await startTestSmtpServer();
    service = await startService({
      name: 'trace',
      logger: logs.logger,
      env: { LOSANT_API_URL: sim.url, LOSANT_API_TOKEN: sim.token, LOSANT_INSTANCE_ID: sim.instanceId, SMTP_URL: smtp.url },
    });
  });
  after(async () => {
    await service.stop();
    await smtp.close();
    await sim.close();
  });

  test("the worker's lines for a job carry the report id and the id of the callback request that started it", async () => {
    const asked = await request(service.url)
      .post('/admin/reports')
      .set(auth)
      .set('X-Request-Id', 'admin-request-1')
      .send({ start: '2026-01-01T00:00:00Z', end: '2026-01-03T00:00:00Z', recipients: ['ops@example.com'] });
    assert.equal(asked.status, 202, asked.text);
    const reportId = asked.body.report.id as string;
    const record = await service.waitForStatus(reportId, ['delivered', 'failed', 'unrecognized']);
    assert.equal(record.status, 'delivered', JSON.stringify(record.error));
    await waitForLine((line) => line.msg === 'report delivered' && line.reportId === reportId, `"report delivered" for ${reportId}`);

    const lines = parsed();
    const requested = lines.find((line) => line.msg === 'report requested from Losant');
    assert.deepEqual([requested?.reportId, requested?.requestId], [reportId, 'admin-request-1'], 'the admin request is named');

    const callback = lines.find((line) => line.msg === 'request' && line.method === 'POST' && line.path?.startsWith(`/callbacks/r/${reportId}/`) === true);
    const callbackRequestId = callback?.requestId;
    assert.ok(callbackRequestId, 'the callback request was logged with its id');
    assert.notEqual(callbackRequestId, 'admin-request-1');

    const jobLines = lines.filter((line) => line.jobId !== undefined && line.reportId === reportId);
    const messages = jobLines.map((line) => line.msg);
    for (const expected of ['processing report', 'download finished', 'email sent', 'report delivered'])
      assert.ok(messages.includes(expected), `the job logged "${expected}" as its own: ${messages.join(', ')}`);
    assert.deepEqual(
      jobLines.filter((line) => line.requestId !== callbackRequestId).map((line) => line.msg),
      [],
      "every line of the job names the callback's request",
    );
  });
});
