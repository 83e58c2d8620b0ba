import type { z } from 'zod';

/**
 * Errors that cross module boundaries carry a stable `code` and the HTTP status that the one
 * error mapper (src/http/error-handler.ts) answers with. Anything else is a bug and maps to 500.
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: unknown;

  constructor(code: string, status: number, message: string, options: { details?: unknown; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.details = options.details;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: unknown) {
    super('validation_failed', 400, message, { details });
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'Not found') {
    super('not_found', 404, message);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Missing or invalid credentials') {
    super('unauthorized', 401, message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, details?: unknown) {
    super('conflict', 409, message, { details });
  }
}

export class UnavailableError extends AppError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('unavailable', 503, message, options);
  }
}

/**
 * A failure that retrying cannot fix (expired link, file too large, 5xx from SMTP...).
 * Jobs turn it into BullMQ's UnrecoverableError so no attempt is wasted.
 */
export class PermanentError extends AppError {
  constructor(code: string, message: string, options: { details?: unknown; cause?: unknown } = {}) {
    super(code, 422, message, options);
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
    super('corrupt_data', 500, `The data at Redis key ${key} is not what this version expects: ${problems.join('; ')}`, { details: { key, problems } });
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
