import type { ErrorRequestHandler } from 'express';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import { httpStatusOf } from './error-status.js';
import { requestIdOf } from './request-context.js';

/**
 * Redis error replies that mean "not now" rather than "wrong request": full under noeviction
 * (OOM), a read-only replica (READONLY), loading its data (LOADING), a replica that lost its
 * master (MASTERDOWN), a script or module running too long (BUSY), writes refused after a failed
 * snapshot (MISCONF), not enough replicas (NOREPLICAS), a cluster that is reconfiguring
 * (TRYAGAIN, CLUSTERDOWN). A script that hit one answers "<reply> script: ..." or "ERR ... <reply>".
 */
const UNAVAILABLE_REPLY = /^(?:ERR [^\n]*?)?\b(?:OOM|READONLY|LOADING|MASTERDOWN|BUSY|MISCONF|NOREPLICAS|TRYAGAIN|CLUSTERDOWN)\b/u;

/** ioredis' ways of saying "Redis is not reachable right now", and Redis's own "not now" replies. */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'ReplyError' && UNAVAILABLE_REPLY.test(error.message)) return true;
  // A MULTI whose queued commands were refused: ioredis keeps Redis's replies in previousErrors.
  const previous: unknown = (error as { previousErrors?: unknown }).previousErrors;
  if (error.message.startsWith('EXECABORT') && Array.isArray(previous)) return previous.some(isRedisUnavailable);
  return (
    error.name === 'MaxRetriesPerRequestError' ||
    /enableOfflineQueue|Connection is closed|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|Command timed out|Stream isn't writeable|Reached the max retries/u.test(
      error.message,
    )
  );
}

/** Seconds a client is asked to wait before sending again after a 503. */
export const RETRY_AFTER_SECONDS = 5;

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

/**
 * The one place that maps errors to HTTP answers: `{ error: { code, message, details? } }`, an
 * AppError with the status of its code (./error-status.ts), anything else as below.
 * `onRedisUnavailable` hears of each request that failed because Redis could not serve it.
 */
export function createErrorHandler(logger: Logger, onRedisUnavailable: () => void = () => undefined): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const requestId = requestIdOf(res);
    const log = requestId === null ? logger : logger.child({ requestId });
    const send = (status: number, code: string, message: string, details?: unknown) => {
      if (res.headersSent) return;
      // A 503 says "not now": the sender (Losant, an operator's script) is told when to try again.
      if (status === 503) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      res.status(status).json({ error: details === undefined ? { code, message } : { code, message, details } });
    };
    if (error instanceof AppError) {
      const status = httpStatusOf(error.code);
      if (status >= 500) log.warn({ err: error }, 'request failed');
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
      onRedisUnavailable();
      log.warn({ err: error }, 'Redis unavailable');
      send(503, 'unavailable', 'The service cannot reach its store right now; try again shortly');
      return;
    }
    log.error({ err: error }, 'unhandled error');
    send(500, 'internal', 'Internal error');
  };
}
