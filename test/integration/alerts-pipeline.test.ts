import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import type { Simulator } from '../../src/sim/index.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { startPipeline, type Pipeline } from '../helpers/pipeline.js';
import type { RunningService } from '../helpers/service.js';
import type { TestSmtpServer } from '../helpers/smtp.js';

const auth = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
const OPTIONS = { resourceGroupBy: 'organization', dateGroupBy: 'day', includeSandbox: true } as const;
const RANGE = { start: '2026-11-01T00:00:00.000Z', end: '2026-11-10T23:59:59.999Z' };
const secret = `whsec_${randomBytes(32).toString('base64')}`;

describe('alerts from delivered reports', () => {
  let pipeline: Pipeline;
  let sim: Simulator;
  let smtp: TestSmtpServer;
  let service: RunningService;
  let receiver: Server;
  const hooks: Array<{ headers: IncomingMessage['headers']; body: string }> = [];

  before(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        hooks.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    pipeline = await startPipeline({
      name: 'alerts-pipeline',
      env: (started) => ({
        INSIGHTS_LOSANT_API_TOKEN: started.token,
        LOSANT_MAX_RETRIES: '1',
        ALERT_EMAIL_TO: 'alerts@example.com',
        ALERT_WEBHOOK_URL: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/usage`,
        ALERT_WEBHOOK_SECRET: secret,
        ALERT_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      }),
    });
    ({ sim, smtp, service } = pipeline);
    sim.setFaults({ limitScenario: RANGE, payloadCountsMismatch: null });
  });
  after(async () => {
    await pipeline?.stop();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  async function delivered(): Promise<{ id: string; notes: string[] }> {
    const previous = sim.jobs.at(-1);
    if (previous) await sim.waitForJob(previous.jobId, 20_000);
    const response = await request(service.url)
      .post('/admin/reports')
      .set(auth)
      .send({ ...RANGE, ...OPTIONS, recipients: ['ops@example.com'] });
    assert.equal(response.status, 202, JSON.stringify(response.body));
    const id = response.body.report.id as string;
    const record = await service.waitForStatus(id, ['delivered', 'failed', 'unrecognized']);
    assert.equal(record.status, 'delivered', JSON.stringify(record.error));
    return { id, notes: record.history.map((entry) => entry.note ?? '').filter((note) => note.startsWith('alert ')) };
  }

  test('each finding is alerted once, signed; a second report of the same period sends none, and the outcomes are on the reports', async () => {
    const first = await delivered();
    const sent = first.notes.filter((note) => note.endsWith(')') && note.includes(': sent ('));
    assert.ok(sent.length > 0, `alerts noted on the report: ${JSON.stringify(first.notes)}`);
    assert.equal(hooks.length, sent.length, 'one webhook per alert sent');
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    for (const hook of hooks) {
      const expected = createHmac('sha256', key)
        .update(`${String(hook.headers['webhook-id'])}.${String(hook.headers['webhook-timestamp'])}.${hook.body}`)
        .digest('base64');
      assert.equal(hook.headers['webhook-signature'], `v1,${expected}`);
    }
    const ids = hooks.map((hook) => hook.headers['webhook-id']);
    assert.equal(new Set(ids).size, ids.length, 'every alert has its own webhook-id');
    const alertMails = smtp.messages.filter((message) => message.envelope.to.includes('alerts@example.com'));
    assert.equal(alertMails.length, sent.length);

    const second = await delivered();
    assert.ok(second.notes.length > 0 && second.notes.every((note) => note.endsWith(': already sent')), JSON.stringify(second.notes));
    assert.equal(hooks.length, sent.length, 'no second webhook');
    assert.equal(smtp.messages.filter((message) => message.envelope.to.includes('alerts@example.com')).length, sent.length, 'no second email');
  });
});
