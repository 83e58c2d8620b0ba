import type { LosantAction } from '../losant/errors.js';
import type { ReportStatus } from '../reports/record.js';

/** The steps of a report job whose durations are measured: the four the pipeline runs, nothing else. */
export const JOB_STEPS = ['download', 'archive', 'parse', 'email'] as const;
export type JobStep = (typeof JOB_STEPS)[number];

/** Which callback route a callback came in on. */
export type CallbackRoute = 'report' | 'schedule';

/**
 * What became of a callback: the receiver's outcomes (src/reports/receive-callback.ts), and the
 * failures that end a callback before the receiver answers (body cut off or too large, store unreachable).
 */
export type CallbackOutcomeLabel =
  | 'accepted'
  | 'duplicate'
  | 'kept_as_version'
  | 'versions_full'
  | 'claimed_by_other'
  | 'empty'
  | 'not_found'
  | 'job_mismatch'
  | 'not_replicated'
  | 'incomplete'
  | 'too_large'
  | 'unavailable'
  | 'error';

/** Where a Redis error showed: a connection's 'error' event, a command a request needed, the job worker, or a scrape. */
export type RedisErrorSource = 'connection' | 'command' | 'worker' | 'scrape';

/**
 * What the service counts, in its own words. The parts that count take the few methods they
 * use (Pick<ServiceMetrics, ...>), so each stays testable without Prometheus; src/metrics/prometheus.ts
 * is the one implementation that keeps the numbers. Every method is synchronous and cheap: the
 * callback route calls several per request. Arguments are bounded values, never ids.
 */
export interface ServiceMetrics {
  /** An HTTP request answered: `route` is the route's pattern (never the path as sent). */
  httpRequest(route: string, method: string, status: number, seconds: number): void;
  callback(route: CallbackRoute, outcome: CallbackOutcomeLabel): void;
  /** A report record moved into `to`. */
  statusChanged(to: ReportStatus): void;
  jobStep(step: JobStep, outcome: 'ok' | 'failed', seconds: number): void;
  /** A CSV (or one part of it) downloaded: its decoded bytes. */
  downloaded(bytes: number): void;
  /** A download that ended without a file; `code` is the DownloadError's code. */
  downloadFailed(code: string): void;
  emailSent(): void;
  /** `code` is the MailError's code. */
  emailFailed(code: string): void;
  /** One HTTP attempt to Losant's API: `status` is the answer's HTTP status, or 'timeout' / 'network' when none came. */
  losantCall(action: LosantAction, status: number | 'timeout' | 'network'): void;
  /** A schedule run recorded as missed (no callback by the overdue deadline). */
  missedRun(): void;
  redisError(source: RedisErrorSource): void;
}

const nothing = (): void => undefined;

/** Counts nothing: for parts built without metrics (tests that do not look at them, the bench's bare parts). */
export const NO_METRICS: ServiceMetrics = {
  httpRequest: nothing,
  callback: nothing,
  statusChanged: nothing,
  jobStep: nothing,
  downloaded: nothing,
  downloadFailed: nothing,
  emailSent: nothing,
  emailFailed: nothing,
  losantCall: nothing,
  missedRun: nothing,
  redisError: nothing,
};
