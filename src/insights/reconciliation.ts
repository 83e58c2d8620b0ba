import type { InsightPeriod, PayloadDriver, ReconciledMetric, ReconciliationDifference } from './types.js';

/**
 * The report's per-day totals against Losant's instance-wide counts for the same days. Days are
 * keyed by their UTC date (YYYY-MM-DD), so "2026-11-03T00:00:00.000Z" and "2026-11-03" match.
 * A day present on one side only is not compared (the other side did not cover it).
 */

export type DailyFigures = ReadonlyMap<string, number>;

export function dayKey(date: string): string | null {
  const at = Date.parse(date);
  return Number.isNaN(at) ? null : new Date(at).toISOString().slice(0, 10);
}

/** A list of {date, value} as figures by day (values of one day added up: hourly answers fold into days). */
export function dailyFigures(entries: ReadonlyArray<{ date: string; value: number }>): Map<string, number> {
  const figures = new Map<string, number>();
  for (const { date, value } of entries) {
    const key = dayKey(date);
    if (key !== null) figures.set(key, (figures.get(key) ?? 0) + value);
  }
  return figures;
}

export function compareDaily(metric: ReconciledMetric, report: DailyFigures, losant: DailyFigures, tolerance: number): ReconciliationDifference[] {
  const differences: ReconciliationDifference[] = [];
  for (const day of [...report.keys()].sort()) {
    const ours = report.get(day);
    const theirs = losant.get(day);
    if (ours === undefined || theirs === undefined) continue;
    const difference = ours - theirs;
    const relative = Math.abs(difference) / Math.max(Math.abs(theirs), 1);
    differences.push({
      metric,
      period: { start: `${day}T00:00:00.000Z`, end: `${day}T23:59:59.999Z` },
      report: ours,
      losant: theirs,
      difference,
      relative,
      flagged: relative > tolerance,
    });
  }
  return differences;
}

/** The sources behind a period's payloads, from payloadCounts ({type: {source: count}}): the largest five. */
export function payloadDriver(period: InsightPeriod, total: number, stats: Readonly<Record<string, Readonly<Record<string, number>>>>): PayloadDriver {
  const sources = Object.entries(stats)
    .flatMap(([type, bySource]) => Object.entries(bySource).map(([source, count]) => ({ source: `${type}/${source}`, count })))
    .filter((entry) => entry.count > 0)
    .sort((a, b) => b.count - a.count || a.source.localeCompare(b.source));
  const all = sources.reduce((sum, entry) => sum + entry.count, 0);
  return {
    period,
    total,
    sources: sources.slice(0, 5).map((entry) => ({ ...entry, share: all > 0 ? entry.count / all : 0 })),
  };
}
