import { AppError, NotFoundError } from '../../errors.js';

/** The codes of the S3 archive's errors. */
export type ArchiveErrorCode = 'archive_unavailable' | 'archive_refused' | 'archive_corrupt';

/**
 * The store is away, slow or busy (refused connection, timeout, 5xx, throttling): a later attempt
 * may succeed, so the job is retried, never failed for good.
 */
export class ArchiveUnavailableError extends AppError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('archive_unavailable', message, { retryable: true, cause: options.cause });
  }
}

/**
 * The store answered and refused (access denied, no such bucket, a bad request): the same request
 * gets the same answer until an operator changes the credentials, the policy or the bucket.
 */
export class ArchiveRefusedError extends AppError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('archive_refused', message, { retryable: false, cause: options.cause });
  }
}

/**
 * An archived object's bytes do not hash to the sha256 stored with it. Not retryable: the stored
 * bytes are what they are, and a retry reads the same ones (a transfer cut short fails as a
 * network error instead, which is retried). The report fails at once, naming the object, so an
 * operator can restore it from a backup or version, or re-run the report; it is never delivered.
 */
export class ArchiveCorruptError extends AppError {
  constructor(key: string, expected: string, actual: string) {
    super('archive_corrupt', `Archived object ${key} is corrupt: its bytes hash to sha256 ${actual}, but ${expected} was stored with it`, {
      retryable: false,
      details: { key, expected, actual },
    });
  }
}

/**
 * S3's answers that mean "try again later" though their status is 4xx: throttling and timeouts, and
 * temporary credentials that expired or a clock that drifted, which the SDK renews and corrects on
 * a later call (an instance or task role's credentials are renewed every few hours).
 */
const TRANSIENT_NAMES = new Set([
  // A multipart upload aborted meanwhile (a lifecycle rule): the next attempt starts a new one.
  'NoSuchUpload',
  'RequestTimeout',
  'RequestTimeoutException',
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestTimeTooSkewed',
  'RequestExpired',
]);
const MISSING_NAMES = new Set(['NoSuchKey', 'NotFound']);

/**
 * One AppError for whatever an S3 call threw, naming the call and the key (never credentials or
 * signed URLs: the SDK's own message is kept only for answers of the store).
 */
export function toArchiveError(error: unknown, action: string, key: string, deadline?: { signal: AbortSignal; ms: number }): AppError {
  if (error instanceof AppError) return error;
  // The call's own deadline (src/delivery/s3/deadline.ts) cut it off: say so rather than "aborted".
  const reason: unknown = deadline?.signal.reason;
  if (deadline?.signal.aborted === true && reason instanceof DOMException && reason.name === 'TimeoutError') {
    return new ArchiveUnavailableError(`S3 ${action} of ${key} failed: no answer within ${deadline.ms} ms (ARCHIVE_S3_TIMEOUT_MS)`, { cause: error });
  }
  const status = statusOf(error);
  const name = error instanceof Error ? error.name : '';
  const where = `S3 ${action} of ${key}`;
  // HeadObject's 404 has no body, so no name but NotFound; NoSuchBucket and NoSuchUpload are 404s too.
  if (status === 404 && MISSING_NAMES.has(name)) return new NotFoundError(`No archived object at ${key}`);
  if (status === undefined) {
    // No answer from the store: refused, reset, timed out or aborted on the way.
    const code = error instanceof Error && 'code' in error ? String(error.code) : name;
    return new ArchiveUnavailableError(`${where} failed: the store did not answer (${code || 'network error'})`, { cause: error });
  }
  if (status >= 500 || status === 429 || status === 408 || TRANSIENT_NAMES.has(name)) {
    return new ArchiveUnavailableError(`${where} failed: the store answered ${status} ${name}; will retry`, { cause: error });
  }
  return new ArchiveRefusedError(`${where} was refused: ${status} ${name}`, { cause: error });
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return undefined;
  const metadata = error.$metadata;
  if (typeof metadata !== 'object' || metadata === null || !('httpStatusCode' in metadata)) return undefined;
  return typeof metadata.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
}
