import { AppError, formatIssues } from '../errors.js';

/** An answer in Losant's error shape, `{type, message}`; `code` carries Losant's `type`. */
export class LosantSimError extends AppError {}

export const validationError = (message: string) => new LosantSimError('Validation', 400, message);

export function issuesError(issues: ReadonlyArray<{ path: readonly PropertyKey[]; message: string }>, prefix = ''): LosantSimError {
  return validationError(`${prefix}${formatIssues(issues)}`);
}

/** The `type` Losant would put in an error body for an HTTP status (for injected faults). */
export function errorTypeFor(status: number): string {
  if (status === 400) return 'Validation';
  if (status === 401 || status === 403) return 'Unauthorized';
  if (status === 404) return 'NotFound';
  if (status === 409) return 'AlreadyExists';
  if (status === 429) return 'TooManyRequests';
  if (status === 503) return 'ServiceUnavailable';
  return 'InternalError';
}
