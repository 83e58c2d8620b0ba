import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createMaintenance } from '../../src/jobs/maintenance.js';
import { processJobId } from '../../src/jobs/queue.js';
import { createCallbackReceiver } from '../../src/reports/receive-callback.js';
import { createMissedRunStore } from '../../src/schedules/missed-run-store.js';
import { createScheduleCallbackReceiver } from '../../src/schedules/receive-schedule-callback.js';
import { createRunArrivals } from '../../src/schedules/run-arrivals.js';
import { createScheduleStore } from '../../src/schedules/schedule-store.js';
import { startAdminService, type AdminService } from '../helpers/admin-service.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { captureLogger } from '../helpers/logger.js';
import { startService, type RunningService } from '../helpers/service.js';
import { createAwaitingReport } from './helpers/reports.js';

/**
 * The other half of guarantee 3: a callback that was stored, but whose enqueue failed (Redis
 * died between the two), is not lost: the worker's reconciler finds the record in the pipeline
 * with no job and enqueues it; and when the sender tries again (its answer was lost too), the
 * repeated callback enqueues it at once.
 */

const CSV = 'resourceType,resourceId,resourceName,deviceCount\norganization,o1,Acme,3\n';
let service: RunningService;

describe('a callback stored but not enqueued', () => {
  before(async () => {
    service = await startService({ name: 'rel-reconcile' });
  });
  after(async () => {
    await service?.stop();
  });

  test('is acknowledged, then enqueued by the reconciler and delivered', async () => {
    const logs = captureLogger('info');
    const { id, callbackUrl } = await createAwaitingReport(service.store, service.url);
    const secret = callbackUrl.split('/').at(-1)!;
    // The receiver's real code path, with the enqueue failing as it does when Redis goes away mid-request.
    const receiver = createCallbackReceiver({
      store: service.store,
      enqueue: () => Promise.reject(new Error('Connection is closed.')),
      rejected: service.web!.rejected,
      logger: logs.logger,
    });
    assert.ok(await receiver.authenticate(id, secret));
    const outcome = await receiver.receive(id, { body: Buffer.from(CSV), contentType: 'text/csv', headers: {} });
    assert.equal(outcome.kind, 'accepted', 'stored, so acknowledged');
    assert.match(logs.text(), /stored but not enqueued/u);
    assert.equal(await service.queue.queue.getJob(processJobId(id, 1)), undefined, 'no job yet');
    assert.equal((await service.store.get(id))?.status, 'callback_received');

    const maintenance = createMaintenance({
      redis: service.redis,
      store: service.store,
      queue: service.queue,
      prefix: `${service.config.redis.prefix}-test-lock`,
      logger: logs.logger,
      staleAfterMs: 0,
    });
    const result = await maintenance.runOnce();
    assert.ok(result, 'the maintenance lock was free');
    assert.equal(result.requeued, 1);
    const record = await service.waitForStatus(id, ['delivered', 'failed'], 10_000);
    assert.equal(record.status, 'delivered', JSON.stringify(record.error));
    assert.equal(record.summary?.rows, 1);
  });

  test('is enqueued at once when its sender tries again, without waiting for the reconciler', async () => {
    const { id, callbackUrl } = await createAwaitingReport(service.store, service.url);
    const failing = createCallbackReceiver({
      store: service.store,
      enqueue: () => Promise.reject(new Error('Connection is closed.')),
      rejected: service.web!.rejected,
      logger: captureLogger('info').logger,
    });
    assert.equal((await failing.receive(id, { body: Buffer.from(CSV), contentType: 'text/csv', headers: {} })).kind, 'accepted');
    assert.equal(await service.queue.queue.getJob(processJobId(id, 1)), undefined, 'no job yet');

    // The sender saw an error (the answer was lost with Redis) and sends the same callback again.
    const again = await fetch(callbackUrl, { method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: CSV });
    assert.equal(again.status, 200);
    assert.equal(((await again.json()) as { duplicate?: boolean }).duplicate, true);
    const record = await service.waitForStatus(id, ['delivered', 'failed'], 10_000);
    assert.equal(record.status, 'delivered', JSON.stringify(record.error));
    assert.equal(record.callback?.duplicates, 1);
  });
});

describe('a schedule callback stored but not enqueued', () => {
  let admin: AdminService;
  before(async () => {
    admin = await startAdminService('rel-recon-sched');
  });
  after(async () => {
    await admin?.close();
  });

  test('is enqueued at once when its sender tries again, without waiting for the reconciler', async () => {
    const { service } = admin;
    const created = await fetch(`${service.url}/admin/schedules`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ cron: '0 5 * * *', timezone: 'UTC', email: false }),
    });
    assert.equal(created.status, 201);
    const scheduleId = ((await created.json()) as { schedule: { id: string } }).schedule.id;
    const retention = { prefix: service.config.redis.prefix, retentionSeconds: 3_600 };
    // The receiver's real code path, over the service's own stores, with the enqueue failing as it does when Redis goes away mid-request.
    const failing = createScheduleCallbackReceiver({
      schedules: createScheduleStore(service.redis, service.config.redis.prefix),
      reports: service.store,
      enqueue: () => Promise.reject(new Error('Connection is closed.')),
      arrivals: createRunArrivals(service.redis, retention),
      missedRuns: createMissedRunStore(service.redis, retention),
      prefix: service.config.redis.prefix,
      logger: captureLogger('info').logger,
    });
    const first = await failing.receive(scheduleId, { body: Buffer.from(CSV), contentType: 'text/csv', headers: {} });
    assert.equal(first.kind, 'accepted', 'stored, so acknowledged');
    assert.ok('reportId' in first);
    assert.equal(await service.queue.queue.getJob(processJobId(first.reportId, 1)), undefined, 'no job yet');

    // The sender saw an error and sends the same run again, through the service's own route.
    const again = await service.web!.scheduleCallbacks.receive(scheduleId, { body: Buffer.from(CSV), contentType: 'text/csv', headers: {} });
    assert.deepEqual(again, { kind: 'duplicate', reportId: first.reportId });
    // The web side alone runs here (no worker, no reconciler): the job exists because the repeat added it.
    assert.ok(await service.queue.queue.getJob(processJobId(first.reportId, 1)), 'the repeat enqueued the run');
  });
});
