import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { JOB_BACKOFF } from '../../src/jobs/job-backoff.js';
import { createReportWorker } from '../../src/jobs/worker.js';
import { silentLogger } from '../helpers/logger.js';
import { createReportQueue, processJobId, PROCESS_REPORT, type ReportQueue } from '../../src/jobs/queue.js';
import { createRedis } from '../../src/redis.js';
import { deleteKeys, REDIS_URL, testRedis, uniquePrefix } from '../helpers/redis.js';

const settings = (prefix: string) => ({ prefix, attempts: 4, backoffMs: 250, completedKeep: 10, failedKeep: 20 });

describe('report queue', () => {
  const prefix = uniquePrefix('queue');
  let redis: Redis;
  let reports: ReportQueue;

  before(() => {
    redis = testRedis();
    reports = createReportQueue(redis, settings(prefix));
  });
  after(async () => {
    await reports.close();
    await deleteKeys(redis, prefix);
    await redis.quit();
  });

  it('adds a job per report run, with the configured retry and retention options', async () => {
    const jobId = await reports.enqueue('r-one', 2);
    assert.equal(jobId, processJobId('r-one', 2));
    const job = await reports.queue.getJob(jobId);
    assert.ok(job, 'the job is in the queue');
    assert.equal(job.name, PROCESS_REPORT);
    assert.deepEqual(job.data, { reportId: 'r-one' });
    assert.equal(job.opts.attempts, 4);
    assert.deepEqual(job.opts.backoff, { type: JOB_BACKOFF, delay: 250 });
  });

  it('a burst of enqueues in one turn goes to Redis in one round trip, and every job is there', async () => {
    const ids = Array.from({ length: 450 }, (_, i) => `r-burst-${i}`);
    const sent: string[][] = [];
    const addBulk = reports.queue.addBulk.bind(reports.queue);
    reports.queue.addBulk = (jobs) => {
      sent.push(jobs.map((job) => String(job.opts?.jobId)));
      return addBulk(jobs);
    };
    try {
      const jobIds = await Promise.all(ids.map((id) => reports.enqueue(id, 1)));
      assert.deepEqual(
        jobIds,
        ids.map((id) => processJobId(id, 1)),
      );
      // 450 jobs asked for in one turn: batches of at most 200, nothing sent one by one.
      assert.deepEqual(
        sent.map((batch) => batch.length),
        [200, 200, 50],
      );
      assert.deepEqual(sent.flat(), jobIds);
    } finally {
      reports.queue.addBulk = addBulk;
    }
    const counts = await reports.queue.getJobCounts('waiting');
    assert.ok((counts.waiting ?? 0) >= 450, `waiting: ${counts.waiting}`);
    for (const id of [ids[0]!, ids[199]!, ids[200]!, ids[449]!]) {
      assert.ok(await reports.queue.getJob(processJobId(id, 1)), `${id} is queued`);
    }
  });

  it('enqueueing the same run twice leaves one job', async () => {
    const [first, second] = await Promise.all([reports.enqueue('r-twice', 1), reports.enqueue('r-twice', 1)]);
    assert.equal(first, second);
    await reports.enqueue('r-twice', 1);
    const waiting = await reports.queue.getJobs(['waiting']);
    assert.equal(waiting.filter((job) => job.id === first).length, 1);
  });
});

describe('report queue: closing and failures', () => {
  it('close() sends what was asked for before closing the connection', async () => {
    const prefix = uniquePrefix('queue-close');
    const redis = testRedis();
    const reports = createReportQueue(redis, settings(prefix));
    try {
      const enqueued = [reports.enqueue('r-late-1', 1), reports.enqueue('r-late-2', 1)];
      await reports.close();
      assert.deepEqual(await Promise.all(enqueued), [processJobId('r-late-1', 1), processJobId('r-late-2', 1)]);
      const check = createReportQueue(redis, settings(prefix));
      assert.ok(await check.queue.getJob(processJobId('r-late-1', 1)));
      assert.ok(await check.queue.getJob(processJobId('r-late-2', 1)));
      await check.close();
    } finally {
      await deleteKeys(redis, prefix);
      await redis.quit();
    }
  });

  it('when Redis goes away, every enqueue of the batch is rejected at once (none hangs)', async () => {
    const redis = createRedis(REDIS_URL, 'commands');
    redis.on('error', () => {});
    const reports = createReportQueue(redis, settings(uniquePrefix('queue-down')));
    try {
      await reports.queue.waitUntilReady();
      redis.disconnect(); // no reconnect: every command now fails fast
      const results = await Promise.allSettled([reports.enqueue('r-a', 1), reports.enqueue('r-b', 1)]);
      assert.deepEqual(
        results.map((result) => result.status),
        ['rejected', 'rejected'],
      );
    } finally {
      await reports.close().catch(() => {});
    }
  });
});

describe('report queue: retries', () => {
  it('a failed job waits the capped exponential delay of the worker before its next attempt', async () => {
    const prefix = uniquePrefix('queue-retry');
    const redis = testRedis();
    const blocking = createRedis(REDIS_URL, 'blocking');
    const reports = createReportQueue(redis, { ...settings(prefix), attempts: 4, backoffMs: 400 });
    const attempts: number[] = [];
    const failed = new Map<number, number>();
    const worker = createReportWorker({
      connection: blocking,
      prefix,
      concurrency: 1,
      backoff: { backoffMs: 400, backoffMaxMs: 600 },
      logger: silentLogger(),
      processor: (job) => {
        attempts.push(Date.now());
        if (job.attemptsMade < 3) return Promise.reject(new Error(`attempt ${job.attemptsMade + 1} fails`));
        return Promise.resolve('done');
      },
    });
    worker.worker.on('failed', (job) => {
      if (job) failed.set(job.attemptsMade, job.delay);
    });
    const done = new Promise<void>((resolve) => worker.worker.once('completed', () => resolve()));
    try {
      worker.start();
      await reports.enqueue('r-retry', 1);
      await done;
      assert.equal(attempts.length, 4);
      // Delays 400, 800 capped to 600, 600: each within its jittered range, and the attempts that far apart.
      const ceilings = [400, 600, 600];
      ceilings.forEach((ceiling, index) => {
        const delay = failed.get(index + 1);
        assert.ok(delay !== undefined && delay <= ceiling && delay >= ceiling * 0.9, `retry ${index + 1}: delay ${delay}`);
        const gap = attempts[index + 1]! - attempts[index]!;
        assert.ok(gap >= ceiling * 0.9 - 50, `retry ${index + 1} came ${gap} ms after the attempt before`);
      });
    } finally {
      await worker.close();
      await reports.close();
      await deleteKeys(redis, prefix);
      await blocking.quit();
      await redis.quit();
    }
  });
});
