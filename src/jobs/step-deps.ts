import type { Readable } from 'node:stream';
import type { AttachmentPaths } from '../csv/summarize-with-attachment.js';
import type { ArchiveTarget } from '../delivery/archive.js';
import type { Mailer } from '../delivery/mailer.js';
import type { Logger } from '../log.js';
import type { EnqueueRun } from '../reports/enqueue-run.js';
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
  /** `maxBytes`: what is left of DOWNLOAD_MAX_BYTES for this report, when it has several parts. */
  download(url: string, destinationPath: string, signal?: AbortSignal, maxBytes?: number): Promise<{ bytes: number; sha256: string }>;
  /**
   * Parses and summarizes a CSV. With `attachment`, also writes the formula-neutralized copy (as
   * `neutralize` would), and its gzip copy when asked, from the same parse, so an emailed report
   * is parsed once. `resources`: the per-resource figures of the same pass.
   */
  summarize(input: Readable, attachment?: AttachmentPaths): Promise<{ summary: ReportSummary; resources: ResourceFigures }>;
  compare(previous: { reportId: string; summary: ReportSummary }, current: ReportSummary): SummaryComparison;
  /** Writes a formula-neutralized copy of a CSV (what gets attached to emails). */
  neutralize(sourcePath: string, destinationPath: string): Promise<void>;
  /** DOWNLOAD_MAX_BYTES: the cap on a report's downloaded bytes, all its parts together. */
  maxDownloadBytes: number;
  /** CALLBACK_MAX_BYTES: what a callback body kept compressed may decode to, at most. */
  callbackMaxBytes: number;
  archive: ArchiveTarget;
  mailer: Mailer;
  workDir: string;
  mail: { from: string; gzipAboveBytes: number; maxAttachmentBytes: number };
  instanceId: string;
  logger: Logger;
  now: () => Date;
}
