/**
 * A report's states and the moves between them. The table below is the single source: the Lua
 * scripts that change a record are generated from it (src/reports/lua.ts) and refuse any move it
 * does not list, and the store (src/reports/store.ts) offers only named operations (markDownloaded, markFailed, ...).
 *
 *   requested ─► accepted ─► callback_received ─► downloaded ─► archived ─► summarized ─► emailed ─► delivered
 *       │  │         │  ▲ ▲           │  (each step may be skipped: no archive, no email, a re-run
 *       │  └─► overdue ─┘ │ late      │   whose markers say the step is done)
 *       │                 │           ├─► failed (step, reason) ───────┐
 *       └─► failed ───────┘ callback  └─► unrecognized (callback kept) ├─► callback_received (a new run)
 *           (Losant refused the request)                                ┘
 *
 * Along the line a status only moves forward. `failed` and `unrecognized` end a run; the one
 * way out of them is a new run starting at callback_received (an operator's retry, or a
 * callback arriving for a request Losant had refused). `delivered` is final.
 */
/** The main line, in order: a move between two of these never goes to an earlier one. */
const MAIN_LINE_STATUSES = ['requested', 'accepted', 'overdue', 'callback_received', 'downloaded', 'archived', 'summarized', 'emailed', 'delivered'] as const;
/** The two states that end a run off the main line. */
const RUN_END_STATUSES = ['failed', 'unrecognized'] as const;

export const REPORT_STATUSES = [...MAIN_LINE_STATUSES, ...RUN_END_STATUSES] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

/** Every allowed move, from → to. Anything not listed is refused by the scripts. */
export const MOVES: Readonly<Record<ReportStatus, readonly ReportStatus[]>> = {
  requested: ['accepted', 'overdue', 'callback_received', 'failed'],
  accepted: ['overdue', 'callback_received'],
  overdue: ['callback_received'],
  callback_received: ['downloaded', 'archived', 'summarized', 'emailed', 'delivered', 'failed', 'unrecognized'],
  downloaded: ['archived', 'summarized', 'emailed', 'delivered', 'failed'],
  archived: ['summarized', 'emailed', 'delivered', 'failed'],
  summarized: ['emailed', 'delivered', 'failed'],
  emailed: ['delivered', 'failed'],
  delivered: [],
  failed: ['callback_received'],
  unrecognized: ['callback_received'],
};

export const MAIN_LINE: readonly ReportStatus[] = MAIN_LINE_STATUSES;

/** States in which the report waits for Losant's callback. */
export const AWAITING_CALLBACK: readonly ReportStatus[] = ['requested', 'accepted', 'overdue'];
/** States with an overdue deadline pending: the record is in the awaiting index exactly while in one of these. */
export const AWAITING_DEADLINE: readonly ReportStatus[] = ['requested', 'accepted'];
/** States in which the worker has work to do. */
export const IN_PIPELINE: readonly ReportStatus[] = ['callback_received', 'downloaded', 'archived', 'summarized', 'emailed'];

export function canMove(from: ReportStatus, to: ReportStatus): boolean {
  return MOVES[from].includes(to);
}

/** The states from which `to` can be reached. */
export function movesInto(to: ReportStatus): ReportStatus[] {
  return REPORT_STATUSES.filter((from) => canMove(from, to));
}

export function isReportStatus(value: string): value is ReportStatus {
  return (REPORT_STATUSES as readonly string[]).includes(value); // as: widened so any string may be asked
}
