import { setTimeout as wait } from 'node:timers/promises';
import { z } from 'zod';
import { describeIssues, errorCode } from '../errors.js';
import type { Logger } from '../log.js';
import type { ServiceMetrics } from '../metrics/metrics.js';
import { LosantApiError, LosantValidationError, codeForStatus, type LosantAction, type LosantApiErrorInit, type LosantErrorCode } from './errors.js';
import { instanceIdSchema, instancePatchBodySchema, reportOptionsSchema, type InstancePatchBody, type ReportOptions } from './request-schemas.js';
import { historicalSummariesQuery, payloadCountsBreakdownQuery, payloadCountsQuery, rangeOrder, rangeQuery } from './query-schemas.js';
import {
  deviceCountsSchema,
  errorSchema,
  historicalSummariesSchema,
  instanceSchema,
  jobEnqueuedApiResultSchema,
  notebookMinuteCountsSchema,
  payloadCountsBreakdownSchema,
  payloadStatsSchema,
  successSchema,
  type DeviceCounts,
  type HistoricalSummaries,
  type Instance,
  type NotebookMinuteCounts,
  type PayloadCountsBreakdown,
  type PayloadStats,
} from './response-schemas.js';
import { parseRetryAfter, retryDelay } from './retry.js';

/** The API version range this client is written against (Losant picks the newest match). */
export const LOSANT_ACCEPT_VERSION = '^1.30.0';

export interface LosantClientOptions {
  /** e.g. https://api.losant.com (a path prefix is kept). */
  baseUrl: string;
  token: string;
  instanceId: string;
  /** Per attempt, headers and body included. Default 15 000. */
  timeoutMs?: number;
  /** Retries after the first attempt. Default 3. */
  maxRetries?: number;
  /** Default 500. */
  baseDelayMs?: number;
  /** Caps both backoff and Retry-After. Default 30 000. */
  maxDelayMs?: number;
  logger?: Logger;
  fetch?: typeof fetch;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Clock for Retry-After dates. Default Date.now. */
  now?: () => number;
  /** Where each attempt is counted, by action and status. */
  metrics?: Pick<ServiceMetrics, 'losantCall'>;
}

/** A moment given as a Date or as milliseconds since the epoch. */
export type Timestamp = Date | number;
export interface TimeRange {
  start: Timestamp;
  end: Timestamp;
}
export interface PayloadCountsQuery extends TimeRange {
  asBytes?: boolean;
}
export interface PayloadCountsBreakdownQuery extends TimeRange {
  resolution?: 86400000 | 3600000;
  asBytes?: boolean;
  includeNonBillable?: boolean;
}
export interface HistoricalSummariesQuery {
  month?: Timestamp;
  sortField?: 'resourceId' | 'currentPeriodStart';
  sortDirection?: 'asc' | 'desc';
  page?: number;
  perPage?: number;
  filterField?: 'resourceType' | 'resourceId' | 'ownerId' | 'ownerType';
  filter?: string;
}
/** generateReport's body; start and end may also be Dates (sent as ISO date-times). */
export type GenerateReportOptions = Omit<ReportOptions, 'start' | 'end'> & { start?: Date | string | undefined; end?: Date | string | undefined };
/** `legacy` is true for the pre-v1.24.2 answer `200 {success: true}`, which carries no job id. */
export interface GenerateReportResult {
  jobId: string | null;
  legacy: boolean;
}

export interface LosantClient {
  readonly instanceId: string;
  get(): Promise<Instance>;
  patch(body: InstancePatchBody): Promise<Instance>;
  generateReport(options?: GenerateReportOptions): Promise<GenerateReportResult>;
  deviceCounts(range: TimeRange): Promise<DeviceCounts>;
  notebookMinuteCounts(range: TimeRange): Promise<NotebookMinuteCounts>;
  payloadCounts(query: PayloadCountsQuery): Promise<PayloadStats>;
  payloadCountsBreakdown(query: PayloadCountsBreakdownQuery): Promise<PayloadCountsBreakdown>;
  historicalSummaries(query?: HistoricalSummariesQuery): Promise<HistoricalSummaries>;
}

// ---- what goes out: bodies (query parameters use query-schemas.ts) ----

const reportTimes = (options: unknown): unknown => {
  if (typeof options !== 'object' || options === null) return options;
  const copy: Record<string, unknown> = { ...options };
  for (const key of ['start', 'end'] as const) {
    const value = copy[key];
    if (value instanceof Date) copy[key] = Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  }
  return copy;
};
const reportBody = z
  .preprocess(reportTimes, reportOptionsSchema)
  .refine((o) => o.start === undefined || o.end === undefined || Date.parse(o.start) <= Date.parse(o.end), rangeOrder);

const clientOptions = z.looseObject({
  baseUrl: z.url({ protocol: /^https?$/u, message: 'must be an absolute http(s) URL' }),
  token: z.string({ message: 'is required' }).min(1, 'is required'),
  instanceId: instanceIdSchema,
  timeoutMs: z.number().int().positive().optional(),
  maxRetries: z.number().int().min(0).max(20).optional(),
  baseDelayMs: z.number().int().min(0).optional(),
  maxDelayMs: z.number().int().min(0).optional(),
});

function validate<S extends z.ZodType>(action: LosantAction | 'createLosantClient', schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new LosantValidationError(action, describeIssues(result.error.issues));
  return result.data;
}

type QueryValues = Record<string, string | number | boolean | undefined>;

const queryString = (values: QueryValues): Record<string, string> =>
  Object.fromEntries(Object.entries(values).flatMap(([key, value]) => (value === undefined ? [] : [[key, String(value)]])));

// ---- how it goes: one attempt, then the retry decision ----

type Outcome =
  | { kind: 'answer'; status: number; retryAfter: string | null; text: string }
  | { kind: 'timeout'; error: unknown }
  | { kind: 'network'; error: unknown; neverSent: boolean };

type Parsed<T> = { ok: true; value: T } | { ok: false; problems: string[] };

interface Call<T> {
  action: LosantAction;
  method: 'GET' | 'PATCH' | 'POST';
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  parse: (status: number, body: unknown) => Parsed<T>;
}

type Verdict<T> = { value: T } | { error: LosantApiError; retryable: boolean; retryAfterMs?: number | undefined };

/** Connection failures that happen before a single byte of the request leaves this process. */
const NEVER_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

function provesNothingSent(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 5) return false;
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.every((inner) => provesNothingSent(inner, depth + 1));
  const code = errorCode(error);
  if (typeof code === 'string') return NEVER_SENT_CODES.has(code);
  return provesNothingSent(error.cause, depth + 1);
}

function fromSchema<T>(schema: z.ZodType<T>): (status: number, body: unknown) => Parsed<T> {
  return (_status, body) => {
    const result = schema.safeParse(body);
    return result.success ? { ok: true, value: result.data } : { ok: false, problems: describeIssues(result.error.issues) };
  };
}

function parseReportAnswer(_status: number, body: unknown): Parsed<GenerateReportResult> {
  const queued = jobEnqueuedApiResultSchema.safeParse(body);
  if (queued.success) return { ok: true, value: { jobId: queued.data.jobId, legacy: false } };
  const legacy = successSchema.safeParse(body);
  const hasJobFields = typeof body === 'object' && body !== null && ('jobId' in body || 'jobQueued' in body);
  if (legacy.success && !hasJobFields) return { ok: true, value: { jobId: null, legacy: true } };
  return { ok: false, problems: describeIssues(queued.error.issues) };
}

export function createLosantClient(options: LosantClientOptions): LosantClient {
  validate('createLosantClient', clientOptions, options);
  const {
    token,
    instanceId,
    timeoutMs = 15_000,
    maxRetries = 3,
    baseDelayMs = 500,
    maxDelayMs = 30_000,
    logger,
    fetch: fetchImpl = globalThis.fetch,
    random = Math.random,
    sleep = (ms: number) => wait(ms),
    now = Date.now,
    metrics,
  } = options;
  const base = new URL(options.baseUrl);
  const prefix = `${base.pathname.replace(/\/+$/u, '')}/instances/${instanceId}`;

  async function attempt(url: URL, init: RequestInit): Promise<Outcome> {
    // One signal covers the headers and the body: a server that stalls mid-body is a timeout too.
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const response = await fetchImpl(url, { ...init, signal });
      const text = await response.text();
      return { kind: 'answer', status: response.status, retryAfter: response.headers.get('retry-after'), text };
    } catch (error) {
      if (signal.aborted) return { kind: 'timeout', error };
      return { kind: 'network', error, neverSent: provesNothingSent(error) };
    }
  }

  /*
   * Which failures are retried. Every action but generateReport is idempotent (GETs; a PATCH sets
   * the same fields to the same values), so any transient failure is retried: 429, 5xx, network
   * errors, timeouts. A 400/401/403/404 says the request itself is wrong and is never retried.
   *
   * generateReport queues a job, so a second request may mean a second report. We assume that a
   * 429 or 5xx *answer* means Losant queued nothing (429 is its "a report is already running"; a
   * 5xx is a failure to handle the request), so those are retried. That assumption is not
   * documented by Losant: a gateway 502/504 could hide a queued job, in which case the worst
   * outcome is a duplicate report, which the callback receiver already tolerates (every delivery
   * is treated as possibly repeated, matched by the secret in its URL). A timeout, or a network
   * error after the connection was open (reset, socket closed), proves nothing either way: Losant
   * may have queued the job and its answer was lost. Those are not retried; the caller gets
   * 'losant_outcome_unknown' and can wait for the callback (still matched by its secret) or
   * decide to ask again. Connection errors that prove nothing was sent (refused, DNS failure,
   * connect timeout) are as safe to retry for generateReport as for any other action.
   */
  function judge<T>(call: Call<T>, outcome: Outcome, attempts: number): Verdict<T> {
    const { action } = call;
    const fail = (code: LosantErrorCode, message: string, extra: Partial<LosantApiErrorInit> = {}) =>
      new LosantApiError({ action, code, message: `Losant ${action}: ${message}`, attempts, ...extra });

    if (outcome.kind === 'timeout' || outcome.kind === 'network') {
      const what = outcome.kind === 'timeout' ? `no answer within ${timeoutMs} ms` : `network error (${describeNetworkError(outcome.error)})`;
      const unknown = action === 'generateReport' && !(outcome.kind === 'network' && outcome.neverSent);
      if (unknown) {
        return {
          error: fail('losant_outcome_unknown', `${what}; the report may or may not have been queued`, { cause: outcome.error }),
          retryable: false,
        };
      }
      const code = outcome.kind === 'timeout' ? 'losant_timeout' : 'losant_unreachable';
      return { error: fail(code, what, { cause: outcome.error }), retryable: true };
    }

    const { status, text } = outcome;
    let body: unknown;
    let jsonError: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      jsonError = error;
    }

    if (status >= 200 && status < 300) {
      if (jsonError !== undefined) {
        return {
          error: fail('losant_bad_response', `HTTP ${status} with a body that is not JSON`, { httpStatus: status, cause: jsonError }),
          retryable: false,
        };
      }
      const parsed = call.parse(status, body);
      if (parsed.ok) return { value: parsed.value };
      return {
        error: fail('losant_bad_response', `HTTP ${status} with an unexpected body: ${parsed.problems.join('; ')}`, {
          httpStatus: status,
          details: { problems: parsed.problems },
        }),
        retryable: false,
      };
    }

    const errorBody = errorSchema.safeParse(body);
    const losantType = errorBody.success ? errorBody.data.type : undefined;
    const losantMessage = errorBody.success ? errorBody.data.message : undefined;
    const said = [losantType, losantMessage].filter((part) => part !== undefined).join(': ');
    const retryable = status === 429 || status >= 500;
    return {
      error: fail(codeForStatus(status), `HTTP ${status}${said === '' ? '' : ` ${said}`}`, { httpStatus: status, losantType, losantMessage }),
      retryable,
      retryAfterMs: retryable ? parseRetryAfter(outcome.retryAfter, now()) : undefined,
    };
  }

  async function send<T>(call: Call<T>): Promise<T> {
    const url = new URL(`${prefix}${call.path}`, base);
    for (const [key, value] of Object.entries(call.query ?? {})) url.searchParams.set(key, value);
    const headers: Record<string, string> = {
      Authorization: `Bearer ${token}`,
      'Accept-Version': LOSANT_ACCEPT_VERSION,
      Accept: 'application/json',
    };
    const init: RequestInit = { method: call.method, headers, redirect: 'manual' };
    if (call.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(call.body);
    }

    const startedAt = now();
    for (let attempts = 1; ; attempts += 1) {
      const outcome = await attempt(url, init);
      metrics?.losantCall(call.action, outcome.kind === 'answer' ? outcome.status : outcome.kind);
      const verdict = judge(call, outcome, attempts);
      if ('value' in verdict) {
        logger?.debug({ action: call.action, attempts, ms: now() - startedAt }, 'losant call succeeded');
        return verdict.value;
      }
      const { error } = verdict;
      if (!verdict.retryable || attempts > maxRetries) throw error;
      const delayMs = retryDelay(attempts - 1, verdict.retryAfterMs, { baseDelayMs, maxDelayMs, random });
      // Never the token, the URL's query or a body: bodies may carry callback URLs with secrets.
      logger?.warn({ action: call.action, attempts, httpStatus: error.httpStatus, code: error.code, delayMs }, 'losant call failed; retrying');
      await sleep(delayMs);
    }
  }

  /**
   * A read action: the query is checked here (nothing is sent when it is wrong), sent as strings,
   * and the answer checked against Losant's schema. `querySchema` null: the action takes no query.
   */
  function getAction<A>(
    action: LosantAction,
    path: string,
    querySchema: z.ZodType<QueryValues | undefined> | null,
    answerSchema: z.ZodType<A>,
  ): (query?: unknown) => Promise<A> {
    const parse = fromSchema(answerSchema);
    return async (query) => {
      const values = querySchema === null ? undefined : validate(action, querySchema, query);
      return send({ action, method: 'GET', path, ...(values === undefined ? {} : { query: queryString(values) }), parse });
    };
  }

  return {
    instanceId,
    get: getAction('get', '', null, instanceSchema),

    patch: async (body) => {
      const checked = validate('patch', instancePatchBodySchema, body);
      return send({ action: 'patch', method: 'PATCH', path: '', body: checked, parse: fromSchema<Instance>(instanceSchema) });
    },

    generateReport: async (reportOptions) => {
      const checked = reportOptions === undefined ? undefined : validate('generateReport', reportBody, reportOptions);
      return send({ action: 'generateReport', method: 'POST', path: '/generateReport', body: checked, parse: parseReportAnswer });
    },

    deviceCounts: getAction('deviceCounts', '/deviceCounts', rangeQuery, deviceCountsSchema),
    notebookMinuteCounts: getAction('notebookMinuteCounts', '/notebookMinuteCounts', rangeQuery, notebookMinuteCountsSchema),
    payloadCounts: getAction('payloadCounts', '/payloadCounts', payloadCountsQuery, payloadStatsSchema),
    payloadCountsBreakdown: getAction('payloadCountsBreakdown', '/payloadCountsBreakdown', payloadCountsBreakdownQuery, payloadCountsBreakdownSchema),
    // Without a query Losant applies its defaults (this month, 100 per page).
    historicalSummaries: getAction('historicalSummaries', '/historicalSummaries', historicalSummariesQuery.optional(), historicalSummariesSchema),
  };
}

function describeNetworkError(error: unknown): string {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth += 1) {
    const code = errorCode(current);
    if (typeof code === 'string') return code;
  }
  return error instanceof Error ? error.message : 'unknown';
}
