import type { DateGroupBy, ResourceGroupBy } from '../losant/request-schemas.js';
import type { ReportSummary, SummaryComparison } from '../summary/types.js';

import type { ReportStatus } from './state-machine.js';

export type { ReportStatus } from './state-machine.js';

/**
 * A report is a record with a state machine (src/reports/state-machine.ts), kept in Redis.
 * Each step also leaves a marker (download, archive, summary, email) so that a re-run skips
 * what is already done: effects happen once even though jobs run at least once.
 */

export interface ReportRequest {
  start?: string;
  end?: string;
  resourceGroupBy?: ResourceGroupBy;
  dateGroupBy?: DateGroupBy;
  includeSandbox?: boolean;
}

export interface DeliveryPlan {
  email: boolean;
  archive: boolean;
  recipients: string[];
}

export interface LosantJobInfo {
  jobId: string | null;
  acceptedAt: string | null;
  /** Losant answered the old 200 {success:true} without a job id. */
  legacy: boolean;
}

export interface CallbackInfo {
  receivedAt: string;
  contentType: string | null;
  bytes: number;
  sha256: string;
  /** The request's headers, as received (bounded, credentials redacted: src/reports/callback-headers.ts). */
  headers: Record<string, string>;
  /** Headers left out past the bound (absent when none were). */
  headersDropped?: number;
  /** The body's Content-Encoding (e.g. "gzip") when it was kept compressed as it arrived; absent when it came plain. */
  contentEncoding?: string;
  /** The job id the callback named, if any. */
  jobId: string | null;
  duplicates: number;
  /**
   * Set once the body (an inline CSV, byte for byte the report) is archived: Redis then keeps
   * this pointer instead of the bytes, and the archived copy is served as the callback.
   */
  bodyArchiveKey?: string;
}

export interface Interpretation {
  kind: 'download' | 'inline' | 'failure' | 'unrecognized';
  /** Download hosts only: full URLs may carry signatures and are not kept on the record. */
  hosts?: string[];
  urlCount?: number;
  error?: { name: string; message: string };
  reason?: string;
}

export interface DownloadInfo {
  bytes: number;
  sha256: string;
  sources: number;
  at: string;
}

export interface ArchivedFile {
  key: string;
  location: string;
  sha256: string;
  bytes: number;
}

export interface ArchiveInfo {
  csv: ArchivedFile;
  summary: ArchivedFile | null;
  at: string;
}

export interface EmailInfo {
  messageId: string;
  accepted: string[];
  rejected: string[];
  outboxPath: string | null;
  sentAt: string;
  attachment: string;
}

export interface ReportError {
  step: 'request' | 'callback' | 'download' | 'archive' | 'parse' | 'email' | 'internal';
  code: string;
  message: string;
  permanent: boolean;
  at: string;
}

export interface HistoryEntry {
  at: string;
  status: ReportStatus;
  note?: string;
}

/**
 * An overdue report asked of Losant again is linked to the report asked for in its place, and
 * both belong to one group: the first of them whose callback arrives takes the run, and a later
 * callback of the other is kept beside it unprocessed (src/reports/re-request-report.ts).
 */
export interface ReRequestLink {
  /** The report this one was asked for in place of (null for the first of the group). */
  of: string | null;
  /** The report asked for in place of this one (null until it is re-requested). */
  as: string | null;
  /** The group's first report: the id the group's callback claim is kept under. */
  group: string;
}

export interface ReportRecord {
  id: string;
  status: ReportStatus;
  source: 'api' | 'schedule';
  scheduleId: string | null;
  /** The schedule's name when the report was made, for the email. */
  scheduleName: string | null;
  request: ReportRequest;
  delivery: DeliveryPlan;
  /** Reports in one series are compared with each other ("change since the previous report"). */
  seriesKey: string;
  createdAt: string;
  updatedAt: string;
  /** When the report counts as overdue if no callback has come. */
  overdueAt: string | null;
  losant: LosantJobInfo;
  reRequest: ReRequestLink | null;
  callback: CallbackInfo | null;
  interpretation: Interpretation | null;
  download: DownloadInfo | null;
  archive: ArchiveInfo | null;
  summary: ReportSummary | null;
  comparison: SummaryComparison | null;
  email: EmailInfo | null;
  /** How many times an email hand-off was started: above the number of emails sent means a crash mid-send. */
  emailAttempts: number;
  error: ReportError | null;
  /** How many processing runs were started (1 + operator retries); part of the queue job id. */
  runs: number;
  history: HistoryEntry[];
}
