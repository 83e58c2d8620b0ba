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

type Issue = { path: ReadonlyArray<PropertyKey>; message: string };

/** Describes zod-style issues as "path: message" lines, so every problem is named at once. */
export function describeIssues(issues: ReadonlyArray<Issue>): string[] {
  return issues.map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)'}: ${issue.message}`);
}

export function formatIssues(issues: ReadonlyArray<Issue>): string {
  return describeIssues(issues).join('; ');
}
