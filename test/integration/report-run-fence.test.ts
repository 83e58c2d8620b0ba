import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import type { Mailer } from '../../src/delivery/mailer.js';
import { processJobId } from '../../src/jobs/queue.js';
import { generateId } from '../../src/reports/secrets.js';
import { createReportStore, RunTakenOverError, type ReportStore } from '../../src/reports/store.js';
import { deleteKeys, testRedis, uniquePrefix } from '../helpers/redis.js';
import { startService, type RunningService } from '../helpers/service.js';
import { createMemoryMailer } from '../reliability/helpers/memory-mailer.js';
import { createAwaitingReport } from '../reliability/helpers/reports.js';

/**
 * A run claims a report (claimRun) and writes through the store fenced by its token: once a
 * later run has claimed the report, every write of the earlier one is refused in the same
 * script that would have written, and writes nothing.
 */

const prefix = uniquePrefix('run-fence');
const at = '2026-03-01T00:00:00.000Z';
let redis: Redis;
let store: ReportStore;

async function receivedReport(): Promise<string> {
  const { id } = await store.create(
    {
      id: generateId('r'),
      source: 'api',
      scheduleId: null,
      request: {},
      delivery: { email: false, archive: false, recipients: [] },
      seriesKey: 's',
      secretHash: null,
      status: 'callback_received',
      overdueAt: null,
      note: 'created',
    },
    {
      callback: {
        info: { receivedAt: at, contentType: 'text/csv', bytes: 1, sha256: 'a'.repeat(64), jobId: null, headers: {}, duplicates: 0 },
        body: Buffer.from('x'),
      },
    },
  );
  return id;
}

const CSV = Buffer.from('resourceType,resourceId,resourceName,deviceCount\norganization,o1,Acme,3\n');

/** The value a job returned, once it has completed (polled: the job is the positive signal). */
async function finishedJobResult(service: RunningService, jobId: string, hangLimitMs = 60_000): Promise<unknown> {
  const deadline = Date.now() + hangLimitMs;
  for (;;) {
    const job = await service.queue.queue.getJob(jobId);
    const state = await job?.getState();
    if (state === 'completed' || state === 'failed') return job?.returnvalue ?? `failed: ${job?.failedReason ?? ''}`;
    if (Date.now() > deadline) throw new Error(`job ${jobId} is still ${state ?? 'missing'} after ${hangLimitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const downloaded = { interpretation: { kind: 'inline' as const }, download: { bytes: 1, sha256: 'x', sources: 0, at } };

describe('run fencing', () => {
  before(() => {
    redis = testRedis();
    store = createReportStore(redis, { prefix, retentionDays: 1 });
  });
  after(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  test('each claim gives a new token; a missing report gives none', async () => {
    const id = await receivedReport();
    const first = await store.claimRun(id);
    const second = await store.claimRun(id);
    assert.ok(first !== null && second !== null);
    assert.notEqual(first, second);
    assert.equal(await store.claimRun(generateId('r')), null);
  });

  test('a write of a run that another has claimed since is refused and writes nothing', async () => {
    const id = await receivedReport();
    const earlier = await store.claimRun(id);
    const later = await store.claimRun(id);
    assert.ok(earlier !== null && later !== null);
    const before = await store.getExisting(id);

    await assert.rejects(store.fenced(earlier).markDownloaded(id, downloaded, 'earlier run'), RunTakenOverError);
    await assert.rejects(store.fenced(earlier).noteEmailAttempt(id, 1, 'earlier run'), RunTakenOverError);
    const untouched = await store.getExisting(id);
    assert.equal(untouched.status, 'callback_received');
    assert.equal(untouched.emailAttempts, 0);
    assert.deepEqual(untouched.history, before.history);

    assert.deepEqual(await store.fenced(later).markDownloaded(id, downloaded, 'later run'), { ok: true, previous: 'callback_received' });
    assert.equal((await store.getExisting(id)).status, 'downloaded');
  });

  test('writers outside a run (callbacks, admin, maintenance) are not fenced', async () => {
    const id = await receivedReport();
    await store.claimRun(id);
    assert.deepEqual(await store.addNote(id, 'an operator note'), { ok: true, previous: 'callback_received' });
  });
});

describe('a job whose report a newer run claimed mid-step', () => {
  test('stops at its next write: the email it was sending is not recorded, and nothing after it is written', async () => {
    let releaseSend: () => void = () => undefined;
    let mailer: Mailer | undefined;
    const sendStarted = new Promise<void>((started) => {
      const gated = createMemoryMailer();
      mailer = {
        ...gated,
        async send(message, signal) {
          started();
          await new Promise<void>((resolve) => (releaseSend = resolve));
          return gated.send(message, signal);
        },
      };
    });
    assert.ok(mailer);
    const service = await startService({ name: 'run-fence-job', overrides: { mailer } });
    try {
      const { id } = await createAwaitingReport(service.store, service.url, { email: true, archive: false, recipients: ['ops@example.com'] });
      const outcome = await service.web!.callbacks.receive(id, { body: CSV, contentType: 'text/csv', headers: {} });
      assert.equal(outcome.kind, 'accepted');
      await sendStarted;

      // What a worker that took the job over would do first.
      assert.notEqual(await service.store.claimRun(id), null);
      const historyBefore = (await service.store.getExisting(id)).history;
      releaseSend();

      assert.equal(await finishedJobResult(service, processJobId(id, 1)), 'taken_over');
      const record = await service.store.getExisting(id);
      assert.equal(record.status, 'summarized', 'the run that was taken over did not record its email');
      assert.equal(record.email, null);
      assert.deepEqual(record.history, historyBefore);
    } finally {
      await service.stop();
    }
  });
});
