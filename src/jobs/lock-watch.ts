import type { Worker } from 'bullmq';
import type { Logger } from '../log.js';
import { LOCK_LOST } from './queue.js';

export interface LockWatchOptions {
  /** The worker's lock lifetime (JOB_LOCK_MS): a lock not confirmed for this long may have expired. */
  lockMs: number;
  logger: Logger;
  now?: () => number;
}

/**
 * Cancels (with LOCK_LOST) the jobs whose lock this worker can no longer vouch for, so a worker
 * that lost a job to another stops its download, parse, archive copy or SMTP hand-off instead of
 * finishing it beside the new owner:
 * - at once when BullMQ reports that a renewal was refused (the lock belongs to another now);
 * - when no renewal has been confirmed for a whole lock lifetime (the worker was cut off from
 *   Redis or its process was paused), because the lock may have expired and the job be running
 *   elsewhere already. A job cancelled while its lock was in fact still held goes back to the
 *   queue (see giveBack in process-report.ts), so a false alarm costs a restart, not a report.
 * Store writes are fenced besides (src/reports/store.ts), for what runs between two checks.
 */
export function watchJobLocks(worker: Worker, options: LockWatchOptions): { stop(): void } {
  const now = options.now ?? Date.now;
  /** When each active job's lock was last known to be this worker's. */
  const confirmed = new Map<string, number>();

  const cancel = (jobId: string, why: string): void => {
    confirmed.delete(jobId);
    if (worker.cancelJob(jobId, LOCK_LOST)) options.logger.warn({ jobId, why }, 'job lock lost: cancelling the job');
  };
  const onActive = (job: { id?: string | undefined }): void => {
    if (job.id !== undefined) confirmed.set(job.id, now());
  };
  const onRenewed = ({ jobIds }: { jobIds: string[] }): void => {
    for (const jobId of jobIds) if (confirmed.has(jobId)) confirmed.set(jobId, now());
  };
  const onRenewalFailed = (jobIds: string[]): void => {
    for (const jobId of jobIds) cancel(jobId, 'the lock renewal was refused');
  };
  const onFinished = (job: { id?: string | undefined } | undefined): void => {
    if (job?.id !== undefined) confirmed.delete(job.id);
  };

  worker.on('active', onActive);
  worker.on('locksRenewed', onRenewed);
  worker.on('lockRenewalFailed', onRenewalFailed);
  worker.on('completed', onFinished);
  worker.on('failed', onFinished);
  // A job returned to the queue (WaitingError) emits neither: its entry is dropped at the next
  // check, where cancelling a job the worker no longer runs does nothing.
  const timer = setInterval(
    () => {
      for (const [jobId, at] of confirmed) {
        if (now() - at > options.lockMs) cancel(jobId, `no lock renewal confirmed for ${options.lockMs} ms`);
      }
    },
    Math.max(100, Math.round(options.lockMs / 8)),
  );
  timer.unref();

  return {
    stop() {
      clearInterval(timer);
      worker.off('active', onActive);
      worker.off('locksRenewed', onRenewed);
      worker.off('lockRenewalFailed', onRenewalFailed);
      worker.off('completed', onFinished);
      worker.off('failed', onFinished);
    },
  };
}
