import { Worker, type ConnectionOptions, type Processor } from 'bullmq';
import type { Logger } from '../log.js';
import type { ServiceMetrics } from '../metrics/metrics.js';
import { traceFields } from '../trace.js';
import { jobBackoffStrategy, type JobBackoffSettings } from './job-backoff.js';
import { watchJobLocks } from './lock-watch.js';
import { REPORT_QUEUE, RETURN_TO_QUEUE, type ProcessReportData } from './queue.js';

export interface ReportWorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
  /** Lock lifetime; the lock is renewed at half of it while the job runs (default 60 s). */
  lockMs?: number;
  processor: Processor<ProcessReportData, string>;
  /** The delays between a failed job's attempts. */
  backoff: JobBackoffSettings;
  logger: Logger;
  /** Where the worker's own (connection) errors are counted. */
  metrics?: Pick<ServiceMetrics, 'redisError'>;
}

/** The BullMQ worker that runs report jobs; it resumes by itself when Redis comes back. */
export function createReportWorker(options: ReportWorkerOptions) {
  const lockMs = options.lockMs ?? 60_000;
  const worker = new Worker<ProcessReportData, string>(REPORT_QUEUE, options.processor, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    autorun: false,
    // A report download may take minutes; the lock is renewed while the job runs. A killed
    // worker's job is moved back to the queue by the stalled check once its lock has expired.
    lockDuration: lockMs,
    stalledInterval: Math.max(500, Math.round(lockMs / 2)),
    maxStalledCount: 2,
    settings: { backoffStrategy: jobBackoffStrategy(options.backoff) },
  });
  // Connection errors are retried by BullMQ itself; readiness checks Redis separately.
  worker.on('error', (error) => {
    options.metrics?.redisError('worker');
    options.logger.warn({ err: error }, 'worker connection error');
  });
  worker.on('failed', (job, error) => {
    options.logger.warn({ reportId: job?.data.reportId, ...traceFields(job?.data), jobId: job?.id, err: error }, 'job attempt failed');
  });
  const lockWatch = watchJobLocks(worker, { lockMs, logger: options.logger });

  return {
    worker,
    start(): void {
      worker.run().catch((error: unknown) => options.logger.error({ err: error }, 'worker stopped'));
    },
    isConsuming(): boolean {
      return worker.isRunning() && !worker.isPaused();
    },
    /**
     * Stops taking jobs and waits for active ones to finish (BullMQ's graceful close). After
     * `graceMs` the jobs still running are cancelled, and the processor returns them to the
     * queue, so a shutdown ends in time without waiting for a lock to expire.
     */
    async close(graceMs = Number.POSITIVE_INFINITY): Promise<void> {
      const timer = Number.isFinite(graceMs) ? setTimeout(() => worker.cancelAllJobs(RETURN_TO_QUEUE), Math.max(0, graceMs)) : undefined;
      try {
        await worker.close();
      } finally {
        clearTimeout(timer);
        lockWatch.stop();
      }
    },
  };
}
export type ReportWorker = ReturnType<typeof createReportWorker>;
