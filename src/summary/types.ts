import type { ReportInsights } from '../insights/types.js';

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

/** A level column's figures (see isLevelColumn): what a sum across resources in one period shows. */
export interface LevelFigures {
  /** The highest, over periods, of the sum across resources in that period ("at most N devices on one day"). */
  peak: number;
  /** The sum across resources in the last period that has a figure for the column ("N devices at the end"). */
  latest: number;
  /** Start of the (earliest) period that reached the peak, ISO; the start cell as written when it is not a date; null when the CSV has no period column. */
  peakPeriod: string | null;
}

/**
 * The main usage columns summed across resources per period of the report (per day or per month,
 * as summary.grouping.date says), for a chart. Dated periods only, in date order.
 */
export interface PeriodSeries {
  /** Period starts, ISO, ascending. */
  starts: string[];
  /**
   * Per main usage column present (payloads, devices, notebook minutes), one figure per entry of
   * `starts`: the sum across resources that period, or null when no row had a number there. A
   * level (devices) summed across resources in one period is the instance's count that period.
   */
  columns: Record<string, Array<number | null>>;
  /**
   * True when the rows named more distinct periods than the series keeps (400): the first ones in
   * file order are kept and the rows of later periods are left out of the series (not the totals).
   */
  capped: boolean;
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
  /**
   * Distinct resources (organizations or applications) seen, up to the resource cap (100,000; see
   * SummaryOptions.maxResources): when resourcesCapped is above 0 this is the cap.
   */
  resourceCount: number;
  /**
   * Rows whose resource was first seen after the cap was reached, so it was never tracked
   * individually: these rows are in rows and totals, but not in resourceCount, the top lists or
   * their shares. Rows, not resources: counting distinct resources past the cap would take the
   * memory per resource the cap exists to bound. 0 when the cap was not reached, and for
   * summaries stored before the field existed.
   */
  resourcesCapped: number;
  /**
   * Plain column sums of every column whose non-empty values are all numeric. Right for flows
   * (payloads, notebook minutes); for level columns over several periods these are
   * resource-periods (device-days), not a count of anything: see levels.
   */
  totals: Record<string, number>;
  /**
   * Peak and latest for each level column in totals. With a single period, peak = latest = total.
   * Empty when levelsUnavailable says why.
   */
  levels: Record<string, LevelFigures>;
  /**
   * Why levels is empty although level columns were totalled (the rows spanned more distinct
   * periods than the summary tracks), or null.
   */
  levelsUnavailable: string | null;
  /** Top 10 resources by each main usage column present (payloads, devices, notebook minutes...). */
  top: TopList[];
  /** Per-period sums of the main usage columns; null when the rows have no dated period, and for summaries stored before the field existed. */
  periodSeries: PeriodSeries | null;
  /**
   * Usage against limits, month-end projections and the reconciliation with Losant's counts
   * (src/insights), computed after the parse; null when not computed, and for summaries stored
   * before the field existed.
   */
  insights?: ReportInsights | null | undefined;
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
  /**
   * One entry per total present in both summaries. For level columns previous and current are
   * the levels' `latest` figures (a column without them on either side is left out), so a change
   * says how the count at the end of the report moved; flows compare their totals.
   */
  totals: Record<string, ColumnChange>;
}

/** One resource's figures in one report, for its history across reports (src/usage/resource-history.ts). */
export interface ResourceFigure {
  id: string;
  /** Its latest name in the report (the id when it has none). */
  name: string;
  /** Per ranked column (see ResourceFigures.columns): a flow summed over the report's periods, a level's highest period. */
  figures: Record<string, number>;
  /** Its tag values (columns `tag:<name>`, by name), the latest row's. */
  tags: Record<string, string>;
  /**
   * Present (true) when its rows name a resource type that is neither an organization nor an
   * application: a sandbox user's row in a report by organization with includeSandbox.
   */
  otherType?: true;
}

/** The per-resource figures a summary's top lists come from, for the first resources met. */
export interface ResourceFigures {
  /** The ranked columns: the main usage columns present (or, without any, the columns the top lists fell back to). */
  columns: string[];
  /** The first SummaryOptions.resourceFiguresKept resources met, in file order. */
  resources: ResourceFigure[];
  /** Resources tracked past that bound, left out here (they are in the summary). */
  leftOut: number;
}
