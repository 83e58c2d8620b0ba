import { hash } from 'node:crypto';
import type { Logger } from '../log.js';
import type { ReplicaWait } from '../redis-replica-wait.js';
import { traceFields, type Trace } from '../trace.js';
import type { EnqueueRun } from './enqueue-run.js';
import { callbackEncodingOf } from './callback-encoding.js';
import { keepHeaders } from './callback-headers.js';
import { callbackJobId } from './interpret-callback.js';
import type { CallbackInfo } from './record.js';
import type { RejectedCallbacks } from './rejected-callbacks.js';
import { REPORT_ID_PATTERN, SECRET_PATTERN, secretMatches } from './secrets.js';
import type { CallbackMatch, ReportStore } from './store.js';
import { unlessReplicated } from './unless-replicated.js';

export interface IncomingCallback {
  /** The body's bytes as they arrived (compressed when the request had a Content-Encoding). */
  body: Buffer;
  /** The body's content, when it arrived compressed (the HTTP layer decoded it within the size limit); otherwise `body` is the content. */
  decoded?: Buffer;
  contentType: string | null;
  headers: Record<string, string | string[] | undefined>;
  /** The id the web process gave the request (for log lines, and the job's, so the worker's lines name it too). */
  requestId?: string;
}

/** What became of a callback; src/http/routes/callbacks.ts says it in HTTP. */
export type CallbackOutcome =
  | { kind: 'accepted'; reportId: string }
  | { kind: 'duplicate'; reportId: string }
  /** Another body than the current callback's, kept beside it for when that one cannot be used. */
  | { kind: 'kept_as_version'; reportId: string }
  | { kind: 'versions_full'; reportId: string }
  /** Another report of its re-requested group took the run first: kept beside the report, not processed. */
  | { kind: 'claimed_by_other'; reportId: string; claimedBy: string }
  /** No body at all: refused, nothing stored (a first empty delivery must not stand for the real one). */
  | { kind: 'empty' }
  | { kind: 'not_found' }
  | { kind: 'job_mismatch'; expectedJobId: string; callbackJobId: string }
  /**
   * Kept, but fewer Redis replicas than REDIS_WAIT_REPLICAS confirmed it in time: a failover now
   * could lose it, so the sender is asked to send it again (the repeat is a duplicate, answered 2xx
   * once the replicas have it). Not enqueued from this delivery (see unless-replicated.ts).
   */
  | { kind: 'not_replicated'; acked: number; wanted: number };

export const NOT_FOUND: CallbackOutcome = { kind: 'not_found' };

export function buildCallbackInfo(callback: IncomingCallback, now: Date): CallbackInfo {
  const { headers, dropped } = keepHeaders(callback.headers);
  const encoding = callback.decoded === undefined ? null : callbackEncodingOf(callback.headers['content-encoding']);
  return {
    receivedAt: now.toISOString(),
    contentType: callback.contentType,
    bytes: callback.body.length,
    sha256: hash('sha256', callback.body, 'hex'),
    headers,
    jobId: callbackJobId(callback.decoded ?? callback.body, callback.contentType, headers),
    duplicates: 0,
    ...(dropped > 0 ? { headersDropped: dropped } : {}),
    ...(encoding === null ? {} : { contentEncoding: encoding }),
  };
}

export interface CallbackReceiverDeps {
  store: ReportStore;
  enqueue: EnqueueRun;
  rejected: RejectedCallbacks;
  logger: Logger;
  /**
   * REDIS_WAIT_REPLICAS, on the connection the store writes on. The queue adds its jobs on that
   * connection too (src/service.ts), but the WAIT comes before the enqueue, not after: a job lost
   * to a failover leaves its record in callback_received, which the reconciler enqueues again (and
   * the 503's resend at once). None: nothing is waited for.
   */
  replicas?: ReplicaWait;
  now?: () => Date;
}

/**
 * Persist, then acknowledge, then enqueue. The callback is stored and the record moved in one
 * atomic step; if enqueueing fails afterwards the record is safe in callback_received and the
 * reconciler enqueues it. Nothing is acknowledged that is not stored.
 */
export function createCallbackReceiver(deps: CallbackReceiverDeps) {
  const now = deps.now ?? (() => new Date());

  /**
   * Checks the id and secret from the URL before any body is read. Returns what `receive` needs
   * of the record when they match (read together with the secret's hash, so a callback costs one
   * read), null when they do not.
   */
  async function authenticate(reportId: string, secret: string): Promise<CallbackMatch | null> {
    if (!REPORT_ID_PATTERN.test(reportId) || !SECRET_PATTERN.test(secret)) {
      secretMatches(secret, null); // same work as a real comparison
      return null;
    }
    const match = await deps.store.getCallbackMatch(reportId);
    return secretMatches(secret, match?.secretHash) ? match : null;
  }

  /** Enqueues a stored run; a failure is left to the reconciler, which finds the run without a job. */
  async function enqueueOrLeave(reportId: string, run: number, trace: Trace, message: string): Promise<void> {
    try {
      await deps.enqueue(reportId, run, trace);
    } catch (error) {
      deps.logger.error({ reportId, ...traceFields(trace), err: error }, message);
    }
  }

  /** `match`: what authenticate returned for this request; read again when not given. */
  async function receive(reportId: string, callback: IncomingCallback, match?: CallbackMatch): Promise<CallbackOutcome> {
    const info = buildCallbackInfo(callback, now());
    // The report and request ids go into each line rather than a child logger: a pino child costs
    // more than the line itself, on every callback.
    const log = deps.logger;
    const trace = traceFields(callback);
    const ids = { reportId, ...trace };
    const record = match ?? (await deps.store.getCallbackMatch(reportId));
    if (!record) return NOT_FOUND;
    const expected = record.losant.jobId;
    if (expected !== null && info.jobId !== null && expected !== info.jobId) {
      const reason = `names Losant job ${info.jobId}, but this report belongs to job ${expected}`;
      await deps.rejected.keep(reportId, info, callback.body, reason);
      await deps.store.addNote(reportId, `refused a callback that ${reason}; it is kept beside the report`);
      log.warn({ ...ids, expectedJobId: expected, callbackJobId: info.jobId }, 'callback names another Losant job; refused and kept');
      return { kind: 'job_mismatch', expectedJobId: expected, callbackJobId: info.jobId };
    }

    const result = await deps.store.acceptCallback(reportId, { info, body: callback.body }, record.group);
    if (result.kind === 'missing') return NOT_FOUND;
    const replicated = () => unlessReplicated(deps.replicas, log, { ...ids, outcome: result.kind });
    if (result.kind === 'claimed_by_other') {
      const reason = `came after report ${result.reportId}, asked of Losant in this one's place (or this one's in its), took the run`;
      await deps.rejected.keep(reportId, info, callback.body, reason);
      await deps.store.addNote(reportId, `a callback ${reason}; it is kept beside the report, not processed`);
      log.info({ ...ids, claimedBy: result.reportId }, 'callback for a report whose re-requested twin took the run; kept');
      return (await replicated()) ?? { kind: 'claimed_by_other', reportId, claimedBy: result.reportId };
    }
    if (result.kind === 'kept_as_version' || result.kind === 'versions_full') {
      log.info({ ...ids, bytes: info.bytes, outcome: result.kind }, 'callback with another body than the one being processed');
      return (result.kind === 'kept_as_version' ? await replicated() : null) ?? { kind: result.kind, reportId };
    }
    if (result.kind === 'replaced') {
      const refused = await replicated();
      if (refused) return refused;
      await enqueueOrLeave(reportId, result.runs, trace, 'new version of the callback stored but not enqueued; the reconciler will enqueue it');
      log.info({ ...ids, run: result.runs }, 'new version of an unusable callback: processing it');
      return { kind: 'accepted', reportId };
    }
    if (result.kind === 'duplicate') {
      // The resend of a callback answered 503 for want of replicas comes here: its bookkeeping
      // (the duplicate count) is a write on the same connection, so WAIT covers the first delivery too.
      const refused = await replicated();
      if (refused) return refused;
      // The first delivery may have been stored but not enqueued (Redis went away in between and
      // its sender got an error, so it tries again): the job id is deterministic, so enqueueing
      // again is a no-op when the job exists and repairs it at once when it does not.
      await deps.enqueue(reportId, record.runs, trace).catch((error: unknown) => {
        log.warn({ ...ids, err: error }, 'repeated callback: enqueue failed; the reconciler will enqueue it');
      });
      log.info({ ...ids, bytes: info.bytes }, 'repeated callback acknowledged; already received');
      return { kind: 'duplicate', reportId };
    }
    if (expected === null && info.jobId !== null) {
      await deps.store.recordLosantJob(reportId, { ...record.losant, jobId: info.jobId });
    }
    const refused = await replicated();
    if (refused) return refused;
    await enqueueOrLeave(reportId, record.runs, trace, 'callback stored but not enqueued; the reconciler will enqueue it');
    // The request's own line (status 202, path with the report id) says as much at info.
    log.debug({ ...ids, bytes: info.bytes, contentType: info.contentType }, 'callback received');
    return { kind: 'accepted', reportId };
  }

  return { authenticate, receive };
}
export type CallbackReceiver = ReturnType<typeof createCallbackReceiver>;
