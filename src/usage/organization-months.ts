import type { Redis } from 'ioredis';
import { z } from 'zod';
import { CorruptDataError, parseStoredJson } from '../errors.js';
import { monthCoverage } from '../insights/projection.js';
import type { Logger } from '../log.js';
import { redisKeys } from '../redis-keys.js';
import type { ReportSummary, ResourceFigures } from '../summary/types.js';
import { WRITE_ORGANIZATION_MONTH } from './lua.js';
import { MAX_RESOURCES_WRITTEN } from './resource-history.js';
import { createScriptBatches } from './scripts.js';
import { usageFigures } from './usage-columns.js';

/** Months kept per organization, at most: the newest ones (two years, for a year-over-year look). */
export const MAX_MONTHS_PER_ORGANIZATION = 24;
/** Organizations written per report or per month of a backfill, at most (as for the resource history). */
export const MAX_ORGANIZATIONS_WRITTEN = MAX_RESOURCES_WRITTEN;
/**
 * An organization no longer written (gone from the instance) is forgotten this long after its last
 * point: by then every month it had is older than the newest MAX_MONTHS_PER_ORGANIZATION.
 */
export const ORGANIZATION_KEEP_SECONDS = 26 * 31 * 86_400;
/** Scripts per pipeline. */
const WRITE_BATCH = 500;
const MONTH_PATTERN = /^\d{4}-(?:0[1-9]|1[0-2])$/u;

/** Where a month's figures come from: a delivered report, or Losant's historicalSummaries of the month. */
export type MonthSource = 'report' | 'historicalSummaries';

/** One organization's usage in one UTC month. */
export interface MonthPoint {
  /** "YYYY-MM" (UTC). */
  month: string;
  /** Billable payloads in the month (a flow: the sum over the days covered). */
  billablePayloads: number | null;
  /** Devices (a level): the highest day (or the month's figure) the source gives. */
  devices: number | null;
  /** Notebook minutes in the month (a flow). */
  notebookMinutes: number | null;
  source: MonthSource;
  /** With source 'report': the report and its creation time (a report created later replaces it). */
  report: { id: string; createdAt: string; createdMs: number } | null;
  /** Whole UTC days of the month the figures cover; daysInMonth for a whole month. */
  daysCovered: number;
  daysInMonth: number;
  /** True when the figures cover fewer days than the month has: never compared as a whole month. */
  partial: boolean;
}

export interface OrganizationTrend {
  id: string;
  /** Its latest name, as the last write gave it. */
  name: string;
  /** Oldest month first, at most MAX_MONTHS_PER_ORGANIZATION. */
  points: MonthPoint[];
}

/** An organization's figures of one month, as a source gives them. */
export interface OrganizationMonthFigures {
  id: string;
  name: string;
  billablePayloads: number | null;
  devices: number | null;
  notebookMinutes: number | null;
}

const pointSchema: z.ZodType<MonthPoint> = z.object({
  month: z.string().regex(MONTH_PATTERN),
  billablePayloads: z.number().nullable(),
  devices: z.number().nullable(),
  notebookMinutes: z.number().nullable(),
  source: z.enum(['report', 'historicalSummaries']),
  report: z.object({ id: z.string().min(1), createdAt: z.string(), createdMs: z.number() }).nullable(),
  daysCovered: z.number().int().min(1).max(31),
  daysInMonth: z.number().int().min(28).max(31),
  partial: z.boolean(),
});

const indexEntrySchema = z.object({ name: z.string() });

/** The days of a "YYYY-MM" month. */
export function daysInMonthOf(month: string): number {
  const year = Number(month.slice(0, 4));
  const index = Number(month.slice(5, 7));
  return Math.round((Date.UTC(year, index, 1) - Date.UTC(year, index - 1, 1)) / 86_400_000);
}

export interface OrganizationMonthsOptions {
  prefix: string;
  logger: Logger;
  now?: () => Date;
}

/**
 * Each organization's usage month by month, for trends and month-over-month movers: per
 * organization a hash from month to its point (JSON), plus an index of the organizations (id ->
 * latest name, and by last write). Two writers feed it: the worker, with each report grouped by
 * organization that lies within one UTC month (a report over several months gives one figure per
 * organization for the whole range, which cannot be split into months, and writes nothing here);
 * and the backfill, with Losant's historicalSummaries of closed months.
 *
 * Which figure wins for a month (the script WRITE_ORGANIZATION_MONTH decides, atomically):
 * historicalSummaries is Losant's own summary of the month, the billed figure, so it replaces a
 * report's figures and is never replaced by one; between reports, the one created later replaces
 * an earlier one's figures (as the instance totals do), never adds to them. At most
 * MAX_MONTHS_PER_ORGANIZATION months are kept per organization (the oldest go first) and at most
 * MAX_ORGANIZATIONS_WRITTEN organizations per write. What is read back is validated; an entry that
 * does not pass is skipped and logged.
 */
export function createOrganizationMonths(redis: Redis, options: OrganizationMonthsOptions) {
  const keys = redisKeys(options.prefix).usage;
  const now = options.now ?? (() => new Date());
  const monthWrites = createScriptBatches(redis, WRITE_ORGANIZATION_MONTH);

  async function write(month: string, figures: readonly OrganizationMonthFigures[], point: Omit<MonthPoint, 'month' | keyof Figures>): Promise<number> {
    const chosen = figures.slice(0, MAX_ORGANIZATIONS_WRITTEN);
    const writtenMs = now().getTime();
    const cutoffMs = writtenMs - ORGANIZATION_KEEP_SECONDS * 1000;
    await monthWrites.inBatches(chosen, WRITE_BATCH, (batch, sha, organization) => {
      const entry: MonthPoint = {
        month,
        billablePayloads: organization.billablePayloads,
        devices: organization.devices,
        notebookMinutes: organization.notebookMinutes,
        ...point,
      };
      batch.evalsha(
        sha,
        3,
        keys.organizationMonths(organization.id),
        keys.trendOrganizations,
        keys.trendOrganizationsByWritten,
        month,
        JSON.stringify(entry),
        point.source,
        String(point.report?.createdMs ?? 0),
        String(MAX_MONTHS_PER_ORGANIZATION),
        organization.id,
        JSON.stringify({ name: organization.name }),
        String(writtenMs),
        String(cutoffMs),
        String(ORGANIZATION_KEEP_SECONDS),
      );
    });
    if (figures.length > chosen.length) {
      options.logger.info(
        { month, written: chosen.length, leftOut: figures.length - chosen.length },
        'monthly points written for the first organizations only',
      );
    }
    return chosen.length;
  }

  /**
   * Writes a report's organizations into the month its period lies in; returns how many were
   * written (0 when the report is not grouped by organization or spans more than one UTC month).
   * The days covered run from the period's start to its end, or to the report's creation when
   * that is earlier (a month not over yet), so a month only partly covered is marked partial.
   */
  async function recordReport(report: { id: string; createdAt: string }, summary: ReportSummary, resources: ResourceFigures): Promise<number> {
    if (summary.grouping.resource !== 'organization' || summary.period.start === null || summary.period.end === null) return 0;
    const createdMs = Date.parse(report.createdAt);
    if (Number.isNaN(createdMs)) return 0;
    const endMs = Math.min(Date.parse(summary.period.end), createdMs);
    const coverage = monthCoverage(summary.period.start, new Date(endMs).toISOString());
    if (coverage === null) {
      options.logger.info({ reportId: report.id }, 'report spans more than one month: no monthly points written for its organizations');
      return 0;
    }
    const month = coverage.month.start.slice(0, 7);
    // Sandbox users (rows of their own with includeSandbox) are not organizations.
    const figures = resources.resources
      .filter((resource) => resource.otherType !== true)
      .map((resource) => ({ id: resource.id, name: resource.name, ...usageFigures(resource.figures) }));
    const daysCovered = Math.min(coverage.daysCovered, coverage.daysInMonth);
    return write(month, figures, {
      source: 'report',
      report: { id: report.id, createdAt: report.createdAt, createdMs },
      daysCovered,
      daysInMonth: coverage.daysInMonth,
      partial: daysCovered < coverage.daysInMonth,
    });
  }

  /** Writes Losant's historicalSummaries figures of a closed month ("YYYY-MM"); returns how many organizations were written. */
  async function recordSummaries(month: string, figures: readonly OrganizationMonthFigures[]): Promise<number> {
    if (!MONTH_PATTERN.test(month)) throw new Error(`not a month: ${month}`);
    const days = daysInMonthOf(month);
    return write(month, figures, { source: 'historicalSummaries', report: null, daysCovered: days, daysInMonth: days, partial: false });
  }

  function validEntries<T>(key: string, schema: z.ZodType<T>, texts: ReadonlyArray<string | null>): T[] {
    return texts.flatMap((text) => {
      if (text === null) return [];
      try {
        return [parseStoredJson(key, schema, text)];
      } catch (error) {
        if (!(error instanceof CorruptDataError)) throw error;
        options.logger.warn({ err: error }, 'skipped a monthly usage entry that is not what this version writes');
        return [];
      }
    });
  }

  function pointsOf(key: string, all: Record<string, string>): MonthPoint[] {
    // A point filed under another month than its own is not what this version writes either.
    const points = Object.entries(all).flatMap(([month, text]) => validEntries(key, pointSchema, [text]).filter((point) => point.month === month));
    return points.sort((a, b) => (a.month < b.month ? -1 : 1));
  }

  /** One organization's months, oldest first, or null when it has none. */
  async function organizationTrend(id: string): Promise<OrganizationTrend | null> {
    const [indexText, all] = await Promise.all([redis.hget(keys.trendOrganizations, id), redis.hgetall(keys.organizationMonths(id))]);
    const points = pointsOf(keys.organizationMonths(id), all);
    if (points.length === 0) return null;
    const [entry] = validEntries(keys.trendOrganizations, indexEntrySchema, [indexText]);
    return { id, name: entry?.name ?? id, points };
  }

  /**
   * Every organization with months, in id order (at most the organizations written in
   * ORGANIZATION_KEEP_SECONDS). With `months`, only those months are read (what the movers
   * compare: two small fields per organization instead of up to 24).
   */
  async function allTrends(query: { months?: readonly string[] } = {}): Promise<OrganizationTrend[]> {
    const index = await redis.hgetall(keys.trendOrganizations);
    const ids = Object.keys(index).sort();
    const only = query.months === undefined ? null : [...new Set(query.months)];
    if (only !== null && only.length === 0) return [];
    const trends: OrganizationTrend[] = [];
    for (let start = 0; start < ids.length; start += WRITE_BATCH) {
      const slice = ids.slice(start, start + WRITE_BATCH);
      const batch = redis.pipeline();
      for (const id of slice) {
        if (only === null) batch.hgetall(keys.organizationMonths(id));
        else batch.hmget(keys.organizationMonths(id), ...only);
      }
      const replies = (await batch.exec()) ?? [];
      slice.forEach((id, position) => {
        const [error, reply] = replies[position] ?? [null, null];
        if (error) throw error;
        const all: Record<string, string> = {};
        if (only === null) {
          // as: HGETALL answers an object of strings.
          Object.assign(all, reply as Record<string, string>);
        } else {
          // as: HMGET answers a string or null per field asked for.
          (reply as Array<string | null>).forEach((text, at) => {
            const month = only[at];
            if (text !== null && month !== undefined) all[month] = text;
          });
        }
        const points = pointsOf(keys.organizationMonths(id), all);
        if (points.length === 0) return;
        const [entry] = validEntries(keys.trendOrganizations, indexEntrySchema, [index[id] ?? null]);
        trends.push({ id, name: entry?.name ?? id, points });
      });
    }
    return trends;
  }

  return { recordReport, recordSummaries, organizationTrend, allTrends };
}

type Figures = Pick<MonthPoint, 'billablePayloads' | 'devices' | 'notebookMinutes'>;

export type OrganizationMonths = ReturnType<typeof createOrganizationMonths>;
