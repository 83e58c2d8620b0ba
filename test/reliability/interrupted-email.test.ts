import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import { processJobId } from '../../src/jobs/queue.js';
import type { Simulator } from '../../src/sim/index.js';
import { REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import type { CsvServer } from './helpers/csv-server.js';
import { msg } from './helpers/processes.js';
import { createQueueProbe, type QueueProbe } from './helpers/queue-probe.js';
import { emailAttempts, getReport, reportCallingBack, waitForReport } from './helpers/reports.js';
import { startSpawnedService, type SpawnedService } from './helpers/spawned-service.js';
import { mailsForReport, startStallSmtpServer, type StallSmtpServer } from './helpers/stall-smtp.js';

/**
 * A worker held up in the SMTP hand-off (the server never answers MAIL FROM) is interrupted:
 * - by SIGTERM: the hand-off is abandoned at the shutdown deadline, the job goes back to the
 *   queue without using an attempt, and the process exits 0 in time;
 * - by losing its job: the process is paused (SIGSTOP) past JOB_LOCK_MS, another worker takes the
 *   job over and emails; once resumed, the first worker drops its hand-off and writes nothing, so
 *   one email is sent.
 * Real compiled processes, a real SMTP server.
 */

const LOCK_MS = 2_000;
const SHUTDOWN_TIMEOUT_MS = 6_000;
const EXIT_MARGIN_MS = 5_000;
const prefix = uniquePrefix('rel-email-cut');
let service: SpawnedService;
let sim: Simulator;
let smtp: StallSmtpServer;
let csv: CsvServer;
let baseUrl: string;
let probe: QueueProbe;

describe('a worker interrupted in the SMTP hand-off', () => {
  before(async () => {
    smtp = await startStallSmtpServer();
    service = await startSpawnedService({
      prefix,
      csvPeriod: { start: '2026-01-01T00:00:00Z', end: '2026-01-03T00:00:00Z' },
      smtpUrl: smtp.url,
      extra: { JOB_LOCK_MS: String(LOCK_MS), SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS), WORKER_CONCURRENCY: '1', JOB_ATTEMPTS: '3' },
    });
    ({ sim, csv, baseUrl } = service);
    probe = createQueueProbe(REDIS_URL, prefix);
    await service.startWeb();
  });
  after(async () => {
    await probe?.close();
    await service?.close();
    await smtp?.close();
  });

  test('SIGTERM: the hand-off is abandoned at the deadline, the job returned unused, exit 0 in time; the next worker emails once', async (t: TestContext) => {
    const worker = await service.startWorker();
    smtp.stallNext('mail');
    const id = await reportCallingBack(baseUrl, sim, csv.url);
    await smtp.waitForStall();

    const signalledAt = Date.now();
    worker.signal('SIGTERM');
    const exit = await worker.exited;
    const exitMs = Date.now() - signalledAt;
    assert.deepEqual(
      exit,
      { code: 0, signal: null },
      worker.logs
        .slice(-5)
        .map((line) => JSON.stringify(line))
        .join('\n'),
    );
    // Exit code 0 proves the process kept its own deadline (past it, it exits 1); the margin covers start-up and scheduling seen from here.
    assert.ok(exitMs < SHUTDOWN_TIMEOUT_MS + EXIT_MARGIN_MS, `exited after ${exitMs} ms`);
    await smtp.waitForStallAbandoned();

    const job = await probe.queue.getJob(processJobId(id, 1));
    assert.equal(await job?.getState(), 'waiting', 'the job is back in the queue');
    assert.equal(job?.attemptsMade, 0, 'no attempt was used up');
    const record = await getReport(baseUrl, id);
    assert.equal(record.status, 'summarized');
    assert.equal(record.error, null, 'no failure is recorded');

    const next = await service.startWorker();
    const delivered = await waitForReport(baseUrl, id, ['delivered', 'failed'], 20_000);
    assert.equal(delivered.status, 'delivered', JSON.stringify(delivered.error));
    assert.equal(mailsForReport(smtp.received, id).length, 1, 'one email: the abandoned hand-off never sent its message');
    assert.equal(await emailAttempts(prefix, id), 2);
    next.signal('SIGTERM');
    assert.equal((await next.exited).code, 0);
    t.diagnostic(`SIGTERM in the SMTP hand-off: exit 0 ${exitMs} ms after the signal (deadline ${SHUTDOWN_TIMEOUT_MS} ms)`);
  });

  test('SIGSTOP past the job lock: the other worker emails; the resumed one drops its hand-off and writes nothing', async (t: TestContext) => {
    const paused = await service.startWorker();
    smtp.stallNext('mail');
    const id = await reportCallingBack(baseUrl, sim, csv.url);
    await smtp.waitForStall();

    paused.signal('SIGSTOP');
    const stoppedAt = Date.now();
    const other = await service.startWorker();
    const delivered = await waitForReport(baseUrl, id, ['delivered', 'failed'], 30_000);
    assert.equal(delivered.status, 'delivered', JSON.stringify(delivered.error));
    const takeoverMs = Date.now() - stoppedAt;
    assert.equal(mailsForReport(smtp.received, id).length, 1);

    paused.signal('SIGCONT');
    const lost = await paused.waitForLog(msg(/^job lock lost/u), 30_000);
    assert.equal(lost.jobId, processJobId(id, 1));
    await smtp.waitForStallAbandoned();
    // Were the paused worker still in the conversation, answering it now would let its message through.
    smtp.release();

    const record = await getReport(baseUrl, id);
    assert.equal(record.status, 'delivered');
    assert.equal(record.history.at(-1)?.status, 'delivered', 'the resumed worker wrote nothing after the delivery');
    assert.equal(await emailAttempts(prefix, id), 2, 'one hand-off each; only the second went through');
    // The lock-loss path ends the run quietly; a worker still running would log more of the job.
    paused.signal('SIGTERM');
    other.signal('SIGTERM');
    assert.equal((await paused.exited).code, 0);
    assert.equal((await other.exited).code, 0);
    assert.equal(mailsForReport(smtp.received, id).length, 1, 'one email');
    assert.equal(paused.logs.filter(msg('email sent')).length, 0, 'the paused worker sent nothing');
    t.diagnostic(`SIGSTOP in the SMTP hand-off: the other worker delivered ${takeoverMs} ms after the pause (JOB_LOCK_MS=${LOCK_MS})`);
  });
});
