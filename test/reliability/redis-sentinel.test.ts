import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { startService, type RunningService } from '../helpers/service.js';
import { startTestSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { startSentinelSet, type SentinelSet } from './helpers/redis-sentinel.js';

/**
 * The whole pipeline with REDIS_URL naming a Sentinel set (a master, a replica, three
 * sentinels, all real redis-server processes): a report is delivered; after a failover the
 * service follows the new master and the next report is delivered too.
 */

let sentinel: SentinelSet;
let sim: Simulator;
let smtp: TestSmtpServer;
let service: RunningService;
const auth = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

async function deliverOne(): Promise<string> {
  const previous = sim.jobs.at(-1);
  if (previous) await sim.waitForJob(previous.jobId, 20_000);
  // The admin request may meet the moment the master changes: try again until it is accepted.
  let response: request.Response | null = null;
  for (let attempt = 0; attempt < 50 && response?.status !== 202; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 200));
    response = await request(service.url)
      .post('/admin/reports')
      .set(auth)
      .send({ start: '2026-01-01T00:00:00Z', end: '2026-01-03T00:00:00Z', recipients: ['ops@example.com'] });
  }
  assert.equal(response?.status, 202, JSON.stringify(response?.body));
  const id = response.body.report.id as string;
  const record = await service.waitForStatus(id, ['delivered', 'failed'], 60_000);
  assert.equal(record.status, 'delivered', JSON.stringify(record.error));
  return id;
}

describe('Redis through Sentinel', () => {
  before(async () => {
    sentinel = await startSentinelSet();
    sim = await startSimulator({ reportDelayMs: 20 });
    smtp = await startTestSmtpServer();
    service = await startService({
      name: 'sentinel',
      env: {
        REDIS_URL: sentinel.url,
        LOSANT_API_URL: sim.url,
        LOSANT_API_TOKEN: sim.token,
        LOSANT_INSTANCE_ID: sim.instanceId,
        SMTP_URL: smtp.url,
        JOB_ATTEMPTS: '5',
        JOB_BACKOFF_MS: '200',
      },
    });
  });
  after(async () => {
    await service?.stop();
    await smtp?.close();
    await sim?.close();
    await sentinel?.close();
  });

  test('a report is delivered, and after a failover the next one too', async () => {
    const first = await deliverOne();
    const oldMaster = await sentinel.masterPort();
    const newMaster = await sentinel.failover();
    assert.notEqual(newMaster, oldMaster);
    const second = await deliverOne();
    const messages = await smtp.waitForMessages(2);
    const ids = messages.map((message) => message.parsed.headers.get('x-report-id'));
    assert.deepEqual(ids.sort(), [first, second].sort());
  });
});
