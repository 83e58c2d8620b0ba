import { UnrecoverableError, WaitingError, type Job } from 'bullmq';
import type { JobStep } from '../metrics/metrics.js';
import type { ReportError, ReportRecord } from '../reports/record.js';
import { IN_PIPELINE } from '../reports/state-machine.js';
import { RunTakenOverError } from '../reports/store.js';
import { traceFields } from '../trace.js';
import type { StepDeps } from './step-deps.js';
import { LOCK_LOST, RETURN_TO_QUEUE, type ProcessReportData } from './queue.js';
import { archiveStep } from './steps/archive-step.js';
import { alertStep } from './steps/alert-step.js';
import { emailStep } from './steps/email-step.js';
import { downloadStep } from './steps/download-step.js';
import { StepFailure, toStepFailure } from './steps/step-failure.js';
import { summaryStep } from './steps/summary-step.js';
import { dropScratchCopy } from './scratch-copy.js';
import { removeDir, workPaths } from './work-files.js';

type Step = ReportError['step'];

/**
 * The worker's job: take one report from callback_received to delivered. Every step re-reads
 * the record and skips what its marker says is done, so a job that runs again (after a crash,
 * a retry, or a repeated enqueue) never repeats an effect that completed.
 *
 * Each run claims the report first (a fence token) and writes only through the fenced store: a
 * worker that lost its job to another, because it was cut off from Redis or paused past its lock,
 * is refused at its next write and stops, so the newer run alone moves the report on and emails.
 */
export function createReportProcessor(deps: StepDeps) {
  return async function processReport(job: Job<ProcessReportData>, token?: string, signal?: AbortSignal): Promise<string> {
    const reportId = job.data.reportId;
    // Every line of the job names the report, the job and the request that set the run going.
    const log = deps.logger.child({ reportId, ...traceFields(job.data), jobId: job.id, attempt: job.attemptsMade + 1 });
    const abort = signal ?? new AbortController().signal;
    let step: Step = 'internal';
    // The steps log through the job's logger too (the downloader's and the mailer's lines included).
    let run: StepDeps = { ...deps, logger: log };
    const load = async (): Promise<ReportRecord> => {
      const record = await deps.store.get(reportId);
      if (!record) throw new UnrecoverableError(`report ${reportId} no longer exists`);
      return record;
    };

    /** Runs one step and keeps how long it took and whether it threw (a skipped step, its marker set, is quick). */
    const timed = async <T>(at: JobStep, work: () => Promise<T>): Promise<T> => {
      const started = performance.now();
      let outcome: 'ok' | 'failed' = 'failed';
      try {
        const result = await work();
        outcome = 'ok';
        return result;
      } finally {
        deps.metrics?.jobStep(at, outcome, (performance.now() - started) / 1000);
      }
    };

    /** The callback could not be used: a different delivery of it, kept meanwhile, becomes the next run. */
    const takeUpKeptVersion = async (): Promise<void> => {
      const run = await deps.store.takeUpCallbackVersion(reportId);
      if (run === null) return;
      log.info({ run }, 'taking up a kept delivery of the callback');
      await deps.enqueue(reportId, run).catch((error: unknown) => {
        log.error({ err: error }, 'kept callback taken up but not enqueued; the reconciler will enqueue it');
      });
    };

    try {
      let record = await load();
      if (!IN_PIPELINE.includes(record.status)) {
        log.info({ status: record.status }, 'nothing to do for this report');
        return record.status;
      }
      const fence = await deps.store.claimRun(reportId);
      if (fence === null) throw new UnrecoverableError(`report ${reportId} no longer exists`);
      run = { ...deps, logger: log, store: { ...deps.store, ...deps.store.fenced(fence) } };
      log.info('processing report');

      step = 'download';
      const fetched = await timed('download', () => downloadStep(run, record, abort));
      if (!fetched.done) {
        log.warn({ status: fetched.status }, 'report ended at its callback');
        await takeUpKeptVersion();
        return fetched.status;
      }
      // Between steps a shutdown that cannot wait any longer takes the job back (see below).
      abort.throwIfAborted();
      step = 'archive';
      await timed('archive', async () => archiveStep(run, await load(), abort));
      abort.throwIfAborted();
      step = 'parse';
      await timed('parse', async () => summaryStep(run, await load(), abort));
      abort.throwIfAborted();
      step = 'email';
      await timed('email', async () => emailStep(run, await load(), abort));
      await alertStep(run, await load());

      record = await load();
      await run.store.markDelivered(reportId, 'everything asked for was delivered');
      if (record.summary) {
        await deps.store.setLatestInSeries(record.seriesKey, reportId, record.summary);
        await recordInstanceTotals(record.createdAt, record.summary);
      }
      await dropScratchCopy(run, record);
      await removeDir(workPaths(deps.workDir, reportId).dir);
      log.info('report delivered');
      return 'delivered';
    } catch (error) {
      if (error instanceof UnrecoverableError) throw error;
      if (error instanceof RunTakenOverError) return takenOver(step);
      const reason: unknown = abort.reason;
      if (abort.aborted && (reason === RETURN_TO_QUEUE || reason === LOCK_LOST) && token !== undefined) await giveBack(step, reason, token);
      try {
        return await recordFailure(step, error);
      } catch (recordError) {
        if (recordError instanceof RunTakenOverError) return takenOver(step);
        throw recordError;
      }
    }

    /**
     * The instance's totals are derived data for the dashboards: a failure to write them is logged
     * and leaves the delivered report as it is (a failure here would otherwise be recorded on it).
     */
    async function recordInstanceTotals(createdAt: string, summary: NonNullable<ReportRecord['summary']>): Promise<void> {
      try {
        await deps.usage.instance.recordDelivered({ id: reportId, createdAt }, summary);
      } catch (error) {
        log.warn({ err: error }, 'instance usage totals not written for this report');
      }
    }

    /** A newer run of the report has claimed it: this one has written nothing since and stops. */
    function takenOver(at: Step): string {
      log.warn({ step: at }, 'another run has taken this report over; this run stops without writing');
      return 'taken_over';
    }

    /**
     * Not a failure: no attempt is used and nothing is recorded; the next worker resumes from the
     * markers the finished steps left. A job whose lock was lost may already belong to another
     * worker, and then it is not this worker's to move.
     */
    async function giveBack(at: Step, reason: string, lockToken: string): Promise<never> {
      try {
        await job.moveToWait(lockToken);
        log.warn({ step: at, reason }, 'job returned to the queue');
      } catch (error) {
        if (reason !== LOCK_LOST) throw error;
        log.warn({ step: at, err: error }, 'job lock lost: another worker has the job; this run stops');
      }
      throw new WaitingError(reason);
    }

    /** Records a failed attempt (or the report's failure, on the last one) and hands the error to BullMQ. */
    async function recordFailure(failedStep: Step, error: unknown): Promise<never> {
      const failure = toStepFailure(failedStep, error);
      const attempts = job.opts.attempts ?? 1;
      const lastAttempt = failure.permanent || job.attemptsMade + 1 >= attempts;
      const at = deps.now().toISOString();
      const reportError = { step: failure.step, code: failure.code, message: failure.message, permanent: failure.permanent, at };
      if (lastAttempt) {
        await run.store.markFailed(
          reportId,
          { error: reportError },
          `${failure.step} failed${failure.permanent ? '' : ` after ${job.attemptsMade + 1} attempts`}: ${failure.message}`,
        );
        log.error({ step: failure.step, code: failure.code, err: failure }, 'report failed');
        if (failure.step === 'download') await takeUpKeptVersion();
        throw new UnrecoverableError(failure.message);
      }
      await run.store.noteAttemptFailed(
        reportId,
        reportError,
        `attempt ${job.attemptsMade + 1} of ${attempts} failed at ${failure.step}: ${failure.message}; will retry`,
      );
      log.warn({ step: failure.step, code: failure.code, err: failure }, 'report step failed; will retry');
      throw failure instanceof StepFailure ? failure : error;
    }
  };
}
