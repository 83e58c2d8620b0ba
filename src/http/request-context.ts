import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { redactCallbackPath, type Logger } from '../log.js';

const REQUEST_ID = /^[\w.-]{1,64}$/u;

/** Gives every request an id (the caller's X-Request-Id when sane) and a child logger (res.locals.log), and logs its outcome. */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const requestId = incoming !== undefined && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    // The child logger is made on first use: most requests only log their outcome line below, and
    // a pino child costs more than that line (measured on the callback route, bench/cases/intake.ts).
    let log: Logger | undefined;
    Object.defineProperty(res.locals, 'log', { get: () => (log ??= logger.child({ requestId })), enumerable: true, configurable: true });
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const outcome = { method: req.method, path: redactCallbackPath(req.path), status: res.statusCode, ms: Math.round(ms * 10) / 10 };
      if (log) log.info(outcome, 'request');
      else logger.info({ requestId, ...outcome }, 'request');
    });
    next();
  };
}
