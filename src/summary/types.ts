/**
 * The summary of one usage report. Computed by src/summary (pure functions over parsed rows),
 * stored on the report record as JSON, rendered into the email and archived beside the CSV.
 */

export type ResourceGrouping = 'organization' | 'application' | 'unknown';
export type DateGrouping = 'day' | 'month' | 'unknown';

export interface BadRow {
  /** 1-based line number in the CSV file where the bad record starts. */
  line: number;
  reason: string;
}

export interface TopEntry {
  /** The resource id (organization or application id), or the name when no id column exists. */
  id: string;
  name: string;
  value: number;
  /** value / column total, 0..1 (0 when the total is 0). */
  share: number;
}

export interface TopList {
  /** The CSV column ranked, e.g. "payloadBillableCount". */
  column: string;
  /** A human label for it, e.g. "Billable payloads". */
  label: string;
  entries: TopEntry[];
}

export interface ReportSummary {
  /** Data rows accepted (header excluded, bad rows excluded). */
  rows: number;
  badRowCount: number;
  /** The first bad rows with their line numbers (at most 100 kept). */
  badRows: BadRow[];
  /** Every header, in file order, including unknown ones. */
  columns: string[];
  /** Earliest period start and latest period end seen, ISO strings, or null when the CSV has no dates. */
  period: { start: string | null; end: string | null };
  grouping: { resource: ResourceGrouping; date: DateGrouping };
  /** Distinct resources (organizations or applications) seen. */
  resourceCount: number;
  /** Sum of every column whose non-empty values are all numeric. */
  totals: Record<string, number>;
  /** Top 10 resources by each main usage column present (payloads, devices, notebook minutes...). */
  top: TopList[];
}

export interface ColumnChange {
  previous: number;
  current: number;
  delta: number;
  /** delta / previous, or null when previous is 0. */
  ratio: number | null;
}

export interface SummaryComparison {
  previousReportId: string;
  previousPeriod: { start: string | null; end: string | null };
  /** One entry per total present in both summaries. */
  totals: Record<string, ColumnChange>;
}
