import { detachedCopy } from './kept-text.js';
import { roundSum } from './numbers.js';
import type { LevelFigures } from './types.js';

interface Period {
  /** Epoch milliseconds of the period start, or null when its start is not a date. */
  time: number | null;
  /** What peakPeriod reports for it. */
  label: string | null;
  /** Order of first appearance, to order periods that have no date. */
  seen: number;
  /** Per level column, the sum across resources; NaN until a row gives the column a number. */
  sums: Float64Array;
}

/**
 * Sums the level columns per period, so that peak and latest can be read at the end without
 * assuming the rows are sorted. Memory is one small array per distinct period: past maxPeriods
 * distinct periods tracking stops for good (everything kept is dropped) and `overflowed` says so,
 * since figures over only some of the periods would be wrong without looking wrong.
 *
 * Rows group by their parsed start date ("2026-02-01" and "2026-02-01T00:00:00Z" are one period);
 * a start that is not a date groups by its text, and rows without a start form one period, so a
 * file with no period column at all has a single period and peak = latest = total. The length of
 * an undated start is the caller's to bound (the accumulator makes a long one a bad row).
 */
export function createLevelTracker(columns: readonly string[], maxPeriods: number) {
  const periods = new Map<number | string, Period>();
  let overflowed = false;

  return {
    /** The sums for the row's period (indexed like `columns`), or null once tracking stopped. */
    sumsFor(startText: string | undefined, startTime: number | null): Float64Array | null {
      if (overflowed || columns.length === 0) return null;
      const text = startTime === null ? (startText?.trim() ?? '') : '';
      let period = periods.get(startTime ?? text);
      if (period === undefined) {
        if (periods.size >= maxPeriods) {
          overflowed = true;
          periods.clear();
          return null;
        }
        // An undated start is kept as text, as a copy: it costs its own length and no more.
        const key = startTime ?? detachedCopy(text);
        const label = typeof key === 'number' ? new Date(key).toISOString() : key === '' ? null : key;
        period = { time: startTime, label, seen: periods.size, sums: new Float64Array(columns.length).fill(Number.NaN) };
        periods.set(key, period);
      }
      return period.sums;
    },

    get overflowed(): boolean {
      return overflowed;
    },

    /** Peak and latest per column that has any number, periods in date order (undated ones first, as they came). */
    figures(): Map<string, LevelFigures> {
      const ordered = [...periods.values()].sort(
        (a, b) => (a.time === null ? 0 : 1) - (b.time === null ? 0 : 1) || (a.time ?? 0) - (b.time ?? 0) || a.seen - b.seen,
      );
      const result = new Map<string, LevelFigures>();
      columns.forEach((column, index) => {
        let figures: LevelFigures | null = null;
        for (const period of ordered) {
          const sum = period.sums[index] ?? Number.NaN;
          if (Number.isNaN(sum)) continue;
          const value = roundSum(sum);
          // Strictly greater: on a tie the earliest period keeps the peak.
          if (figures === null || value > figures.peak) figures = { peak: value, latest: value, peakPeriod: period.label };
          figures.latest = value;
        }
        if (figures !== null) result.set(column, figures);
      });
      return result;
    },
  };
}

export type LevelTracker = ReturnType<typeof createLevelTracker>;
