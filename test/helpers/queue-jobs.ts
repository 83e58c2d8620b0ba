import { Worker } from 'bullmq';
import { processJobId, PROCESS_REPORT, REPORT_QUEUE } from '../../src/jobs/queue.js';
import { closeRedis, createRedis } from '../../src/redis.js';
import type { RunningService } from './service.js';
import { REDIS_URL } from './redis.js';

/**
 * A job of the service's report queue that failed for good: added with one attempt, then taken by
 * a worker of the test's own that throws `message`. Returns the job's id once BullMQ recorded the failure.
 * For a service without a worker (`worker: false`), before other jobs wait: this worker would take them too.
 */
export async function failedJob(service: RunningService, reportId: string, message = 'the test failed this job'): Promise<string> {
  const jobId = processJobId(reportId, 1);
  await service.queue.queue.add(PROCESS_REPORT, { reportId }, { jobId, attempts: 1 });
  const connection = createRedis(REDIS_URL, 'blocking');
  const worker = new Worker(
    REPORT_QUEUE,
    () => {
      throw new Error(message);
    },
    { connection, prefix: service.config.redis.prefix, autorun: false },
  );
  try {
    const failed = new Promise<void>((resolve) => {
      worker.on('failed', (job) => {
        if (job?.id === jobId) resolve();
      });
    });
    void worker.run();
    await failed;
  } finally {
    await worker.close();
    await closeRedis(connection);
  }
  return jobId;
}
