import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { createAlertOnce } from '../../src/alerts/alert-once.js';
import { sendAlerts, type AlertChannels } from '../../src/alerts/send-alerts.js';
import type { Alert } from '../../src/alerts/types.js';
import { createWebhookSender } from '../../src/alerts/webhook-sender.js';
import { webhookKey } from '../../src/alerts/webhook-signature.js';
import { createMailer, type Mailer } from '../../src/delivery/mailer.js';
import { createAddressPolicy } from '../../src/download/address-policy.js';
import { createGuardedAgent } from '../../src/download/guarded-connector.js';
import { redisKeys } from '../../src/redis-keys.js';
import { silentLogger } from '../helpers/logger.js';
import { deleteKeys, testRedis, uniquePrefix } from '../helpers/redis.js';
import { startTestSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

const secret = `whsec_${randomBytes(32).toString('base64')}`;

function alert(overrides: Partial<Alert> = {}): Alert {
  return {
    organizationId: 'org-1',
    organizationName: 'Acme',
    metric: 'payloads',
    period: { start: '2026-01-01T00:00:00.000Z', end: '2026-02-01T00:00:00.000Z' },
    kind: 'over',
    used: 1_200_000,
    limit: 1_000_000,
    percent: 120,
    projected: null,
    ...overrides,
  };
}

describe('alerts', () => {
  let redis: Redis;
  let smtp: TestSmtpServer;
  let mailer: Mailer;
  let server: Server;
  let url: URL;
  const received: Received[] = [];
  let failuresLeft = 0;

  before(async () => {
    redis = testRedis();
    smtp = await startTestSmtpServer();
    mailer = createMailer({ smtpUrl: smtp.url, outboxDir: '/nonexistent', timeoutMs: 5_000, requireTls: false });
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          res.writeHead(503).end();
          return;
        }
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/usage`);
  });
  after(async () => {
    mailer.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await smtp.close();
    redis.disconnect();
  });

  function channels(options: { allowLoopback: boolean }): AlertChannels {
    const dispatcher = createGuardedAgent({
      addressPolicy: createAddressPolicy({ allowPrivateNetworks: false, allowedAddresses: options.allowLoopback ? ['127.0.0.1'] : [] }),
      connectTimeoutMs: 2_000,
      idleTimeoutMs: 5_000,
    });
    const webhook = createWebhookSender({ url, key: webhookKey(secret), dispatcher, attempts: 3, backoffMs: 20, backoffMaxMs: 100, timeoutMs: 5_000 });
    return { webhook, email: { mailer, from: 'relay@example.com', to: ['alerts@example.com'] } };
  }

  function verify(entry: Received): boolean {
    // From the Standard Webhooks specification, apart from the code under test.
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const signed = `${String(entry.headers['webhook-id'])}.${String(entry.headers['webhook-timestamp'])}.${entry.body}`;
    const expected = createHmac('sha256', key).update(signed).digest('base64');
    return String(entry.headers['webhook-signature'])
      .split(' ')
      .some((part) => part === `v1,${expected}`);
  }

  test('an alert arrives once, signed, by webhook and email; the same report again and a second report send nothing', async () => {
    const prefix = uniquePrefix('alerts-once');
    const once = createAlertOnce(redis, redisKeys(prefix));
    const context = { once, channels: channels({ allowLoopback: true }), instanceId: 'inst-1', logger: silentLogger() };
    const before = { hooks: received.length, mails: smtp.messages.length };
    try {
      const first = await sendAlerts([alert()], { ...context, reportId: 'report-a' });
      assert.equal(first[0]?.result, 'sent', JSON.stringify(first));
      const hook = received[before.hooks];
      assert.ok(hook);
      assert.ok(verify(hook), 'the signature verifies');
      assert.match(String(hook.headers['webhook-id']), /^alert_[0-9a-f]{32}$/u);
      const payload = JSON.parse(hook.body) as { type: string; reportId: string; alert: Alert };
      assert.equal(payload.type, 'usage.over');
      assert.equal(payload.alert.organizationId, 'org-1');
      const [mail] = (await smtp.waitForMessages(before.mails + 1)).slice(before.mails);
      assert.match(mail?.parsed.subject ?? '', /Acme.*over its limit/u);

      const again = await sendAlerts([alert()], { ...context, reportId: 'report-a' });
      const second = await sendAlerts([alert(), alert({ kind: 'warning' })], { ...context, reportId: 'report-b' });
      assert.deepEqual(
        [...again, ...second].map((outcome) => outcome.result),
        ['skipped', 'skipped', 'skipped'],
      );
      assert.equal(received.length, before.hooks + 1);
      assert.equal(smtp.messages.length, before.mails + 1);

      // Another period is another alert.
      const next = await sendAlerts([alert({ period: { start: '2026-02-01T00:00:00.000Z', end: '2026-03-01T00:00:00.000Z' } })], {
        ...context,
        reportId: 'report-b',
      });
      assert.equal(next[0]?.result, 'sent');
    } finally {
      await deleteKeys(redis, prefix);
    }
  });

  test('a receiver failing twice gets the alert on the third try', async () => {
    const prefix = uniquePrefix('alerts-retry');
    const once = createAlertOnce(redis, redisKeys(prefix));
    const before = received.length;
    failuresLeft = 2;
    try {
      const [outcome] = await sendAlerts([alert({ organizationId: 'org-2' })], {
        once,
        channels: { ...channels({ allowLoopback: true }), email: null },
        reportId: 'report-c',
        instanceId: 'inst-1',
        logger: silentLogger(),
      });
      assert.equal(outcome?.result, 'sent');
      assert.equal(outcome?.webhookAttempts, 3);
      assert.equal(received.length, before + 1);
      assert.ok(verify(received[before]!));
    } finally {
      failuresLeft = 0;
      await deleteKeys(redis, prefix);
    }
  });

  test('a private webhook address is refused unless allowed, and the alert stays unsent for a later try', async () => {
    const prefix = uniquePrefix('alerts-private');
    const once = createAlertOnce(redis, redisKeys(prefix));
    const before = received.length;
    try {
      const context = { once, reportId: 'report-d', instanceId: 'inst-1', logger: silentLogger() };
      const [refused] = await sendAlerts([alert({ organizationId: 'org-3' })], {
        ...context,
        channels: { ...channels({ allowLoopback: false }), email: null },
      });
      assert.equal(refused?.result, 'failed');
      assert.equal(received.length, before);
      const [allowed] = await sendAlerts([alert({ organizationId: 'org-3' })], { ...context, channels: { ...channels({ allowLoopback: true }), email: null } });
      assert.equal(allowed?.result, 'sent');
    } finally {
      await deleteKeys(redis, prefix);
    }
  });
});
