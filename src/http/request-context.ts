import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { redactCallbackPath, type Logger } from '../log.js';

const REQUEST_ID = /^[\w.-]{1,64}$/u;

/** Gives every request an id (the caller's X-Request-Id when sane) and a child logger, and logs its outcome. */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const requestId = incoming !== undefined && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    const log = logger.child({ requestId });
    res.locals.log = log;
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      log.info(
        { method: req.method, path: redactCallbackPath(req.path), status: res.statusCode, ms: Math.round(ms * 10) / 10 },
        'request',
      );
    });
    next();
  };
}
