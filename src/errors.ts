import type { z } from 'zod';
import type { MailErrorCode } from './delivery/mail-errors.js';
import type { ArchiveErrorCode } from './delivery/s3/s3-errors.js';
import type { DownloadErrorCode } from './download/errors.js';
import type { LosantErrorCode } from './losant/errors.js';

/** Codes of the classes in this file. */
export type GeneralErrorCode = 'validation_failed' | 'not_found' | 'unauthorized' | 'forbidden' | 'conflict' | 'unavailable' | 'corrupt_data' | 'internal';

/** Codes thrown with PermanentError (the CSV limits of src/csv/limits.ts). */
export type PermanentErrorCode = 'csv_too_many_columns' | 'csv_field_too_large' | 'csv_record_too_large';

/**
 * Every code an AppError of this service can carry. The HTTP side maps each one to its status in
 * one table (src/http/error-status.ts), which must name them all.
 */
export type ErrorCode =
  | GeneralErrorCode
  | PermanentErrorCode
  /** RateLimitedError (src/http/rate-limit.ts). */
  | 'rate_limited'
  /** IncompleteBodyError, WireBodyTooLargeError (src/http/routes/callbacks.ts). */
  | 'body_incomplete'
  | 'payload_too_large'
  /** ArchiveKeyError (src/delivery/archive.ts). */
  | 'invalid_archive_key'
  /** src/delivery/s3/s3-errors.ts. */
  | ArchiveErrorCode
  /** CallbackEncodingError (src/reports/callback-encoding.ts). */
  | 'callback_encoding_invalid'
  | DownloadErrorCode
  | MailErrorCode
  | LosantErrorCode
  /** LosantValidationError (src/losant/errors.ts). */
  | 'losant_request_invalid';

export interface AppErrorOptions {
  /** Whether doing the same thing again later may succeed; the job runner retries only these. */
  retryable: boolean;
  details?: unknown;
  cause?: unknown;
}

/**
 * Errors that cross module boundaries carry a stable `code` and say whether a retry may help
 * (`retryable`), which is all the job runner looks at (src/jobs/steps/step-failure.ts). They carry
 * no HTTP status: the HTTP side maps the code to one (src/http/error-status.ts). Anything else is
 * a bug: it maps to 500 and is retried by the job runner.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable;
    this.details = options.details;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: unknown) {
    super('validation_failed', message, { retryable: false, details });
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'Not found') {
    super('not_found', message, { retryable: false });
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Missing or invalid credentials') {
    super('unauthorized', message, { retryable: false });
  }
}

/** The caller is known (or needs no credentials) but this request is refused: a cross-site form, a missing CSRF token. */
export class ForbiddenError extends AppError {
  constructor(message = 'Forbidden') {
    super('forbidden', message, { retryable: false });
  }
}

export class ConflictError extends AppError {
  constructor(message: string, details?: unknown) {
    super('conflict', message, { retryable: false, details });
  }
}

/** Something this service depends on is busy or away for now: trying again shortly may succeed. */
export class UnavailableError extends AppError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('unavailable', message, { retryable: true, cause: options.cause });
  }
}

/** An unexpected failure where an AppError is needed: a bug or an outage, retried like any unexpected error. */
export class InternalError extends AppError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('internal', message, { retryable: true, cause: options.cause });
  }
}

/**
 * A failure that retrying cannot fix (a CSV that breaks a limit...). Jobs turn it into BullMQ's
 * UnrecoverableError so no attempt is wasted.
 */
export class PermanentError extends AppError {
  declare readonly code: PermanentErrorCode;
  constructor(code: PermanentErrorCode, message: string, options: { details?: unknown; cause?: unknown } = {}) {
    super(code, message, { retryable: false, details: options.details, cause: options.cause });
  }
}

interface Issue {
  path: readonly PropertyKey[];
  message: string;
}

/** Describes zod-style issues as "path: message" lines, so every problem is named at once. */
export function describeIssues(issues: readonly Issue[]): string[] {
  return issues.map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)'}: ${issue.message}`);
}

export function formatIssues(issues: readonly Issue[]): string {
  return describeIssues(issues).join('; ');
}

/**
 * Data read back from Redis that does not have the shape this version writes (written by an
 * older version, by hand, or by another program sharing the prefix). Names the key and every
 * problem, so an operator can find and repair or delete it.
 */
export class CorruptDataError extends AppError {
  readonly key: string;
  constructor(key: string, problems: readonly string[]) {
    // Not retryable: reading the same key again gives the same data until someone repairs it.
    super('corrupt_data', `The data at Redis key ${key} is not what this version expects: ${problems.join('; ')}`, {
      retryable: false,
      details: { key, problems },
    });
    this.key = key;
  }
}

/** Parses data read back from Redis with its schema; a mismatch is a CorruptDataError naming the key. */
export function parseStored<T>(key: string, schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new CorruptDataError(key, describeIssues(result.error.issues));
  return result.data;
}

/** JSON text read back from Redis, parsed and checked with its schema. */
export function parseStoredJson<T>(key: string, schema: z.ZodType<T>, text: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CorruptDataError(key, ['is not JSON']);
  }
  return parseStored(key, schema, value);
}

/** The message of anything thrown: an Error's own, else the value as text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Anything thrown as an Error, for APIs that take one (stream callbacks, promise rejections). */
export function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** The string `code` Node, undici, zlib and our own errors carry (`ENOENT`, `Z_DATA_ERROR`, ...), if any. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}
