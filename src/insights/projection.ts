import { levelOf, percentOf } from './levels.js';
import type { InsightPeriod, Projection } from './types.js';

/**
 * Month-end projection, linear: the daily rate over the days the report covers, times the days
 * of the month. Only for a report whose days lie in one UTC month (a daily report covering part
 * of it); a report over several months has nothing to project.
 */

const DAY_MS = 86_400_000;

export interface MonthCoverage {
  month: InsightPeriod;
  daysCovered: number;
  daysInMonth: number;
}

const dayIndex = (iso: string): number => Math.floor(Date.parse(iso) / DAY_MS);

/** The UTC month the range lies in and how many of its whole days it covers; null when the range is not within one month. */
export function monthCoverage(start: string, end: string): MonthCoverage | null {
  const from = new Date(start);
  const to = new Date(end);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || to < from) return null;
  if (from.getUTCFullYear() !== to.getUTCFullYear() || from.getUTCMonth() !== to.getUTCMonth()) return null;
  const monthStart = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), 1);
  const nextMonth = Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + 1, 1);
  const daysInMonth = Math.round((nextMonth - monthStart) / DAY_MS);
  return {
    month: { start: new Date(monthStart).toISOString(), end: new Date(nextMonth - 1).toISOString() },
    daysCovered: dayIndex(end) - dayIndex(start) + 1,
    daysInMonth,
  };
}

/** usedSoFar / daysCovered * daysInMonth, to a whole number. */
export function projectLinear(usedSoFar: number, daysCovered: number, daysInMonth: number): number {
  return Math.round((usedSoFar / daysCovered) * daysInMonth);
}

export function projectionFor(input: {
  id: string;
  name: string;
  metric: Projection['metric'];
  usedSoFar: number;
  coverage: MonthCoverage;
  limit: number | null;
  warningPercent: number;
}): Projection {
  const { coverage } = input;
  const projected = projectLinear(input.usedSoFar, coverage.daysCovered, coverage.daysInMonth);
  return {
    id: input.id,
    name: input.name,
    metric: input.metric,
    month: coverage.month,
    daysCovered: coverage.daysCovered,
    daysInMonth: coverage.daysInMonth,
    usedSoFar: input.usedSoFar,
    projected,
    limit: input.limit,
    projectedPercent: percentOf(projected, input.limit),
    level: levelOf(projected, input.limit, input.warningPercent),
  };
}
