import type { DateGroupBy } from '../losant/request-schemas.js';

/** All simulator periods are UTC: a day is 00:00:00.000Z to 23:59:59.999Z, a month likewise. */

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

export interface Period {
  /** Inclusive start, ms since epoch. */
  start: number;
  /** Inclusive end (the last millisecond), ms since epoch. */
  end: number;
}

/** Whole UTC days since the epoch; the simulator's data is keyed by this. */
export function dayIndex(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

export function startOfDay(ms: number): number {
  return dayIndex(ms) * DAY_MS;
}

export function startOfMonth(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** Start of the month `delta` months after the month holding `ms`. */
export function addMonths(ms: number, delta: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + delta, 1);
}

export function bucketOf(ms: number, by: DateGroupBy): Period {
  if (by === 'day') {
    const start = startOfDay(ms);
    return { start, end: start + DAY_MS - 1 };
  }
  const start = startOfMonth(ms);
  return { start, end: addMonths(start, 1) - 1 };
}

/** Every whole bucket that overlaps [start, end], oldest first. */
export function bucketsBetween(start: number, end: number, by: DateGroupBy): Period[] {
  const buckets: Period[] = [];
  for (let bucket = bucketOf(start, by); bucket.start <= end; bucket = bucketOf(bucket.end + 1, by)) {
    buckets.push(bucket);
  }
  return buckets;
}

/** How many buckets bucketsBetween would return, without building them. */
export function countBuckets(start: number, end: number, by: DateGroupBy): number {
  if (end < start) return 0;
  if (by === 'day') return dayIndex(end) - dayIndex(start) + 1;
  const a = new Date(start);
  const b = new Date(end);
  return (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth() + 1;
}

/**
 * The `periods` whole buckets that end with the last full bucket before `runAt` (what a
 * scheduled report config covers).
 */
export function lastFullBuckets(runAt: number, by: DateGroupBy, periods: number): Period {
  const current = bucketOf(runAt, by);
  const end = current.start - 1;
  const start = by === 'day' ? current.start - periods * DAY_MS : addMonths(current.start, -periods);
  return { start, end };
}

/** The previous whole UTC month (the default range of an on-demand report). */
export function previousMonth(now: number): Period {
  const start = addMonths(now, -1);
  return { start, end: startOfMonth(now) - 1 };
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
