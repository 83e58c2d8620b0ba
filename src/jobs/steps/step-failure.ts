import { AppError } from '../../errors.js';
import type { ReportError } from '../../reports/record.js';

/** An error raised by a pipeline step, naming the step so the record says where it failed. */
export class StepFailure extends AppError {
  readonly step: ReportError['step'];
  readonly permanent: boolean;
  constructor(step: ReportError['step'], code: string, message: string, permanent: boolean, options: { cause?: unknown } = {}) {
    super(code, permanent ? 422 : 503, message, options);
    this.step = step;
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
    const flagged = (error as AppError & { permanent?: unknown }).permanent;
    const permanent = typeof flagged === 'boolean' ? flagged : error.status < 500;
    return new StepFailure(step, error.code, error.message, permanent, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new StepFailure(step, 'unexpected_error', message, false, { cause: error });
}
