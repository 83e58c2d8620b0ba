/**
 * Insights computed for a delivered report from Losant's read actions: usage against limits,
 * month-end projections and a reconciliation of the report against the instance's own counts.
 * Stored on the summary (ReportSummary.insights), rendered in the email and on the dashboard.
 * These shapes are a contract for everything that reads stored summaries: add fields, do not
 * rename or remove them.
 */

/** ok below the warning threshold; warning at or above it; over above 100%; unknown when the limit (or the figure) is not known. */
export type InsightLevel = 'ok' | 'warning' | 'over' | 'unknown';

/** What a finding measures. Static resources use `static:<limit key>`, e.g. `static:dashboard`. */
export type LimitMetric = 'payloads' | 'devices' | 'notebookMinutes' | `static:${string}`;

/** The period a figure covers: ISO start and end (end inclusive, as Losant writes it). */
export interface InsightPeriod {
  start: string;
  end: string;
}

/** One organization's (or the instance's) usage of one metric against its limit. */
export interface LimitFinding {
  /** 'instance' for the instance's totals against the instance's limits. */
  scope: 'organization' | 'instance';
  /** The organization id; the instance id for scope 'instance'. */
  id: string;
  name: string;
  metric: LimitMetric;
  /** The Losant limit key the figure is compared with, e.g. `payload`, `device`, `notebookMinutesPerMonth`. */
  limitKey: string;
  period: InsightPeriod;
  used: number;
  /** null when the limit is not known (no limits on the organization nor a default). */
  limit: number | null;
  /** used / limit * 100, rounded to one decimal; null when limit is null or 0. */
  percent: number | null;
  level: InsightLevel;
  /** Where the limit came from: the organization's own limits, the instance's org default, the instance's limits, or none. */
  limitSource: 'organization' | 'orgDefault' | 'instance' | 'none';
}

/** A month-end projection of one organization's flow (payloads or notebook minutes). */
export interface Projection {
  id: string;
  name: string;
  metric: 'payloads' | 'notebookMinutes';
  /** The month projected: its first and last day, ISO. */
  month: InsightPeriod;
  /** Whole UTC days of the month the report's figures cover (1..daysInMonth). */
  daysCovered: number;
  daysInMonth: number;
  /** Sum over the covered days. */
  usedSoFar: number;
  /** usedSoFar / daysCovered * daysInMonth, rounded to a whole number. */
  projected: number;
  limit: number | null;
  /** projected / limit * 100, one decimal; null without a limit. */
  projectedPercent: number | null;
  level: InsightLevel;
}

/** A metric compared between the report and Losant's instance-wide count action. */
export type ReconciledMetric = 'payloads' | 'devices' | 'notebookMinutes';

/** One period (a day, or the whole range) where the report and the count action were compared. */
export interface ReconciliationDifference {
  metric: ReconciledMetric;
  period: InsightPeriod;
  /** The report's figure (sum across its rows for that period). */
  report: number;
  /** The count action's figure (payloadCounts / deviceCounts / notebookMinuteCounts). */
  losant: number;
  /** report - losant. */
  difference: number;
  /** |difference| / max(losant, 1), 0..; compared with the tolerance. */
  relative: number;
  /** True when relative exceeds the tolerance. */
  flagged: boolean;
}

/** Which payload sources drove a period's payloads (payloadCountsBreakdown and payloadCounts). */
export interface PayloadDriver {
  period: InsightPeriod;
  /** Billable payloads that period (payloadCountsBreakdown). */
  total: number;
  /** The largest sources, `type/source` e.g. `mqttIn/device.mqtt`, with their counts, largest first (at most 5). */
  sources: Array<{ source: string; count: number; share: number }>;
}

export interface Reconciliation {
  /** The tolerance used, a fraction (0.01 = 1%). */
  tolerance: number;
  /** Every comparison made; flagged ones are those above the tolerance. */
  differences: ReconciliationDifference[];
  drivers: PayloadDriver[];
}

/** A metric of the organizations' monthly trends (src/usage/organization-months.ts). */
export type TrendMetric = 'payloads' | 'devices' | 'notebookMinutes';

/** One organization's change of one metric from a complete month to the next. */
export interface MonthChange {
  metric: TrendMetric;
  /** "YYYY-MM". */
  previousMonth: string;
  latestMonth: string;
  previous: number;
  latest: number;
  /** latest - previous. */
  change: number;
  /** change / previous * 100, one decimal; null when previous is 0. */
  percent: number | null;
}

/** An organization among the top movers: its change of the movers' metric. */
export interface Mover {
  id: string;
  name: string;
  previous: number;
  latest: number;
  change: number;
  percent: number | null;
}

/**
 * The organizations whose figure moved most from the month before the latest complete month to
 * that month (whole months only: a partial month is never compared).
 */
export interface Movers {
  metric: TrendMetric;
  /** The latest complete UTC month ("YYYY-MM"): the month before the one the movers were computed in. */
  latestMonth: string;
  previousMonth: string;
  /** Organizations with a whole-month figure in both months. */
  compared: number;
  /** Largest increases first (at most the limit, 5 by default). */
  up: Mover[];
  /** Largest decreases first. */
  down: Mover[];
}

/** The parts of the insights; each is computed independently and may be unavailable on its own. */
export type InsightPart = 'limits' | 'projection' | 'reconciliation';

export interface UnavailableInsight {
  part: InsightPart;
  /** Why, for a reader: "Losant is not configured on the worker", "Losant failed: ...". */
  reason: string;
}

export interface ReportInsights {
  /** When the insights were computed, ISO. */
  computedAt: string;
  /** The warning threshold used, percent (default 80). */
  warningPercent: number;
  /** Usage against limits; empty when the part is unavailable. */
  limits: LimitFinding[];
  projections: Projection[];
  /** null when the part is unavailable. */
  reconciliation: Reconciliation | null;
  /** The parts that could not be computed, with the reason. */
  unavailable: UnavailableInsight[];
  /** Losant reads made for these insights and the time they took, ms. */
  losantCalls: { count: number; elapsedMs: number };
  /**
   * Month-over-month movers across organizations, from the organizations' monthly points; null
   * when they could not be read, absent from summaries stored before the field existed.
   */
  movers?: Movers | null | undefined;
}
