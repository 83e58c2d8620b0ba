import { validationError } from './errors.js';
import { INSTANCE_CREATION_DATE } from './instance.js';
import { DAY_MS, HOUR_MS, dayIndex, iso } from './periods.js';
import type { PayloadCountsBreakdownQuery, PayloadCountsQuery, RangeQuery } from './query.js';
import type { PayloadType, Usage } from './usage.js';
import type { Faults } from './types.js';
import type { World } from './world.js';

/**
 * The instance-wide count actions. They cover every application of the instance, sandbox ones
 * included (so they equal the report with includeSandbox=true), in whole UTC days (or hours)
 * overlapping [start, end] but not before the instance was created; start and end are echoed
 * back as given. Without start/end the range is the 30 days up to now.
 */

const MAX_DAYS = 3_700;
const MAX_HOURS = 24 * 400;

interface Range {
  start: number;
  end: number;
  firstDay: number;
  lastDay: number;
}

function resolveRange(query: RangeQuery, now: Date, maxDays = MAX_DAYS): Range {
  const end = query.end ?? now.getTime();
  const start = query.start ?? end - 30 * DAY_MS;
  if (start > end) throw validationError('start: must not be after end');
  // Counts start at the instance's creation (clients pass start=0 for "everything").
  const firstDay = Math.max(dayIndex(start), dayIndex(Date.parse(INSTANCE_CREATION_DATE)));
  const lastDay = dayIndex(end);
  if (lastDay - firstDay + 1 > maxDays) throw validationError(`end: the range may span at most ${maxDays} days`);
  return { start, end, firstDay, lastDay };
}

export function deviceCounts(world: World, usage: Usage, query: RangeQuery, now: Date) {
  const range = resolveRange(query, now);
  const counts = [];
  for (let day = range.firstDay; day <= range.lastDay; day += 1) {
    let created = 0;
    let deleted = 0;
    let total = 0;
    for (const app of world.applications) {
      const devices = usage.devices(app.id, day);
      created += devices.created;
      deleted += devices.deleted;
      total += devices.total;
    }
    counts.push({ date: iso(day * DAY_MS), created, deleted, total });
  }
  return { start: iso(range.start), end: iso(range.end), counts };
}

export function notebookMinuteCounts(world: World, usage: Usage, query: RangeQuery, now: Date) {
  const range = resolveRange(query, now);
  const counts = [];
  for (let day = range.firstDay; day <= range.lastDay; day += 1) {
    const sum = { minutes: 0, completed: 0, canceled: 0, errored: 0, timeout: 0 };
    for (const app of world.applications) {
      const nb = usage.notebook(app.id, day);
      sum.minutes += nb.minutes;
      sum.completed += nb.completed;
      sum.canceled += nb.canceled;
      sum.errored += nb.errored;
      sum.timeout += nb.timeout;
    }
    counts.push({ date: iso(day * DAY_MS), ...sum });
  }
  return { start: iso(range.start), end: iso(range.end), counts };
}

/** Payload Stats: per type, per source, summed over the whole days of the range (count or bytes). */
export function payloadCounts(world: World, usage: Usage, query: PayloadCountsQuery, now: Date, mismatch: Faults['payloadCountsMismatch'] = null) {
  const range = resolveRange(query, now);
  const stats: Partial<Record<PayloadType, Record<string, number>>> = {};
  for (const app of world.applications) {
    for (let day = range.firstDay; day <= range.lastDay; day += 1) {
      for (const cell of usage.payloads(app.id, day)) {
        const bySource = (stats[cell.type] ??= {});
        bySource[cell.source] = (bySource[cell.source] ?? 0) + (query.asBytes ? cell.bytes : cell.count);
      }
    }
  }
  const day = mismatchDay(mismatch);
  if (mismatch && !query.asBytes && day !== null && day >= range.firstDay && day <= range.lastDay) {
    const bySource = (stats.mqttIn ??= {});
    bySource['device.mqtt'] = (bySource['device.mqtt'] ?? 0) + mismatch.delta;
  }
  return stats;
}

const mismatchDay = (mismatch: Faults['payloadCountsMismatch']): number | null => {
  const at = mismatch === null ? Number.NaN : Date.parse(`${mismatch.day}T00:00:00.000Z`);
  return Number.isNaN(at) ? null : dayIndex(at);
};

/** Billable payloads (all with includeNonBillable) per UTC day or hour. */
export function payloadCountsBreakdown(
  world: World,
  usage: Usage,
  query: PayloadCountsBreakdownQuery,
  now: Date,
  mismatch: Faults['payloadCountsMismatch'] = null,
) {
  const extraDay = query.asBytes ? null : mismatchDay(mismatch);
  const extra = (day: number): number => (day === extraDay ? (mismatch?.delta ?? 0) : 0);
  const hourly = query.resolution === HOUR_MS;
  const range = resolveRange(query, now, hourly ? MAX_HOURS / 24 : MAX_DAYS);
  const dayValue = (appId: string, day: number) =>
    usage
      .payloads(appId, day)
      .filter((cell) => query.includeNonBillable || cell.billable)
      .reduce((sum, cell) => sum + (query.asBytes ? cell.bytes : cell.count), 0);

  const counts: Array<{ date: string; value: number }> = [];
  for (let day = range.firstDay; day <= range.lastDay; day += 1) {
    if (!hourly) {
      counts.push({ date: iso(day * DAY_MS), value: world.applications.reduce((sum, app) => sum + dayValue(app.id, day), 0) + extra(day) });
      continue;
    }
    const hours = new Array<number>(24).fill(0);
    for (const app of world.applications) {
      const split = usage.splitByHour(dayValue(app.id, day), usage.hourWeights(app.id, day));
      split.forEach((value, hour) => (hours[hour] = (hours[hour] ?? 0) + value));
    }
    hours[0] = (hours[0] ?? 0) + extra(day);
    hours.forEach((value, hour) => {
      const at = day * DAY_MS + hour * HOUR_MS;
      if (at + HOUR_MS - 1 >= range.start && at <= range.end) counts.push({ date: iso(at), value });
    });
  }
  return { start: iso(range.start), end: iso(range.end), counts };
}
