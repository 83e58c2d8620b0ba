import type { Readable } from 'node:stream';
import type { Logger } from '../log.js';
import { LOSANT_ACTIONS, type LosantAction } from '../losant/errors.js';
import type { ReportOptions } from '../losant/request-schemas.js';
import type { ResolvedReport } from './report-options.js';

/** The simulator implements exactly the actions the client knows. */
export const ACTION_NAMES = LOSANT_ACTIONS;
export type ActionName = LosantAction;

/**
 * What the simulator POSTs to a callbackUrl (the receiver is written against these):
 * - 'json-url':    application/json `{"jobId", "status": "completed", "success": true, "url": "<download url>"}`
 * - 'json-urls':   application/json `{"jobId", "status": "completed", "output": {"downloadUrls": ["<url>"]}}`
 * - 'json-parts':  as 'json-urls', naming DOWNLOAD_PARTS links in order: the report's data rows split into
 *                  that many consecutive runs (as even as can be), each served as a CSV file with the header
 * - 'json-inline': application/json `{"jobId", "status": "completed", "csv": "<the whole CSV>"}`
 * - 'text-csv':    the CSV itself, `Content-Type: text/csv; charset=utf-8`, header `X-Losant-Job-Id: <jobId>`
 * - 'failure':     application/json `{"jobId", "status": "errored", "error": {"name": "ReportGenerationError", "message"}}`
 */
export type CallbackShape = 'json-url' | 'json-urls' | 'json-parts' | 'json-inline' | 'text-csv' | 'failure';
export const CALLBACK_SHAPES: readonly CallbackShape[] = ['json-url', 'json-urls', 'json-parts', 'json-inline', 'text-csv', 'failure'];

/** How many files a 'json-parts' callback names. */
export const DOWNLOAD_PARTS = 3;

export interface Faults {
  /** Extra copies of each callback, sent concurrently with the first (0 = none). */
  duplicateDelivery: number;
  /** Build the report and POST the callback (awaiting its answer) before answering generateReport's 202. */
  callbackBeforeAccept: boolean;
  /** Extra delay before the callback: a late callback. */
  callbackDelayMs: number;
  /** Never call back (the job still completes, so the next generateReport is accepted). */
  noCallback: boolean;
  /**
   * Scheduled runs that fire but never call back, as when Losant drops a run: the next `count`
   * runs of report configs (of `configId` only, when given). Each run skipped uses one up; the
   * job still completes and is marked `callbackSkipped`.
   */
  skipScheduledCallbacks: { count: number; configId?: string | undefined };
  /** The first GET of each download link answers 503. */
  downloadFailOnce: boolean;
  /** Download links are already expired when handed out (403). */
  downloadExpired: boolean;
  /**
   * payloadCountsBreakdown and payloadCounts count `delta` more billable payloads on this UTC day
   * (YYYY-MM-DD) than the report shows: a day where the report and Losant's counts disagree.
   */
  payloadCountsMismatch: { day: string; delta: number } | null;
  /**
   * historicalSummaries gives the first three organizations payload limits set from their billable
   * payloads over [start, end] (what a report over that range shows): the first is over its limit
   * (125%), the second at 85%, the third at 50% (projected over the month when the range covers
   * less than half of it). Other organizations keep the default limits. null: every organization
   * has the defaults.
   */
  limitScenario: { start: string; end: string } | null;
}

export interface FaultRule {
  /** Only requests to this action match; every API action when omitted. */
  action?: ActionName;
  /**
   * The status to answer. A 2xx without `body` delays (by delayMs) and then answers normally;
   * 0 destroys the connection without any answer (a network failure).
   */
  status: number;
  /** How many matching requests get this answer. */
  count: number;
  retryAfterSeconds?: number;
  delayMs?: number;
  /** Answer body; Losant's `{type, message}` error body for the status when omitted. */
  body?: unknown;
}

export interface SimulatorOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Seed of all fake data (default 1). */
  seed?: number;
  /** Default: a fixed 24-hex id derived from the seed. */
  instanceId?: string;
  /** Default: a random JWT-shaped token with the all.Instance scope. */
  token?: string;
  /** How many organizations (default 6). */
  organizations?: number;
  /**
   * Names for the first organizations, in place of the generated ones: hostile text (markup, a
   * formula, control characters) to prove that what shows or mails a name keeps it inert.
   */
  organizationNames?: readonly string[];
  /** From generateReport (or a config firing) to the callback (default 200). */
  reportDelayMs?: number;
  /** Lifetime of a download link (default 10 minutes). */
  downloadTtlMs?: number;
  callbackShape?: CallbackShape;
  faults?: Partial<Faults>;
  /**
   * Report config fields a newer Losant knows and this version does not: the simulator accepts
   * them in a PATCH and keeps them as given, as that Losant would (default none).
   */
  newerReportConfigFields?: readonly string[];
  now?: () => Date;
  logger?: Logger;
}

export interface SimRequest {
  /** null for anything that is not one of the 8 API actions (downloads, unknown paths). */
  action: ActionName | null;
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, string>;
  /** Parsed JSON, the raw text when it is not JSON, or undefined without a body. */
  body: unknown;
  at: Date;
}

export interface SimCallbackOutcome {
  /** HTTP status the callback URL answered. */
  status?: number;
  /** Why no answer came (connection refused, timeout...). */
  error?: string;
  at: Date;
}

export interface SimJob {
  jobId: string;
  options: ResolvedReport;
  source: 'api' | 'config';
  configId?: string;
  /** The time a config's run fired at (its cron's slot; triggerReportConfig: when it was called). */
  firedAt?: Date;
  /** The skipScheduledCallbacks fault kept this run from calling back. */
  callbackSkipped?: boolean;
  state: 'queued' | 'running' | 'done';
  /** Data rows of the CSV (header excluded). */
  rows: number;
  shape: CallbackShape;
  /** The whole report's link (every shape but 'failure'). */
  downloadUrl?: string;
  /** 'json-parts' only: the links of the report's parts, in order (downloadUrl still serves it whole). */
  downloadUrls?: string[];
  callbacks: SimCallbackOutcome[];
  createdAt: Date;
  completedAt?: Date;
}

export interface Simulator {
  /** Base URL, e.g. http://127.0.0.1:43123 (the API is at `${url}/instances/${instanceId}`). */
  url: string;
  instanceId: string;
  token: string;
  addToken(token: string, scopes: string[]): void;
  setCallbackShape(shape: CallbackShape): void;
  setFaults(faults: Partial<Faults>): void;
  injectFaults(rule: FaultRule): void;
  readonly requests: readonly SimRequest[];
  readonly jobs: readonly SimJob[];
  /** Resolves with the job once it is done (its callbacks answered or failed); rejects after timeoutMs (default 10 s). */
  waitForJob(jobId: string, timeoutMs?: number): Promise<SimJob>;
  /** Runs a stored report config now, as if its schedule fired; resolves when that job is done. */
  triggerReportConfig(configId: string): Promise<SimJob>;
  /** The CSV a job with these generateReport options would produce (defaults applied the same way). */
  buildReportCsv(options?: ReportOptions): Readable;
  close(): Promise<void>;
}

export type { ResolvedReport };
