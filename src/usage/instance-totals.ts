import type { RedisClient } from '../redis-client.js';
import { z } from 'zod';
import { CorruptDataError, parseStoredJson } from '../errors.js';
import type { Logger } from '../log.js';
import { redisKeys } from '../redis-keys.js';
import type { ReportSummary } from '../summary/types.js';
import { WRITE_INSTANCE_PERIODS } from './lua.js';
import { createScriptBatches } from './scripts.js';
import { usageRoleOf } from './usage-columns.js';

/** The instance's figures of one period (a day or a month) as the latest report covering it gave them. */
interface PeriodEntry {
  reportId: string;
  /** The report's creation time: a report created later replaces an earlier one's figures. */
  createdMs: number;
  billablePayloads: number | null;
  devices: number | null;
  notebookMinutes: number | null;
}

const entrySchema: z.ZodType<PeriodEntry> = z.object({
  reportId: z.string().min(1),
  createdMs: z.number(),
  billablePayloads: z.number().nullable(),
  devices: z.number().nullable(),
  notebookMinutes: z.number().nullable(),
});

/** One month of the instance's usage across delivered reports. */
export interface MonthTotals {
  /** "YYYY-MM" (UTC). */
  month: string;
  /** Billable payloads in the month (a flow: the days' sum, or the monthly figure). */
  billablePayloads: number | null;
  /**
   * Devices, a level: `peak` is the highest day of the month (every device of the instance counted
   * that day), `latest` the last day with a figure; from a monthly report both are its figure.
   */
  devices: { peak: number; latest: number } | null;
  /** Notebook minutes in the month (a flow). */
  notebookMinutes: number | null;
  /** Where the figures come from: a report grouped by month, or the days of reports grouped by day. */
  from: 'month' | 'days';
  /** With `from: 'days'`, how many days of the month have figures (fewer than the month's days: it is partial). */
  days: number;
  /** The reports the figures come from. */
  reportIds: string[];
}

export interface InstanceTotalsOptions {
  prefix: string;
  logger: Logger;
}

/**
 * The instance's usage period by period across delivered reports, for an overview chart: each
 * delivered report's per-period series (summary.periodSeries) is written into a hash per grouping
 * (day, month) keyed by period start, where a report created later replaces, never adds to, an
 * earlier report's figures for the same period (reports overlap: a monthly report and the daily
 * ones, a re-requested period). Reports of every series count alike: the latest report covering a
 * period speaks for it. The hashes hold one small entry per day or month ever delivered (tens of
 * kilobytes a year) and are kept without expiry, so the chart reaches back beyond the report
 * retention.
 */
export function createInstanceTotals(redis: RedisClient, options: InstanceTotalsOptions) {
  const keys = redisKeys(options.prefix).usage;
  const periodWrites = createScriptBatches(redis, WRITE_INSTANCE_PERIODS);

  /** Writes a delivered report's periods; returns how many it had (0 without a day or month series). */
  async function recordDelivered(report: { id: string; createdAt: string }, summary: ReportSummary): Promise<number> {
    const series = summary.periodSeries;
    const grouping = summary.grouping.date;
    if (series === null || (grouping !== 'day' && grouping !== 'month')) return 0;
    const createdMs = Date.parse(report.createdAt);
    const columns = Object.entries(series.columns).flatMap(([column, values]) => {
      const role = usageRoleOf(column);
      return role === null ? [] : [{ role, values }];
    });
    const args: string[] = [String(createdMs)];
    series.starts.forEach((start, index) => {
      const entry: PeriodEntry = { reportId: report.id, createdMs, billablePayloads: null, devices: null, notebookMinutes: null };
      for (const { role, values } of columns) entry[role] = values[index] ?? null;
      args.push(start, JSON.stringify(entry));
    });
    if (args.length === 1) return 0;
    await periodWrites.inBatches([args], 1, (batch, sha, argv) => batch.evalsha(sha, 1, keys.instancePeriods(grouping), ...argv));
    return series.starts.length;
  }

  async function entries(grouping: 'day' | 'month'): Promise<Array<[string, PeriodEntry]>> {
    const key = keys.instancePeriods(grouping);
    const all = await redis.hgetall(key);
    return Object.entries(all).flatMap(([start, text]): Array<[string, PeriodEntry]> => {
      try {
        if (Number.isNaN(Date.parse(start))) throw new CorruptDataError(key, [`period ${start.slice(0, 40)} is not a date`]);
        return [[start, parseStoredJson(key, entrySchema, text)]];
      } catch (error) {
        if (!(error instanceof CorruptDataError)) throw error;
        options.logger.warn({ err: error }, 'skipped an instance usage entry that is not what this version writes');
        return [];
      }
    });
  }

  /**
   * The instance's months, oldest first, optionally from `from` to `to` ("YYYY-MM", both
   * included). A month has the figures of a report grouped by month when one covers it and was
   * created after every daily report covering its days; else the figures of its days.
   */
  async function monthlyTotals(range: { from?: string; to?: string } = {}): Promise<MonthTotals[]> {
    const [days, months] = await Promise.all([entries('day'), entries('month')]);
    const byMonth = new Map<string, { month?: PeriodEntry; days: Array<[number, PeriodEntry]> }>();
    const slot = (start: string) => {
      const month = new Date(start).toISOString().slice(0, 7);
      let found = byMonth.get(month);
      if (found === undefined) byMonth.set(month, (found = { days: [] }));
      return found;
    };
    for (const [start, entry] of months) {
      const found = slot(start);
      if (found.month === undefined || found.month.createdMs <= entry.createdMs) found.month = entry;
    }
    for (const [start, entry] of days) slot(start).days.push([Date.parse(start), entry]);

    const result: MonthTotals[] = [];
    for (const [month, { month: monthly, days: daily }] of [...byMonth].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      if ((range.from !== undefined && month < range.from) || (range.to !== undefined && month > range.to)) continue;
      const newestDay = Math.max(...daily.map(([, entry]) => entry.createdMs));
      if (monthly !== undefined && (daily.length === 0 || monthly.createdMs >= newestDay)) {
        result.push({
          month,
          billablePayloads: monthly.billablePayloads,
          devices: monthly.devices === null ? null : { peak: monthly.devices, latest: monthly.devices },
          notebookMinutes: monthly.notebookMinutes,
          from: 'month',
          days: 0,
          reportIds: [monthly.reportId],
        });
        continue;
      }
      daily.sort((a, b) => a[0] - b[0]);
      const sum = (pick: (entry: PeriodEntry) => number | null): number | null => {
        const values = daily.map(([, entry]) => pick(entry)).filter((value): value is number => value !== null);
        return values.length === 0 ? null : Number(values.reduce((total, value) => total + value, 0).toFixed(6));
      };
      const devices = daily.map(([, entry]) => entry.devices).filter((value): value is number => value !== null);
      result.push({
        month,
        billablePayloads: sum((entry) => entry.billablePayloads),
        devices: devices.length === 0 ? null : { peak: Math.max(...devices), latest: devices[devices.length - 1] ?? 0 },
        notebookMinutes: sum((entry) => entry.notebookMinutes),
        from: 'days',
        days: daily.length,
        reportIds: [...new Set(daily.map(([, entry]) => entry.reportId))],
      });
    }
    return result;
  }

  return { recordDelivered, monthlyTotals };
}

export type InstanceTotals = ReturnType<typeof createInstanceTotals>;
