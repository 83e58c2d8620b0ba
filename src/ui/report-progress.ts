import { formatBytes, formatNumber } from '../delivery/format.js';
import type { ReportProgress } from '../reports/progress.js';
import type { ReportRecord, ReportStatus } from '../reports/record.js';
import { html, type SafeHtml } from './html.js';

/** A run has ended in these: nothing more will happen without someone. */
export const SETTLED: readonly ReportStatus[] = ['delivered', 'failed', 'unrecognized'];

export const isInFlight = (status: ReportStatus): boolean => !SETTLED.includes(status);

/** The steps a report goes through, as the progress bar counts them. */
const STEPS = ['Waiting for the callback', 'Download', 'Archive', 'Summary', 'Email'] as const;

/** The step a report in a status is on (its index in STEPS); a settled report is past them all. */
const STEP_OF: Readonly<Record<ReportStatus, number>> = {
  requested: 0,
  accepted: 0,
  overdue: 0,
  callback_received: 1,
  downloaded: 2,
  archived: 3,
  summarized: 4,
  emailed: 4,
  delivered: STEPS.length,
  failed: STEPS.length,
  unrecognized: STEPS.length,
};

/** Which recorded progress belongs to the step a status is on. */
const PROGRESS_STEP: Partial<Record<ReportStatus, ReportProgress['step']>> = {
  callback_received: 'download',
  // Parsing follows the archive; without one the report goes from downloaded straight to the parse.
  downloaded: 'parse',
  archived: 'parse',
};

/** Where a report stands, for its status cell and progress bar; the client module renders the same from JSON. */
export interface LiveStatus {
  id: string;
  status: ReportStatus;
  /** The status in words. */
  statusText: string;
  inFlight: boolean;
  /** The progress bar: `value` of `max` steps (a fraction within a step while bytes are known). */
  value: number;
  max: number;
  /** The step in words, with its bytes (and rows) when recorded: "Download: 1.2 MB", "Summary: 40% of 3.1 MB, 12,345 rows". */
  stepText: string;
}

export function liveStatus(record: Pick<ReportRecord, 'id' | 'status'>, progress: ReportProgress | undefined): LiveStatus {
  const step = STEP_OF[record.status];
  const statusText = record.status.replace(/_/gu, ' ');
  const base = { id: record.id, status: record.status, statusText, max: STEPS.length };
  if (!isInFlight(record.status)) return { ...base, inFlight: false, value: step, stepText: statusText };
  let stepText: string = STEPS[step] ?? statusText;
  let value = step;
  if (progress !== undefined && PROGRESS_STEP[record.status] === progress.step) {
    if (progress.totalBytes !== null && progress.totalBytes > 0) {
      const fraction = Math.min(1, progress.bytes / progress.totalBytes);
      value = step + fraction;
      stepText = `${stepText}: ${(fraction * 100).toFixed(0)}% of ${formatBytes(progress.totalBytes)}`;
    } else {
      stepText = `${stepText}: ${formatBytes(progress.bytes)}`;
    }
    // Absent while downloading, and in a progress written before rows were counted.
    if (progress.rows !== undefined && progress.rows !== null) stepText = `${stepText}, ${formatNumber(progress.rows)} ${progress.rows === 1 ? 'row' : 'rows'}`;
  }
  return { ...base, inFlight: true, value, stepText };
}

/** The status and progress cell's content: a badge, then (while in flight) a labelled <progress>. */
export function liveStatusCell(live: LiveStatus): SafeHtml {
  return html`<span class="badge badge-${live.status}" data-live-badge>${live.statusText}</span>
    ${
      live.inFlight &&
      html`<span class="live-step" data-live-step>
        <progress max="${live.max}" value="${live.value.toFixed(2)}" aria-label="Progress of report ${live.id}"></progress>
        <span class="live-step-text">${live.stepText}</span>
      </span>`
    }`;
}
