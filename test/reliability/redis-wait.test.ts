import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { processJobId } from '../../src/jobs/queue.js';
import { captureLogger } from '../helpers/logger.js';
import { startService, type RunningService } from '../helpers/service.js';
import { startTestSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { createAwaitingReport } from './helpers/reports.js';
import { startOwnRedis, type OwnRedis } from './helpers/redis-server.js';

/**
 * REDIS_WAIT_REPLICAS=1 against a real master and replica of the test's own: a callback is
 * answered 2xx only once the replica confirmed it. With the replica down it is kept but answered
 * 503 with Retry-After, not processed from that delivery, and one line says so; once the replica
 * is back, the resend is answered 2xx as a duplicate and the report is processed once.
 */

const CSV = 'resourceType,resourceId,resourceName,deviceCount\norganization,o1,Acme,3\n';
let master: OwnRedis;
let replica: OwnRedis;
let service: RunningService;
let smtp: TestSmtpServer;
const emailed = { email: true, archive: false, recipients: ['ops@example.com'] };
const logs = captureLogger('info');

const post = (url: string) => fetch(url, { method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: CSV });

describe('REDIS_WAIT_REPLICAS', () => {
  before(async () => {
    master = await startOwnRedis();
    replica = await startOwnRedis({ extraArgs: ['--replicaof', '127.0.0.1', String(master.port)] });
    smtp = await startTestSmtpServer();
    service = await startService({
      name: 'rel-wait',
      logger: logs.logger,
      env: { REDIS_URL: master.url, REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '200', SMTP_URL: smtp.url, JOB_BACKOFF_MS: '100' },
    });
  });
  after(async () => {
    await service?.stop();
    await smtp?.close();
    await replica?.close();
    await master?.close();
  });

  test('a callback the replica confirmed is answered 202', async () => {
    const { id, callbackUrl } = await createAwaitingReport(service.store, service.url);
    // The replica may still be in its first sync: until it confirms, the answer is 503 and the sender sends again.
    let response = await post(callbackUrl);
    for (let attempt = 0; attempt < 100 && response.status === 503; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      response = await post(callbackUrl);
    }
    assert.ok(response.status === 202 || response.status === 200, `answered ${response.status}`);
    const record = await service.waitForStatus(id, ['delivered', 'failed']);
    assert.equal(record.status, 'delivered', JSON.stringify(record.error));
  });

  test('with the replica down: kept, answered 503 with Retry-After, nothing emailed; after it is back the resend is a 2xx duplicate, emailed once', async () => {
    await replica.stop();
    const { id, callbackUrl } = await createAwaitingReport(service.store, service.url, emailed);
    const refused = await post(callbackUrl);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'not_replicated');
    assert.match(logs.text(), /fewer Redis replicas than REDIS_WAIT_REPLICAS confirmed it/u);
    assert.doesNotMatch(logs.text(), /resourceType|deviceCount/u, 'no body in the log');
    // Kept, but not processed from this delivery: that waits for the resend (or the reconciler).
    const kept = (await service.store.get(id))!;
    assert.equal(kept.status, 'callback_received');
    assert.equal(await service.queue.queue.getJob(processJobId(id, 1)), undefined, 'not enqueued');

    // Enqueued anyway (as the reconciler would): the worker notes the hand-off, finds no replica
    // holding the note, and sends nothing.
    await service.queue.enqueue(id, 1);
    const deadline = Date.now() + 60_000;
    while ((await service.store.get(id))?.error?.code !== 'redis_not_replicated') {
      if (Date.now() > deadline) throw new Error('the email step did not refuse to send');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(smtp.attempts, 0, 'nothing handed to SMTP');

    await replica.start();
    let resent = await post(callbackUrl);
    for (let attempt = 0; attempt < 100 && resent.status === 503; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      resent = await post(callbackUrl);
    }
    assert.equal(resent.status, 200);
    assert.equal(((await resent.json()) as { duplicate?: boolean }).duplicate, true);
    const final = await service.waitForStatus(id, ['delivered', 'failed']);
    assert.equal(final.status, 'delivered', JSON.stringify(final.error));
    assert.equal(final.runs, 1, 'one run');
    assert.equal(final.history.filter((entry) => entry.status === 'delivered').length, 1, 'delivered once');
    assert.equal(smtp.messages.filter((message) => message.parsed.messageId === `<report-${id}@report-relay>`).length, 1, 'one email');
  });
});
