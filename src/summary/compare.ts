import { roundSum } from './numbers.js';
import type { ColumnChange, ReportSummary, SummaryComparison } from './types.js';

function change(previous: number, current: number): ColumnChange {
  const delta = roundSum(current - previous);
  return { previous, current, delta, ratio: previous === 0 ? null : roundSum(delta / previous) };
}

/**
 * How the current report's totals moved since a previous report: one entry per total present in
 * both (a column that appeared or vanished has nothing to compare), in the current report's order.
 */
export function compareSummaries(previous: { reportId: string; summary: ReportSummary }, current: ReportSummary): SummaryComparison {
  const totals: Record<string, ColumnChange> = {};
  for (const [column, value] of Object.entries(current.totals)) {
    if (!Object.hasOwn(previous.summary.totals, column)) continue;
    const before = previous.summary.totals[column];
    if (typeof before !== 'number' || !Number.isFinite(before) || !Number.isFinite(value)) continue;
    // defineProperty: a column named __proto__ stays an ordinary key.
    Object.defineProperty(totals, column, { value: change(before, value), enumerable: true, writable: true, configurable: true });
  }
  return {
    previousReportId: previous.reportId,
    previousPeriod: { start: previous.summary.period.start, end: previous.summary.period.end },
    totals,
  };
}
