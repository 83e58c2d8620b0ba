import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';

/**
 * The one queue of the service. Job data carries ids only, never secrets or report content;
 * the job id is derived from the report id and its run number, so a repeated callback (or the
 * reconciler) adding the same run again is a no-op.
 */
export const REPORT_QUEUE = 'reports';
export const PROCESS_REPORT = 'process-report';

export interface ProcessReportData {
  reportId: string;
}

export interface QueueSettings {
  prefix: string;
  attempts: number;
  backoffMs: number;
  completedKeep: number;
  failedKeep: number;
}

/** The abort reason a worker gives its active jobs when shutdown cannot wait for them any longer. */
export const RETURN_TO_QUEUE = 'the worker is shutting down: job returned to the queue';

export function processJobId(reportId: string, run: number): string {
  return `report-${reportId}-run-${run}`;
}

export function createReportQueue(connection: ConnectionOptions, settings: QueueSettings) {
  const queue = new Queue<ProcessReportData>(REPORT_QUEUE, { connection, prefix: settings.prefix });
  const defaults: JobsOptions = {
    attempts: settings.attempts,
    backoff: { type: 'exponential', delay: settings.backoffMs, jitter: 0.5 },
    removeOnComplete: { count: settings.completedKeep, age: 7 * 86_400 },
    removeOnFail: { count: settings.failedKeep, age: 30 * 86_400 },
  };

  return {
    queue,
    async enqueue(reportId: string, run: number): Promise<string> {
      const jobId = processJobId(reportId, run);
      await queue.add(PROCESS_REPORT, { reportId }, { ...defaults, jobId });
      return jobId;
    },
    close: () => queue.close(),
  };
}
export type ReportQueue = ReturnType<typeof createReportQueue>;
