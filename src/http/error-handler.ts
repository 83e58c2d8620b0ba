import type { ErrorRequestHandler } from 'express';
import { AppError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { httpStatusOf } from './error-status.js';
import { requestIdOf } from './request-context.js';

/** ioredis' ways of saying "Redis is not reachable right now". */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === 'MaxRetriesPerRequestError' ||
    /enableOfflineQueue|Connection is closed|ECONNREFUSED|ETIMEDOUT|Command timed out|Stream isn't writeable/u.test(error.message)
  );
}

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

/**
 * The one place that maps errors to HTTP answers: `{ error: { code, message, details? } }`, an
 * AppError with the status of its code (./error-status.ts), anything else as below.
 */
export function createErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const requestId = requestIdOf(res);
    const log = requestId === null ? logger : logger.child({ requestId });
    const send = (status: number, code: string, message: string, details?: unknown) => {
      if (res.headersSent) return;
      res.status(status).json({ error: details === undefined ? { code, message } : { code, message, details } });
    };
    if (error instanceof AppError) {
      const status = httpStatusOf(error.code);
      if (status >= 500) log.warn({ code: error.code, err: error.message }, 'request failed');
      send(status, error.code, error.message, status < 500 ? error.details : undefined);
      return;
    }
    // as: body-parser's errors are plain Errors with extra fields (type, limit); `type` is compared before use.
    const parserError = error as BodyParserError;
    if (parserError.type === 'entity.too.large') {
      send(413, 'payload_too_large', `The body is larger than the limit of ${parserError.limit ?? '?'} bytes`);
      return;
    }
    if (parserError.type === 'entity.parse.failed') {
      send(400, 'invalid_json', 'The body is not valid JSON');
      return;
    }
    if (typeof parserError.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
      send(parserError.status, parserError.type ?? 'bad_request', parserError.message);
      return;
    }
    if (isRedisUnavailable(error)) {
      log.warn({ err: errorMessage(error) }, 'Redis unavailable');
      send(503, 'unavailable', 'The service cannot reach its store right now; try again shortly');
      return;
    }
    log.error({ err: error }, 'unhandled error');
    send(500, 'internal', 'Internal error');
  };
}
