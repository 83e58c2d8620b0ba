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
 * Decides whether a step's error is worth retrying. Errors that know (downloads, mail,
 * PermanentError) say so with a `permanent` flag or their class; unknown errors are retried.
 */
export function toStepFailure(step: ReportError['step'], error: unknown): StepFailure {
  if (error instanceof StepFailure) return error;
  if (error instanceof AppError) {
    const flagged = 'permanent' in error ? error.permanent : undefined;
    const permanent = typeof flagged === 'boolean' ? flagged : error.status < 500;
    return new StepFailure(step, error.code, error.message, permanent, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new StepFailure(step, 'unexpected_error', message, false, { cause: error });
}
