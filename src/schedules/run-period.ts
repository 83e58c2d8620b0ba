import type { DateGroupBy } from '../losant/request-schemas.js';

/** The time a report covers: both ends inclusive, as ISO date-times (what generateReport's start and end take). */
export interface RunPeriod {
  start: string;
  end: string;
}

const DAY_MS = 86_400_000;

function bucketStart(ms: number, by: DateGroupBy): number {
  const date = new Date(ms);
  return by === 'day' ? Math.floor(ms / DAY_MS) * DAY_MS : Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

/**
 * The period a schedule's run covers: `periods` whole `dateGroupBy` buckets ending with the last
 * full one before the fire time. Losant documents neither what `periods` counts nor in which time
 * zone its buckets are cut; like the simulator (src/sim/periods.ts, lastFullBuckets), this reads
 * them as UTC days or months, the buckets a report's rows carry. Asking generateReport for this
 * period gets the rows the run would have delivered.
 */
export function runPeriod(schedule: { dateGroupBy: DateGroupBy; periods: number }, fireTime: Date): RunPeriod {
  const current = bucketStart(fireTime.getTime(), schedule.dateGroupBy);
  const start =
    schedule.dateGroupBy === 'day'
      ? current - schedule.periods * DAY_MS
      : Date.UTC(new Date(current).getUTCFullYear(), new Date(current).getUTCMonth() - schedule.periods, 1);
  return { start: new Date(start).toISOString(), end: new Date(current - 1).toISOString() };
}
