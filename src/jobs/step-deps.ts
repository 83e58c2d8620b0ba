import type { Readable } from 'node:stream';
import type { ReplicaWait } from '../redis-replica-wait.js';
import type { AlertOnce } from '../alerts/alert-once.js';
import type { AlertChannels } from '../alerts/send-alerts.js';
import type { AlertKind } from '../alerts/types.js';
import type { RowTally } from '../csv/summarize-stream.js';
import type { AttachmentPaths } from '../csv/summarize-with-attachment.js';
import type { ArchiveTarget } from '../delivery/archive.js';
import type { DownloadCallOptions } from '../download/downloader.js';
import type { Mailer } from '../delivery/mailer.js';
import type { ReportChart } from '../delivery/report-chart.js';
import type { ReportInsights } from '../insights/types.js';
import type { Logger } from '../log.js';
import type { ServiceMetrics } from '../metrics/metrics.js';
import type { EnqueueRun } from '../reports/enqueue-run.js';
import type { ReportProgress } from '../reports/progress.js';
import type { ReportStore } from '../reports/store.js';
import type { ReportSummary, ResourceFigures, SummaryComparison } from '../summary/types.js';
import type { UsageReadModel } from '../usage/read-model.js';

/**
 * What a report job's steps use: the store, and the downloader, parser, archive and mailer as
 * functions and ports. src/wiring/steps.ts builds the real ones; nothing here knows how.
 */
export interface StepDeps {
  store: ReportStore;
  /** The usage read model the summary and delivery feed (resource histories, instance totals). */
  usage: UsageReadModel;
  /** Adds a run of a report as a job (a kept version of its callback taken up as the next run). */
  enqueue: EnqueueRun;
  /** One download: see DownloadCallOptions (the signal, what is left of DOWNLOAD_MAX_BYTES, the job's logger, each chunk's size). */
  download(url: string, destinationPath: string, options?: DownloadCallOptions): Promise<{ bytes: number; sha256: string }>;
  /** Records how far the download or parse of a report's CSV has come, for the dashboard (absent: not recorded). */
  progress?: (reportId: string, progress: ReportProgress) => Promise<void>;
  /**
   * Parses and summarizes a CSV. With `attachment`, also writes the formula-neutralized copy (as
   * `neutralize` would), and its gzip copy when asked, from the same parse, so an emailed report
   * is parsed once. `resources`: the per-resource figures of the same pass. `tally` counts the
   * rows as they are parsed (for the progress).
   */
  summarize(input: Readable, attachment?: AttachmentPaths, tally?: RowTally): Promise<{ summary: ReportSummary; resources: ResourceFigures }>;
  compare(previous: { reportId: string; summary: ReportSummary }, current: ReportSummary): SummaryComparison;
  /**
   * The report's insights (src/insights) from its summary and the instance's facts read from
   * Losant; absent: none are computed. May reject only on a bug: Losant's failures are answered
   * as unavailable parts.
   */
  insights?: (input: { summary: ReportSummary; resources: ResourceFigures; includeSandbox: boolean }) => Promise<ReportInsights>;
  /** Writes a formula-neutralized copy of a CSV (what gets attached to emails). */
  neutralize(sourcePath: string, destinationPath: string): Promise<void>;
  /** DOWNLOAD_MAX_BYTES: the cap on a report's downloaded bytes, all its parts together. */
  maxDownloadBytes: number;
  /** CALLBACK_MAX_BYTES: what a callback body kept compressed may decode to, at most. */
  callbackMaxBytes: number;
  /**
   * REDIS_WAIT_REPLICAS, on the connection `store` writes on: the email step waits for the
   * replicas to hold its hand-off note before it sends. None: it does not wait.
   */
  replicas?: ReplicaWait;
  archive: ArchiveTarget;
  mailer: Mailer;
  workDir: string;
  /** archiveLinkSeconds: how long the email's link to the archived CSV works; 0, or an archive that signs no links: none. */
  mail: { from: string; gzipAboveBytes: number; maxAttachmentBytes: number; archiveLinkSeconds?: number };
  /** Usage alerts from the report's insights (src/alerts); null or absent: none configured. */
  alerts?: { once: AlertOnce; channels: AlertChannels; kinds: ReadonlySet<AlertKind> } | null;
  /** Draws the email's inline chart (null: nothing to draw); absent: emails go without one. A throw only leaves the chart out. */
  drawChart?: (summary: ReportSummary) => ReportChart | null;
  instanceId: string;
  /** In a job's steps: the job's logger, whose lines name the report, the job and the request that set it going. */
  logger: Logger;
  now: () => Date;
  /** Where each step's duration is kept; nothing is measured without it. */
  metrics?: Pick<ServiceMetrics, 'jobStep'>;
}
