/**
 * How long a report job waits before its next attempt: capped exponential backoff, so a failed
 * job's retries cover a realistic outage (an SMTP server or a download host down for an hour)
 * instead of being spent in the first minutes. Pure arithmetic, tested on its own
 * (test/unit/job-backoff.test.ts); the worker hands it to BullMQ as its backoff strategy.
 */

/** The backoff type the queue puts on report jobs; the worker's strategy computes its delays. */
export const JOB_BACKOFF = 'capped-exponential';

export interface JobBackoffSettings {
  /** Delay before the first retry. */
  backoffMs: number;
  /** No delay is longer than this. */
  backoffMaxMs: number;
}

/** Delays are shortened by up to this fraction at random, so jobs that failed together spread out. */
const JITTER = 0.1;

/** The delay before the retry that follows attempt `attemptsMade` (1 after the first failure), before jitter. */
export function jobBackoffCeiling(attemptsMade: number, settings: JobBackoffSettings): number {
  const exponent = Math.max(0, Math.floor(attemptsMade) - 1);
  // 2 ** 1100 is Infinity, and Math.min handles Infinity.
  return Math.min(settings.backoffMaxMs, settings.backoffMs * 2 ** exponent);
}

/**
 * BullMQ's backoffStrategy (worker settings): called with the number of attempts made so far
 * and the job's backoff type. Each delay is within [90 %, 100 %] of its ceiling.
 */
export function jobBackoffStrategy(settings: JobBackoffSettings, random: () => number = Math.random) {
  return (attemptsMade: number, type?: string): number => {
    const ceiling = jobBackoffCeiling(attemptsMade, settings);
    if (type !== undefined && type !== JOB_BACKOFF) return ceiling;
    const r = Math.min(Math.max(random(), 0), 1);
    return Math.max(0, Math.round(ceiling * (1 - JITTER * r)));
  };
}

/** The delays (ceilings) between the attempts of one job: attempts - 1 of them. */
export function jobRetrySchedule(settings: JobBackoffSettings & { attempts: number }): number[] {
  return Array.from({ length: Math.max(0, settings.attempts - 1) }, (_, index) => jobBackoffCeiling(index + 1, settings));
}
