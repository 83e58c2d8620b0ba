import { roundSum } from './numbers.js';
import type { PeriodSeries } from './types.js';

/**
 * Sums the main usage columns (payloads, devices, notebook minutes) across resources per period,
 * for a chart of the report day by day or month by month. Only dated periods are kept (a row
 * whose start is not a date has no place on a time axis), at most `maxPeriods` of them: the first
 * ones met in file order; rows of later periods are left out of the series (not of the totals) and
 * `capped` says so. Memory is one small array per kept period.
 */
export function createPeriodSeriesTracker(columns: readonly string[], maxPeriods: number) {
  const periods = new Map<number, Float64Array>();
  let capped = false;

  return {
    /** The sums of the row's period (indexed like `columns`), or null when the row has no place in the series. */
    sumsFor(startTime: number | null): Float64Array | null {
      if (startTime === null || columns.length === 0) return null;
      let sums = periods.get(startTime);
      if (sums === undefined) {
        if (periods.size >= maxPeriods) {
          capped = true;
          return null;
        }
        sums = new Float64Array(columns.length).fill(Number.NaN);
        periods.set(startTime, sums);
      }
      return sums;
    },

    /** The series in date order, with the columns `keep` accepts (those that stayed numeric); null without a dated period. */
    series(keep: (column: string) => boolean): PeriodSeries | null {
      if (periods.size === 0) return null;
      const ordered = [...periods.entries()].sort((a, b) => a[0] - b[0]);
      const kept: Record<string, Array<number | null>> = {};
      columns.forEach((column, index) => {
        if (!keep(column)) return;
        const values = ordered.map(([, sums]) => {
          const sum = sums[index] ?? Number.NaN;
          return Number.isNaN(sum) ? null : roundSum(sum);
        });
        Object.defineProperty(kept, column, { value: values, enumerable: true, writable: true, configurable: true });
      });
      return { starts: ordered.map(([time]) => new Date(time).toISOString()), columns: kept, capped };
    },
  };
}

export type PeriodSeriesTracker = ReturnType<typeof createPeriodSeriesTracker>;
