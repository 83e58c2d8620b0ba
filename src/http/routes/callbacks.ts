import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { AppError } from '../../errors.js';
import type { CallbackOutcomeLabel, CallbackRoute, ServiceMetrics } from '../../metrics/metrics.js';
import { callbackEncodingOf } from '../../reports/callback-encoding.js';
import type { CallbackOutcome, CallbackReceiver, IncomingCallback } from '../../reports/receive-callback.js';
import { isRedisUnavailable } from '../error-handler.js';
import { requestIdField } from '../request-context.js';

/**
 * A callback body cut off in transit. Answered 400, and nothing is stored; sending the whole body
 * again may well succeed, so it is retryable.
 */
export class IncompleteBodyError extends AppError {
  constructor() {
    super('body_incomplete', 'The request body did not arrive whole; nothing was stored', { retryable: true });
  }
}

/**
 * A compressed body whose bytes on the wire are over the limit although its content is not (many
 * empty gzip members decode to nothing): what is kept is the body as it arrived, so that is bounded too.
 */
export class WireBodyTooLargeError extends AppError {
  constructor(limit: number) {
    super('payload_too_large', `The body is larger than the limit of ${limit} bytes as sent`, { retryable: false });
  }
}

/**
 * Collects a request body's bytes as they come off the wire, beside body-parser (which hands on
 * only the decoded content), so a body sent with a Content-Encoding is kept as it arrived. At most
 * `maxBytes` are collected.
 */
function tapWireBytes(req: Request, maxBytes: number): { overflowed(): boolean; bytes(): Buffer } {
  const chunks: Buffer[] = [];
  let total = 0;
  req.on('data', (chunk: Buffer) => {
    total += chunk.length;
    if (total <= maxBytes) chunks.push(chunk);
    else chunks.length = 0;
  });
  return { overflowed: () => total > maxBytes, bytes: () => Buffer.concat(chunks) };
}

export interface ScheduleCallbackReceiver {
  authenticate(scheduleId: string, secret: string): Promise<boolean>;
  receive(scheduleId: string, callback: IncomingCallback): Promise<CallbackOutcome>;
}

export interface CallbackRouteDeps {
  reports: CallbackReceiver;
  schedules?: ScheduleCallbackReceiver;
  maxBytes: number;
  metrics?: Pick<ServiceMetrics, 'callback'>;
}

/** Seconds a sender is asked to wait before sending a callback again that too few replicas confirmed: a failover takes a few. */
const NOT_REPLICATED_RETRY_AFTER_SECONDS = 1;

/** What ended a callback before the receiver answered, as its outcome label; the error handler answers it. */
function failureOutcome(error: unknown): CallbackOutcomeLabel {
  if (error instanceof IncompleteBodyError) return 'incomplete';
  if (error instanceof WireBodyTooLargeError) return 'too_large';
  // body-parser's own error for a body over the limit.
  if (error instanceof Error && (error as { type?: unknown }).type === 'entity.too.large') return 'too_large'; // as: body-parser's errors carry `type`
  if (isRedisUnavailable(error)) return 'unavailable';
  return 'error';
}

/** How each outcome is said in HTTP: Losant (or whoever calls) only needs to know whether to send again. */
function answer(outcome: CallbackOutcome): { status: number; body: unknown } {
  switch (outcome.kind) {
    case 'accepted':
      return { status: 202, body: { received: true, reportId: outcome.reportId } };
    case 'duplicate':
      return { status: 200, body: { received: true, duplicate: true, reportId: outcome.reportId } };
    case 'kept_as_version':
      return { status: 202, body: { received: true, kept: true, reportId: outcome.reportId } };
    case 'versions_full':
      return {
        status: 409,
        body: { error: { code: 'callback_versions_full', message: 'this report already keeps the most different deliveries of its callback' } },
      };
    case 'claimed_by_other':
      // Stored (beside the report) and never to be processed: the sender need not send it again.
      return { status: 200, body: { received: true, kept: true, reportId: outcome.reportId, runTakenBy: outcome.claimedBy } };
    case 'empty':
      return { status: 400, body: { error: { code: 'callback_empty', message: 'the callback has no body; nothing was stored' } } };
    case 'not_found':
      return { status: 404, body: { error: { code: 'not_found', message: 'Not found' } } };
    case 'job_mismatch':
      return {
        status: 409,
        body: { error: { code: 'job_mismatch', message: `this report belongs to Losant job ${outcome.expectedJobId}, not ${outcome.callbackJobId}` } },
      };
    case 'not_replicated':
      return {
        status: 503,
        body: {
          error: {
            code: 'not_replicated',
            message: `the callback was kept, but ${outcome.acked} of the ${outcome.wanted} Redis replicas required confirmed it in time; send it again`,
          },
        },
      };
  }
}

function send(res: Response, outcome: CallbackOutcome): void {
  const { status, body } = answer(outcome);
  if (outcome.kind === 'not_replicated') res.set('Retry-After', String(NOT_REPLICATED_RETRY_AFTER_SECONDS));
  res.status(status).json(body);
}

/**
 * Losant's callbacks. The secret in the URL is checked before the body is read (an unknown or
 * wrong one gets a 404 that reveals nothing); only then is the body read, raw, whatever its
 * type, up to the size limit, and handed to the receiver with what the check found.
 */
export function callbackRoutes(deps: CallbackRouteDeps): Router {
  const router = Router();
  const rawBody = express.raw({ type: () => true, limit: deps.maxBytes });
  const readBody = (req: Request, res: Response) =>
    new Promise<void>((resolve, reject) => {
      // body-parser hands its own errors (too large, aborted) to `next`; they carry the status the error handler answers with.
      // Express's Request is the IncomingMessage Node made, extended in place.
      // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- see above
      rawBody(req, res, (error?: unknown) =>
        error === undefined ? resolve() : reject(error instanceof Error ? error : new Error('reading the callback body failed')),
      );
    });

  const incoming = (req: Request, res: Response, wire: ReturnType<typeof tapWireBytes> | null): IncomingCallback => {
    const content = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    return {
      ...(wire === null ? { body: content } : { body: wire.bytes(), decoded: content }),
      contentType: req.get('content-type') ?? null,
      headers: req.headers,
      ...requestIdField(res),
    };
  };

  /**
   * Authenticates, then reads the body, then receives. What a successful check found (the
   * report's match, for reports) goes straight to `receive`, so a callback reads its record once.
   */
  function callbackRoute<Match>(
    kind: CallbackRoute,
    authenticate: (id: string, secret: string) => Promise<Match | null>,
    receive: (id: string, callback: IncomingCallback, match: Match) => Promise<CallbackOutcome>,
  ): RequestHandler<{ id: string; secret: string }> {
    return (req, res, next) => {
      const { id, secret } = req.params;
      const answer = (outcome: CallbackOutcome): void => {
        deps.metrics?.callback(kind, outcome.kind);
        send(res, outcome);
      };
      const handle = async () => {
        const match = await authenticate(id, secret);
        if (match === null) {
          answer({ kind: 'not_found' });
          return;
        }
        // Attached before body-parser's own reader, in the same turn, so both see every chunk.
        const wire = callbackEncodingOf(req.headers['content-encoding']) === null ? null : tapWireBytes(req, deps.maxBytes);
        await readBody(req, res);
        // A body cut off in transit (a dropped connection, broken chunking) while the secret was
        // being checked arrives here unread. Kept as an empty callback, it would make Losant's
        // resend of the real one a "duplicate"; refusing it keeps the report waiting for that resend.
        if (!req.complete) throw new IncompleteBodyError();
        if (wire?.overflowed() === true) throw new WireBodyTooLargeError(deps.maxBytes);
        const callback = incoming(req, res, wire);
        // An empty first delivery kept as the callback would make the real one a repeat: refused, for reports and schedules alike.
        const empty = (callback.decoded ?? callback.body).length === 0;
        answer(empty ? { kind: 'empty' } : await receive(id, callback, match));
      };
      handle().catch((error: unknown) => {
        deps.metrics?.callback(kind, failureOutcome(error));
        next(error);
      });
    };
  }

  const reports = callbackRoute(
    'report',
    (id, secret) => deps.reports.authenticate(id, secret),
    (id, callback, match) => deps.reports.receive(id, callback, match),
  );
  const schedules = deps.schedules;
  const scheduleRoute =
    schedules &&
    callbackRoute(
      'schedule',
      async (id, secret) => ((await schedules.authenticate(id, secret)) ? true : null),
      (id, callback) => schedules.receive(id, callback),
    );
  for (const method of ['post', 'put'] as const) {
    router[method]('/callbacks/r/:id/:secret', reports);
    if (scheduleRoute) router[method]('/callbacks/s/:id/:secret', scheduleRoute);
  }
  router.all('/callbacks/{*rest}', (req, res) => {
    deps.metrics?.callback(req.path.startsWith('/callbacks/s/') ? 'schedule' : 'report', 'not_found');
    send(res, { kind: 'not_found' });
  });
  return router;
}
