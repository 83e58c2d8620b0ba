import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { Logger } from '../log.js';
import { callbackRequest, sendCallback } from './callbacks.js';
import { splitRows } from './csv.js';
import type { Downloads } from './downloads.js';
import type { FaultState } from './faults.js';
import type { ResolvedReport } from './report-options.js';
import { DOWNLOAD_PARTS, type CallbackShape, type SimJob } from './types.js';

/**
 * Report jobs: queued when accepted, running while the report is built, done once every
 * callback delivery has answered or failed (or at once without a callbackUrl, with the
 * noCallback fault, or for a scheduled run the skipScheduledCallbacks fault skips). A job that
 * is not done keeps the instance busy for generateReport.
 */

const JOB_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

/** 21 characters of the URL-safe alphabet, like Losant's job ids. */
export function newJobId(): string {
  return [...randomBytes(21)].map((byte) => JOB_ID_ALPHABET[byte & 63]).join('');
}

export interface JobRunnerOptions {
  now: () => Date;
  logger: Logger;
  reportDelayMs: number;
  faults: FaultState;
  downloads: Downloads;
  dispatcher: Dispatcher;
  shape: () => CallbackShape;
  rowCount: (report: ResolvedReport) => number;
  csv: (report: ResolvedReport) => Readable;
}

interface Waiter {
  resolve: (job: SimJob) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export function createJobRunner(options: JobRunnerOptions) {
  const jobs: SimJob[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const waiters = new Map<string, Waiter[]>();
  const stop = new AbortController();

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timer.unref();
    timers.add(timer);
  };
  const sleep = (ms: number) => new Promise<void>((resolve) => (ms <= 0 ? resolve() : later(ms, resolve)));

  const finish = (job: SimJob) => {
    job.state = 'done';
    job.completedAt = options.now();
    for (const waiter of waiters.get(job.jobId) ?? []) {
      clearTimeout(waiter.timer);
      waiter.resolve(job);
    }
    waiters.delete(job.jobId);
  };

  const deliver = async (job: SimJob) => {
    const url = job.options.callbackUrl;
    const faults = options.faults.current;
    if (url === undefined || faults.noCallback || stop.signal.aborted) return;
    if (job.configId !== undefined && options.faults.takeScheduledSkip(job.configId)) {
      job.callbackSkipped = true;
      options.logger.info({ jobId: job.jobId, configId: job.configId }, 'sim: scheduled callback skipped (fault)');
      return;
    }
    const content = {
      jobId: job.jobId,
      csv: () => options.csv(job.options),
      ...(job.downloadUrl === undefined ? {} : { downloadUrl: job.downloadUrl }),
      ...(job.downloadUrls === undefined ? {} : { downloadUrls: job.downloadUrls }),
    };
    const copies = 1 + Math.max(0, Math.floor(faults.duplicateDelivery));
    const outcomes = await Promise.all(
      Array.from({ length: copies }, async () => sendCallback(options.dispatcher, url, await callbackRequest(job.shape, content), stop.signal, options.now)),
    );
    job.callbacks.push(...outcomes);
    options.logger.debug({ jobId: job.jobId, host: new URL(url).host, outcomes: outcomes.map((o) => o.status ?? o.error) }, 'sim: callback delivered');
  };

  /** Builds the report, publishes its download and delivers the callbacks. */
  const run = async (job: SimJob): Promise<void> => {
    if (stop.signal.aborted) return;
    job.state = 'running';
    try {
      if (job.shape !== 'failure') {
        job.rows = options.rowCount(job.options);
        job.downloadUrl = options.downloads.create(job.jobId, job.options);
        if (job.shape === 'json-parts') {
          job.downloadUrls = splitRows(job.rows, DOWNLOAD_PARTS).map((range, index) =>
            options.downloads.create(job.jobId, job.options, { index, count: DOWNLOAD_PARTS, range }),
          );
        }
      }
      await sleep(options.faults.current.callbackDelayMs);
      await deliver(job);
    } catch (error) {
      options.logger.error({ err: error, jobId: job.jobId }, 'sim: report job failed');
    } finally {
      finish(job);
    }
  };

  return {
    jobs: jobs as readonly SimJob[], // as: the callers read the list; only this module adds to it

    busy(): boolean {
      return jobs.some((job) => job.state !== 'done');
    },

    create(report: ResolvedReport, source: SimJob['source'], config?: { id: string; firedAt: Date }): SimJob {
      const job: SimJob = {
        jobId: newJobId(),
        options: report,
        source,
        state: 'queued',
        rows: 0,
        shape: options.shape(),
        callbacks: [],
        createdAt: options.now(),
      };
      if (config !== undefined) Object.assign(job, { configId: config.id, firedAt: config.firedAt });
      jobs.push(job);
      return job;
    },

    /** Runs the job after the report delay (the normal path). */
    start(job: SimJob): void {
      later(options.reportDelayMs, () => void run(job));
    },

    /** Runs the job at once and resolves when its callbacks are answered (callbackBeforeAccept). */
    runNow: run,

    waitFor(jobId: string, timeoutMs: number): Promise<SimJob> {
      const job = jobs.find((candidate) => candidate.jobId === jobId);
      if (job === undefined) return Promise.reject(new Error(`No job ${jobId}`));
      if (job.state === 'done') return Promise.resolve(job);
      if (stop.signal.aborted) return Promise.reject(new Error('The simulator is closed'));
      return new Promise<SimJob>((resolve, reject) => {
        const timer = setTimeout(() => {
          const list = waiters.get(jobId) ?? [];
          waiters.set(
            jobId,
            list.filter((waiter) => waiter.timer !== timer),
          );
          reject(new Error(`Job ${jobId} was not done within ${timeoutMs} ms (state: ${job.state})`));
        }, timeoutMs);
        waiters.set(jobId, [...(waiters.get(jobId) ?? []), { resolve, reject, timer }]);
      });
    },

    close(): void {
      stop.abort();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const list of waiters.values()) {
        for (const waiter of list) {
          clearTimeout(waiter.timer);
          waiter.reject(new Error('The simulator is closed'));
        }
      }
      waiters.clear();
    },
  };
}

export type JobRunner = ReturnType<typeof createJobRunner>;
