import type { MonthPoint, OrganizationTrend } from '../usage/organization-months.js';
import type { MonthChange, Mover, Movers, TrendMetric } from './types.js';

/**
 * Month over month, from the organizations' monthly points: the change of the latest complete
 * month against the month before, per organization and metric, and the organizations that moved
 * most. Only whole months are compared (a point marked partial is left out), so a month that
 * reports cover only in part never looks like a drop. Pure functions: the caller reads the points.
 */

/** Movers shown each way unless asked otherwise. */
export const DEFAULT_MOVERS = 5;

const FIELD_OF: Record<TrendMetric, 'billablePayloads' | 'devices' | 'notebookMinutes'> = {
  payloads: 'billablePayloads',
  devices: 'devices',
  notebookMinutes: 'notebookMinutes',
};

export const TREND_METRICS: readonly TrendMetric[] = ['payloads', 'devices', 'notebookMinutes'];

/** "YYYY-MM" of a date (UTC). */
export function monthOf(date: Date): string {
  return date.toISOString().slice(0, 7);
}

/** The month `delta` months after "YYYY-MM" (negative: before). */
export function addMonths(month: string, delta: number): string {
  const start = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)) - 1 + delta, 1));
  return monthOf(start);
}

/** The latest complete UTC month at `now` (the month before the current one) and the month before it. */
export function comparedMonths(now: Date): { latestMonth: string; previousMonth: string } {
  const latestMonth = addMonths(monthOf(now), -1);
  return { latestMonth, previousMonth: addMonths(latestMonth, -1) };
}

/** change / previous * 100 to one decimal; null when previous is 0 (no ratio of nothing). */
export function percentChange(previous: number, latest: number): number | null {
  if (previous === 0) return null;
  return Math.round(((latest - previous) / previous) * 1000) / 10;
}

/**
 * One organization's changes, one per metric that has a whole-month figure in both `latestMonth`
 * and the month before it.
 */
export function monthOverMonth(points: readonly MonthPoint[], latestMonth: string): MonthChange[] {
  const previousMonth = addMonths(latestMonth, -1);
  const whole = (month: string) => points.find((point) => point.month === month && !point.partial);
  const latestPoint = whole(latestMonth);
  const previousPoint = whole(previousMonth);
  if (latestPoint === undefined || previousPoint === undefined) return [];
  return TREND_METRICS.flatMap((metric): MonthChange[] => {
    const latest = latestPoint[FIELD_OF[metric]];
    const previous = previousPoint[FIELD_OF[metric]];
    if (latest === null || previous === null) return [];
    return [{ metric, previousMonth, latestMonth, previous, latest, change: latest - previous, percent: percentChange(previous, latest) }];
  });
}

/**
 * The organizations whose `metric` (billable payloads unless said) rose and fell most, by the
 * absolute change, from the month before the latest complete month at `now` to that month; at
 * most `limit` each way. Ties go to the organization id, so the order is stable.
 */
export function topMovers(trends: readonly OrganizationTrend[], options: { now: Date; limit?: number; metric?: TrendMetric }): Movers {
  const metric = options.metric ?? 'payloads';
  const limit = Math.max(0, Math.trunc(options.limit ?? DEFAULT_MOVERS));
  const { latestMonth, previousMonth } = comparedMonths(options.now);
  const movers: Mover[] = trends.flatMap((trend) => {
    const change = monthOverMonth(trend.points, latestMonth).find((entry) => entry.metric === metric);
    if (change === undefined) return [];
    return [{ id: trend.id, name: trend.name, previous: change.previous, latest: change.latest, change: change.change, percent: change.percent }];
  });
  const byId = (a: Mover, b: Mover) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const up = movers.filter((mover) => mover.change > 0).sort((a, b) => b.change - a.change || byId(a, b));
  const down = movers.filter((mover) => mover.change < 0).sort((a, b) => a.change - b.change || byId(a, b));
  return { metric, latestMonth, previousMonth, compared: movers.length, up: up.slice(0, limit), down: down.slice(0, limit) };
}
