import express, { Router, type RequestHandler } from 'express';
import type { CallbackReceiver, CallbackOutcome, IncomingCallback } from '../../reports/receive-callback.js';
import { NOT_FOUND } from '../../reports/receive-callback.js';
import type { CallbackMatch } from '../../reports/store.js';
import { AppError } from '../../errors.js';
import { route } from '../handler.js';

export interface ScheduleCallbackReceiver {
  authenticate(scheduleId: string, secret: string): Promise<boolean>;
  receive(scheduleId: string, callback: IncomingCallback): Promise<CallbackOutcome>;
}

export interface CallbackRouteDeps {
  reports: CallbackReceiver;
  schedules?: ScheduleCallbackReceiver;
  maxBytes: number;
}

/**
 * Losant's callbacks. The secret in the URL is checked before the body is read (an unknown or
 * wrong one gets a 404 that reveals nothing); only then is the body read, raw, whatever its
 * type, up to the size limit.
 */
export function callbackRoutes(deps: CallbackRouteDeps): Router {
  const router = Router();
  const rawBody = express.raw({ type: () => true, limit: deps.maxBytes });

  // What a successful check returns (the report's match, for reports) is kept for the handler,
  // so a callback reads its record once.
  const authenticated = (check: (id: string, secret: string) => Promise<unknown>): RequestHandler => {
    return (req, res, next) => {
      const { id, secret } = req.params as { id: string; secret: string };
      check(id, secret).then((found) => {
        if (found === null || found === false || found === undefined) {
          res.status(NOT_FOUND.status).json(NOT_FOUND.body);
          return;
        }
        res.locals.authenticated = found;
        next();
      }, next);
    };
  };

  // A body cut off in transit (a dropped connection, broken chunking) while the secret was being
  // checked reaches here unread. Kept as an empty callback, it would make Losant's resend of the
  // real one a "duplicate"; refusing it keeps the report waiting for that resend.
  const wholeBody: RequestHandler = (req, _res, next) => {
    next(req.complete ? undefined : new AppError('body_incomplete', 400, 'The request body did not arrive whole; nothing was stored'));
  };

  const incoming = (req: express.Request): IncomingCallback => ({
    body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
    contentType: req.get('content-type') ?? null,
    headers: req.headers,
  });

  for (const method of ['post', 'put'] as const) {
    router[method](
      '/callbacks/r/:id/:secret',
      authenticated((id, secret) => deps.reports.authenticate(id, secret)),
      rawBody,
      wholeBody,
      route(async (req, res) => deps.reports.receive(String(req.params.id), incoming(req), res.locals.authenticated as CallbackMatch)),
    );
    const schedules = deps.schedules;
    if (schedules) {
      router[method](
        '/callbacks/s/:id/:secret',
        authenticated((id, secret) => schedules.authenticate(id, secret)),
        rawBody,
        wholeBody,
        route(async (req) => schedules.receive(String(req.params.id), incoming(req))),
      );
    }
  }
  router.all('/callbacks/{*rest}', (_req, res) => {
    res.status(NOT_FOUND.status).json(NOT_FOUND.body);
  });
  return router;
}
