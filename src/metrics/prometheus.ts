import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { REPORT_STATUSES } from '../reports/state-machine.js';
import { downloadErrorLabel, mailErrorLabel, methodLabel, statusLabel } from './labels.js';
import type { ServiceMetrics } from './metrics.js';

/** Job states whose counts are shown: what waits, runs, waits for a retry, and failed for good. */
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

/** What is read from Redis at each scrape, rather than counted as it happens. */
export interface ScrapeSources {
  /** Reports in each status now (the store's status indexes, ZCARD each). */
  reportsByStatus: () => Promise<Record<string, number>>;
  /** Jobs in each state now (BullMQ's getJobCounts). */
  queueJobs: () => Promise<Record<string, number>>;
}

/** What an answer to a scrape needs: the text and its content type. */
export interface Exposition {
  contentType: string;
  body: string;
}

/**
 * The Prometheus side of ServiceMetrics: one Registry per service instance (never prom-client's
 * global one, so several services in one process, as in the tests, keep their own numbers), the
 * default process metrics registered on it once, and the gauges read from Redis on each scrape.
 */
export function createPrometheusMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  let sources: ScrapeSources | null = null;

  const httpDuration = new Histogram({
    name: 'report_relay_http_request_duration_seconds',
    help: 'HTTP requests answered, by route pattern, method and status, and how long they took',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const callbacks = new Counter({
    name: 'report_relay_callbacks_total',
    help: 'Callbacks received, by route (report or schedule) and what became of them',
    labelNames: ['route', 'outcome'] as const,
    registers,
  });
  const statusChanges = new Counter({
    name: 'report_relay_report_status_changes_total',
    help: 'Report records moved into a status (created in it included)',
    labelNames: ['to'] as const,
    registers,
  });
  const jobSteps = new Histogram({
    name: 'report_relay_job_step_duration_seconds',
    help: 'Report job steps run, by step and outcome, and how long they took',
    labelNames: ['step', 'outcome'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registers,
  });
  const downloadBytes = new Counter({
    name: 'report_relay_download_bytes_total',
    help: 'Bytes of report CSVs downloaded (decoded, as written to disk)',
    registers,
  });
  const downloadRefusals = new Counter({
    name: 'report_relay_download_refusals_total',
    help: 'Downloads the guard refused: a private address, a host or port not allowed, over the size limit, an unsafe link',
    labelNames: ['reason'] as const,
    registers,
  });
  const downloadFailures = new Counter({
    name: 'report_relay_download_failures_total',
    help: 'Downloads that failed otherwise: the server, the network, a timeout, the disk',
    labelNames: ['reason'] as const,
    registers,
  });
  const emailsSent = new Counter({
    name: 'report_relay_emails_sent_total',
    help: 'Report emails handed to the mail server (or written to the outbox)',
    registers,
  });
  const emailFailures = new Counter({
    name: 'report_relay_email_failures_total',
    help: 'Report email hand-offs that failed, by reason',
    labelNames: ['reason'] as const,
    registers,
  });
  const losantRequests = new Counter({
    name: 'report_relay_losant_requests_total',
    help: "Requests to Losant's API (each attempt), by action and HTTP status (timeout or network when no answer came)",
    labelNames: ['action', 'status'] as const,
    registers,
  });
  const missedRuns = new Counter({
    name: 'report_relay_schedule_missed_runs_total',
    help: 'Schedule runs recorded as missed: no callback by CALLBACK_OVERDUE_MS after the fire time',
    registers,
  });
  const redisErrors = new Counter({
    name: 'report_relay_redis_errors_total',
    help: "Redis errors: connection 'error' events, commands a request needed, the job worker's, and scrapes",
    labelNames: ['source'] as const,
    registers,
  });

  /** Sets a gauge from a source read at scrape time; a failed read drops its values (no stale numbers) and is counted. */
  const collectInto = async (
    gauge: { reset(): void },
    set: (name: string, value: number) => void,
    names: readonly string[],
    read: () => Promise<Record<string, number>>,
  ): Promise<void> => {
    gauge.reset();
    try {
      const counts = await read();
      for (const name of names) set(name, counts[name] ?? 0);
    } catch {
      redisErrors.inc({ source: 'scrape' });
    }
  };
  new Gauge({
    name: 'report_relay_reports',
    help: 'Report records in each status now (read from Redis at each scrape; the same in every process)',
    labelNames: ['status'] as const,
    registers,
    async collect() {
      if (sources) await collectInto(this, (status, value) => this.set({ status }, value), REPORT_STATUSES, sources.reportsByStatus);
    },
  });
  new Gauge({
    name: 'report_relay_queue_jobs',
    help: 'Report jobs in each queue state now (read from Redis at each scrape; the same in every process)',
    labelNames: ['state'] as const,
    registers,
    async collect() {
      if (sources) await collectInto(this, (state, value) => this.set({ state }, value), QUEUE_STATES, sources.queueJobs);
    },
  });

  // Known label values start at 0, so a rate() or increase() over them works from the first scrape on.
  for (const source of ['connection', 'command', 'worker', 'scrape'] as const) redisErrors.inc({ source }, 0);
  for (const to of REPORT_STATUSES) statusChanges.inc({ to }, 0);
  for (const outcome of ['accepted', 'duplicate', 'not_found', 'job_mismatch', 'unavailable', 'error'] as const) callbacks.inc({ route: 'report', outcome }, 0);
  for (const reason of ['private_address', 'host_not_allowed', 'too_large'] as const) downloadRefusals.inc({ reason }, 0);
  for (const reason of ['smtp_transient', 'smtp_rejected', 'smtp_auth_failed'] as const) emailFailures.inc({ reason }, 0);

  const metrics: ServiceMetrics = {
    httpRequest: (route, method, status, seconds) => httpDuration.observe({ route, method: methodLabel(method), status: statusLabel(status) }, seconds),
    callback: (route, outcome) => callbacks.inc({ route, outcome }),
    statusChanged: (to) => statusChanges.inc({ to }),
    jobStep: (step, outcome, seconds) => jobSteps.observe({ step, outcome }, seconds),
    downloaded: (bytes) => downloadBytes.inc(bytes),
    downloadFailed: (code) => {
      const { kind, reason } = downloadErrorLabel(code);
      (kind === 'refusal' ? downloadRefusals : downloadFailures).inc({ reason });
    },
    emailSent: () => emailsSent.inc(),
    emailFailed: (code) => emailFailures.inc({ reason: mailErrorLabel(code) }),
    losantCall: (action, status) => losantRequests.inc({ action, status: typeof status === 'number' ? statusLabel(status) : status }),
    missedRun: () => missedRuns.inc(),
    redisError: (source) => redisErrors.inc({ source }),
  };

  return {
    metrics,
    registry,
    /** Where the scrape-time gauges read from; set once the store and queue exist. */
    readAtScrape(given: ScrapeSources): void {
      sources = given;
    },
    async exposition(): Promise<Exposition> {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
export type PrometheusMetrics = ReturnType<typeof createPrometheusMetrics>;
