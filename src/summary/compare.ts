import { setOwn } from '../own-record.js';
import { isLevelColumn } from './columns.js';
import { levelFiguresOf } from './level-figures.js';
import { roundSum } from './numbers.js';
import type { ColumnChange, ReportSummary, SummaryComparison } from './types.js';

function change(previous: number, current: number): ColumnChange {
  const delta = roundSum(current - previous);
  return { previous, current, delta, ratio: previous === 0 ? null : roundSum(delta / previous) };
}

function ownTotal(summary: ReportSummary, column: string): number | undefined {
  if (!Object.hasOwn(summary.totals, column)) return undefined;
  const value: unknown = summary.totals[column];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * The figure a column is compared by: a flow's total; a level's `latest` (the count at the end of
 * the report, which is what the next invoice and capacity start from; the peak can be one odd day).
 * A level never falls back to its total: summed over days it would compare device-days.
 */
function comparedFigure(summary: ReportSummary, column: string): number | undefined {
  return isLevelColumn(column) ? levelFiguresOf(summary, column)?.latest : ownTotal(summary, column);
}

/**
 * How the current report moved since a previous report: one entry per total present in both
 * (a column that appeared or vanished has nothing to compare), in the current report's order.
 * Flows compare totals, level columns compare `latest` (see SummaryComparison.totals).
 */
export function compareSummaries(previous: { reportId: string; summary: ReportSummary }, current: ReportSummary): SummaryComparison {
  const totals: Record<string, ColumnChange> = {};
  for (const column of Object.keys(current.totals)) {
    const before = comparedFigure(previous.summary, column);
    const now = comparedFigure(current, column);
    if (before === undefined || now === undefined) continue;
    setOwn(totals, column, change(before, now));
  }
  return {
    previousReportId: previous.reportId,
    previousPeriod: { start: previous.summary.period.start, end: previous.summary.period.end },
    totals,
  };
}
