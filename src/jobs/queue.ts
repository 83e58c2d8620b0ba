import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { traceFields, type Trace } from '../trace.js';
import { JOB_BACKOFF } from './job-backoff.js';

/**
 * The one queue of the service. Job data carries ids only (the report's, and the request's that
 * set the run going), never secrets or report content;
 * the job id is derived from the report id and its run number, so a repeated callback (or the
 * reconciler) adding the same run again is a no-op.
 */
export const REPORT_QUEUE = 'reports';
export const PROCESS_REPORT = 'process-report';

export interface ProcessReportData {
  reportId: string;
  /** The id of the HTTP request (a callback, an admin request) that set this run going, for the worker's log lines. */
  requestId?: string;
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

/** The abort reason of a job whose lock this worker can no longer vouch for (see src/jobs/lock-watch.ts). */
export const LOCK_LOST = "the job's lock was lost or may have expired: another worker may be running it";

export function processJobId(reportId: string, run: number): string {
  return `report-${reportId}-run-${run}`;
}

/** Jobs added together in one Redis round trip, at most; more wait for the next turn. */
const MAX_BATCH = 200;

interface PendingJob {
  data: ProcessReportData;
  jobId: string;
  resolve: (jobId: string) => void;
  reject: (error: unknown) => void;
}

export function createReportQueue(connection: ConnectionOptions, settings: QueueSettings) {
  const queue = new Queue<ProcessReportData>(REPORT_QUEUE, { connection, prefix: settings.prefix });
  const defaults: JobsOptions = {
    attempts: settings.attempts,
    // The delays are the worker's backoff strategy (src/jobs/job-backoff.ts): capped exponential.
    backoff: { type: JOB_BACKOFF, delay: settings.backoffMs },
    removeOnComplete: { count: settings.completedKeep, age: 7 * 86_400 },
    removeOnFail: { count: settings.failedKeep, age: 30 * 86_400 },
  };

  // Enqueues asked for during one turn of the event loop go to Redis together (one addBulk, one
  // write), once the turn's I/O callbacks have run. Under a burst of callbacks that saves a Redis
  // round trip per callback; alone, a job waits no longer than the rest of the current turn.
  const pending: PendingJob[] = [];
  let scheduled = false;
  const inFlight = new Set<Promise<void>>();

  const flush = (): void => {
    scheduled = false;
    while (pending.length > 0) {
      const batch = pending.splice(0, MAX_BATCH);
      const sent = queue
        .addBulk(batch.map((job) => ({ name: PROCESS_REPORT, data: job.data, opts: { ...defaults, jobId: job.jobId } })))
        .then(
          () => batch.forEach((job) => job.resolve(job.jobId)),
          (error: unknown) => batch.forEach((job) => job.reject(error)),
        )
        .finally(() => inFlight.delete(sent));
      inFlight.add(sent);
    }
  };

  return {
    queue,
    /**
     * Where the job of a report's run stands in BullMQ ('missing' when there is none), and a way
     * to remove it: what the reconciler needs to tell a live job from a lost one.
     */
    async runState(reportId: string, run: number): Promise<{ state: string; remove: () => Promise<void> }> {
      const job = await queue.getJob(processJobId(reportId, run));
      if (!job) return { state: 'missing', remove: () => Promise.resolve() };
      return { state: await job.getState(), remove: () => job.remove() };
    },
    /** Adds the report's run as a job; adding the same run again is a no-op (the job id is derived from both). */
    enqueue(reportId: string, run: number, trace?: Trace): Promise<string> {
      const jobId = processJobId(reportId, run);
      return new Promise<string>((resolve, reject) => {
        pending.push({ data: { reportId, ...traceFields(trace) }, jobId, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
    /** Sends what is pending, waits for it, then closes the queue's connection. */
    async close(): Promise<void> {
      flush();
      await Promise.allSettled([...inFlight]);
      await queue.close();
    },
  };
}
export type ReportQueue = ReturnType<typeof createReportQueue>;
