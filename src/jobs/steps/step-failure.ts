import { AppError } from '../../errors.js';
import type { ReportError } from '../../reports/record.js';

/**
 * An error raised by a pipeline step, naming the step so the record says where it failed, and
 * whether a retry could help. Worker-side only: it never becomes an HTTP answer, so it has no status.
 */
export class StepFailure extends Error {
  readonly step: ReportError['step'];
  readonly code: string;
  readonly permanent: boolean;
  constructor(step: ReportError['step'], code: string, message: string, permanent: boolean, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'StepFailure';
    this.step = step;
    this.code = code;
    this.permanent = permanent;
  }
}

/**
 * The one place that decides whether a step's error is worth retrying: an AppError says so with
 * its `retryable`; anything else is unexpected and retried (jobs have a bounded number of attempts).
 */
export function toStepFailure(step: ReportError['step'], error: unknown): StepFailure {
  if (error instanceof StepFailure) return error;
  if (error instanceof AppError) {
    return new StepFailure(step, error.code, error.message, !error.retryable, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new StepFailure(step, 'unexpected_error', message, false, { cause: error });
}
