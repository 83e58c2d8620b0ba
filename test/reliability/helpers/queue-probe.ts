import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { REPORT_QUEUE, type ProcessReportData } from '../../../src/jobs/queue.js';
import { createReportStore, type ReportStore } from '../../../src/reports/store.js';

/** The test's own view of a child process's records and queue, on its own connection. */
export interface QueueProbe {
  redis: Redis;
  store: ReportStore;
  queue: Queue<ProcessReportData>;
  close(): Promise<void>;
}

/** `retentionSeconds` matters only when the test writes records or sweeps indexes through `store`. */
export function createQueueProbe(redisUrl: string, prefix: string, retentionSeconds = 86_400): QueueProbe {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, retryStrategy: () => 200 });
  // Tests stop this Redis on purpose; the errors are expected and the connection comes back.
  redis.on('error', () => undefined);
  const store = createReportStore(redis, { prefix, retentionDays: 1, retentionSeconds });
  const queue = new Queue<ProcessReportData>(REPORT_QUEUE, { connection: redis, prefix });
  queue.on('error', () => undefined);
  return {
    redis,
    store,
    queue,
    async close() {
      await queue.close();
      redis.disconnect();
    },
  };
}
