import { formatIssues } from '../errors.js';

/**
 * An error answer of the simulated Losant server: Losant's `{type, message}` body with Losant's own
 * HTTP status. It belongs to the simulator, not to the service's errors (AppError and its table).
 */
export class LosantSimError extends Error {
  /** Losant's error `type` (`Validation`, `Unauthorized`, `NotFound`, ...). */
  readonly type: string;
  /** The HTTP status Losant answers with. */
  readonly status: number;

  constructor(type: string, status: number, message: string) {
    super(message);
    this.name = 'LosantSimError';
    this.type = type;
    this.status = status;
  }
}

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
