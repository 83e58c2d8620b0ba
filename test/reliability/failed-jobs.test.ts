import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startService, type RunningService } from '../helpers/service.js';
import { createMemoryMailer, type MemoryMailer } from './helpers/memory-mailer.js';
import { waitForQueueIdle } from './helpers/queue-idle.js';
import { adminHeaders, createAwaitingReport } from './helpers/reports.js';

/**
 * Guarantee 6, the failure half: a report that fails is never silently dropped. Its record
 * says where and why, `GET /admin/reports?status=failed` lists it, its failed queue job is kept
 * for inspection (at most FAILED_JOBS_KEEP of them), and `POST /admin/reports/{id}/retry` re-runs
 * it exactly once from the failed step, even when the operator clicks twice.
 */

const CSV = Buffer.from('resourceType,resourceId,resourceName,deviceCount\norganization,o1,Acme,3\norganization,o2,Beta,5\n');
const FAILED_KEEP = 3;
let mailer: MemoryMailer;
let service: RunningService;

async function reportWithCallback(): Promise<string> {
  const { id } = await createAwaitingReport(service.store, service.url, { email: true, archive: true, recipients: ['ops@example.com'] });
  const outcome = await service.web!.callbacks.receive(id, { body: CSV, contentType: 'text/csv', headers: {} });
  assert.equal(outcome.kind, 'accepted');
  return id;
}

describe('failed reports', () => {
  before(async () => {
    mailer = createMemoryMailer();
    service = await startService({
      name: 'rel-failed',
      overrides: { mailer },
      env: { FAILED_JOBS_KEEP: String(FAILED_KEEP), WORKER_CONCURRENCY: '4', JOB_ATTEMPTS: '2' },
    });
  });
  after(async () => {
    await service?.stop();
  });

  test('are listed with their reason, their failed jobs are kept up to FAILED_JOBS_KEEP, and a retry re-runs each once', async () => {
    mailer.rejectNext(5);
    const ids = await Promise.all(Array.from({ length: 5 }, () => reportWithCallback()));
    for (const id of ids) assert.equal((await service.waitForStatus(id, ['failed', 'delivered'])).status, 'failed');

    const listed = await fetch(`${service.url}/admin/reports?status=failed&limit=50`, { headers: adminHeaders });
    assert.equal(listed.status, 200);
    const { items } = (await listed.json()) as { items: Array<{ id: string; error: { step: string; code: string; retryable: boolean } }> };
    assert.deepEqual(
      ids.filter((id) => !items.some((item) => item.id === id)),
      [],
      'every failed report is listed',
    );
    for (const item of items) assert.deepEqual([item.error.step, item.error.code, item.error.retryable], ['email', 'smtp_rejected', false]);

    const failedJobs = await service.queue.queue.getFailed();
    assert.equal(failedJobs.length, FAILED_KEEP, 'failed jobs are kept, but only FAILED_JOBS_KEEP of them');
    assert.ok(
      failedJobs.every((job) => job.failedReason.includes('550')),
      'with the reason',
    );

    for (const id of ids) {
      const answers = await Promise.all([1, 2].map(() => fetch(`${service.url}/admin/reports/${id}/retry`, { method: 'POST', headers: adminHeaders })));
      const statuses = answers.map((answer) => answer.status).sort();
      // One click starts the re-run; the other finds it running (200) or, rarely, already delivered (409).
      assert.equal(statuses.filter((status) => status === 202).length, 1, `retry answers: ${statuses.join(',')}`);
      assert.ok(
        statuses.every((status) => [200, 202, 409].includes(status)),
        `retry answers: ${statuses.join(',')}`,
      );
    }
    for (const id of ids) {
      const record = await service.waitForStatus(id, ['delivered', 'failed']);
      assert.equal(record.status, 'delivered', JSON.stringify(record.error));
      assert.equal(record.runs, 2, 'one re-run');
      assert.equal(record.history.filter((entry) => /^re-run \d+ requested/u.test(entry.note ?? '')).length, 1);
      assert.equal(
        record.history.filter((entry) => (entry.note ?? '').startsWith('CSV archived at ')).length,
        1,
        'the archive from the first run is kept, not redone',
      );
    }
    // Once the queue is idle no re-run is left to send a second email.
    await waitForQueueIdle(service.queue.queue);
    const sent = mailer.sent.map((message) => message.messageId).sort();
    assert.deepEqual(sent, ids.map((id) => `<report-${id}@report-relay>`).sort(), 'one email per report, sent by its re-run');
    assert.equal((await service.queue.queue.getJobCounts('failed')).failed, FAILED_KEEP, 'still bounded');
  });
});
