import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { redactCallbackPath, type Logger } from '../log.js';
import type { Trace } from '../trace.js';

const REQUEST_ID = /^[\w.-]{1,64}$/u;

/** The id given to the request by requestContext (or null outside it). */
export function requestIdOf(res: Response): string | null {
  const id: unknown = res.locals.requestId;
  return typeof id === 'string' ? id : null;
}

/** The request's id as a trace (src/trace.ts), for work the request sets going. */
export function requestIdField(res: Response): Trace {
  const id = requestIdOf(res);
  return id === null ? {} : { requestId: id };
}

/**
 * Gives every request an id (the caller's X-Request-Id when sane, echoed back) and logs one line
 * when it is answered: method, path (callback secrets cut out), status, time and body size. That
 * one line is all a normal callback logs: a second line per callback, or a pino child logger per
 * request, cost more than the rest of the logging (bench/README.md, intake).
 */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    const started = performance.now();
    res.once('finish', () => {
      const length = Number(req.headers['content-length']);
      logger.info(
        {
          requestId,
          method: req.method,
          path: redactCallbackPath(req.path),
          status: res.statusCode,
          ms: Math.round((performance.now() - started) * 10) / 10,
          ...(Number.isFinite(length) && length > 0 ? { bytes: length } : {}),
        },
        'request',
      );
    });
    next();
  };
}
