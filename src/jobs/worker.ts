import { Worker, type ConnectionOptions, type Processor } from 'bullmq';
import type { Logger } from '../log.js';
import { REPORT_QUEUE, type ProcessReportData } from './queue.js';

export interface ReportWorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
  processor: Processor<ProcessReportData, string>;
  logger: Logger;
}

/** The BullMQ worker that runs report jobs; it resumes by itself when Redis comes back. */
export function createReportWorker(options: ReportWorkerOptions) {
  const worker = new Worker<ProcessReportData, string>(REPORT_QUEUE, options.processor, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    autorun: false,
    // A report download may take minutes; the lock is renewed while the job runs.
    lockDuration: 60_000,
    maxStalledCount: 2,
  });
  // Connection errors are retried by BullMQ itself; readiness checks Redis separately.
  worker.on('error', (error) => {
    options.logger.warn({ err: error.message }, 'worker connection error');
  });
  worker.on('failed', (job, error) => {
    options.logger.warn({ jobId: job?.id, err: error.message }, 'job attempt failed');
  });

  return {
    worker,
    start(): void {
      worker.run().catch((error: unknown) => options.logger.error({ err: (error as Error).message }, 'worker stopped'));
    },
    isConsuming(): boolean {
      return worker.isRunning() && !worker.isPaused();
    },
    /** Stops taking jobs and waits for active ones to finish (BullMQ's graceful close). */
    close: (force = false) => worker.close(force),
  };
}
export type ReportWorker = ReturnType<typeof createReportWorker>;
