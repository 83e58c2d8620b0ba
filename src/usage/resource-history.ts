import type { RedisClient } from '../redis-client.js';
import { z } from 'zod';
import { CorruptDataError, parseStoredJson } from '../errors.js';
import type { Logger } from '../log.js';
import { redisKeys } from '../redis-keys.js';
import { namedRecord } from '../reports/record-schema.js';
import type { ReportSummary, ResourceFigures } from '../summary/types.js';
import { WRITE_RESOURCE_POINT } from './lua.js';
import { createScriptBatches } from './scripts.js';

export type ResourceKind = 'organization' | 'application';

/**
 * Resources written per report, at most: the summary step hands over the first 10,000 resources
 * met in the CSV (SummaryOptions.resourceFiguresKept), about 1.5 MB of Redis per report at that
 * size. A report naming more writes those and leaves the rest out (the count is logged).
 */
export const MAX_RESOURCES_WRITTEN = 10_000;
/** Points kept per resource, at most (the newest periods): years of daily reports. */
export const MAX_POINTS_PER_RESOURCE = 2_000;
/** Resources per pipeline: one round trip per this many scripts. */
const WRITE_BATCH = 500;

/** One resource's figures in one report: a point of its history. */
export interface ResourcePoint {
  reportId: string;
  /** The report's period (its earliest start and latest end), as the summary has it. */
  period: { start: string | null; end: string | null };
  /** Whether the report's rows are days or months. */
  dateGrouping: 'day' | 'month' | 'unknown';
  /** The resource's name in that report. */
  name: string;
  /** Per main usage column: a flow's sum over the report's periods, a level's highest period (as the top lists count). */
  figures: Record<string, number>;
  /** Its tag values in that report (reports grouped by organization carry them). */
  tags: Record<string, string>;
  writtenAt: string;
}

/** A known resource, as the index has it. */
export interface KnownResource {
  id: string;
  /** Its name in the report with the latest period that named it. */
  name: string;
  latestReportId: string;
  /** Start of that report's period (ISO). */
  latestPeriodStart: string;
}

const pointSchema: z.ZodType<ResourcePoint> = z.object({
  reportId: z.string().min(1),
  period: z.object({ start: z.string().nullable(), end: z.string().nullable() }),
  dateGrouping: z.enum(['day', 'month', 'unknown']),
  name: z.string(),
  figures: namedRecord(z.number()),
  tags: namedRecord(z.string()),
  writtenAt: z.string(),
});

const indexEntrySchema = z.object({ name: z.string(), sortKey: z.string(), periodMs: z.number(), reportId: z.string() });

/** The member of the by-name index: the lower-cased name (NULs taken out, so the first NUL ends it), NUL, the id. */
function sortKeyOf(name: string, id: string): string {
  return `${name.toLowerCase().replaceAll('\0', '')}\0${id}`;
}

function idOfSortKey(member: string): string {
  return member.slice(member.indexOf('\0') + 1);
}

export interface ResourceHistoryOptions {
  prefix: string;
  /** How long a point is kept after it was written: the report retention. */
  retentionSeconds: number;
  logger: Logger;
  now?: () => Date;
}

/**
 * Each resource's (organization's or application's) figures across every report that names it,
 * written when a report is summarized, so that one resource's history is one read however many
 * reports there are: per resource a sorted set of report ids by period start and a hash of the
 * points (JSON), plus an index of known resources (id -> latest name, and by name for listing
 * and search). Points go after the report retention; what is read back is validated, and an
 * entry that does not pass is skipped and logged.
 */
export function createResourceHistory(redis: RedisClient, options: ResourceHistoryOptions) {
  const keys = redisKeys(options.prefix).usage;
  const now = options.now ?? (() => new Date());
  const pointWrites = createScriptBatches(redis, WRITE_RESOURCE_POINT);

  /** Parses each text with the schema; one that does not pass is logged and left out. */
  function validEntries<T>(key: string, schema: z.ZodType<T>, texts: ReadonlyArray<string | null>): T[] {
    return texts.flatMap((text) => {
      if (text === null) return [];
      try {
        return [parseStoredJson(key, schema, text)];
      } catch (error) {
        if (!(error instanceof CorruptDataError)) throw error;
        options.logger.warn({ err: error }, 'skipped a usage entry that is not what this version writes');
        return [];
      }
    });
  }

  /**
   * Writes every resource's figures of one report (at most MAX_RESOURCES_WRITTEN), idempotent: a
   * report written again replaces its own points. A report whose resources are neither
   * organizations nor applications (summary.grouping.resource 'unknown') writes none. Returns the
   * number written.
   */
  async function recordReport(report: { id: string; createdAt: string }, summary: ReportSummary, resources: ResourceFigures): Promise<number> {
    const kind = summary.grouping.resource;
    if (kind === 'unknown') return 0;
    const periodStart = summary.period.start ?? report.createdAt;
    const periodMs = Date.parse(periodStart);
    if (Number.isNaN(periodMs)) return 0;
    const written = now();
    const cutoffMs = written.getTime() - options.retentionSeconds * 1000;
    const chosen = resources.resources.slice(0, MAX_RESOURCES_WRITTEN);
    await pointWrites.inBatches(chosen, WRITE_BATCH, (batch, sha, resource) => {
      const point: ResourcePoint = {
        reportId: report.id,
        period: summary.period,
        dateGrouping: summary.grouping.date,
        name: resource.name,
        figures: resource.figures,
        tags: resource.tags,
        writtenAt: written.toISOString(),
      };
      const sortKey = sortKeyOf(resource.name, resource.id);
      batch.evalsha(
        sha,
        5,
        keys.resourcePoints(kind, resource.id),
        keys.resourceByPeriod(kind, resource.id),
        keys.resourceByWritten(kind, resource.id),
        keys.resources(kind),
        keys.resourcesByName(kind),
        report.id,
        String(periodMs),
        String(written.getTime()),
        JSON.stringify(point),
        String(cutoffMs),
        String(options.retentionSeconds),
        resource.id,
        JSON.stringify({ name: resource.name, sortKey, periodMs, reportId: report.id }),
        sortKey,
        String(MAX_POINTS_PER_RESOURCE),
      );
    });
    const leftOut = resources.leftOut + resources.resources.length - chosen.length;
    if (leftOut > 0) options.logger.info({ reportId: report.id, written: chosen.length, leftOut }, 'resource history written for the first resources only');
    return chosen.length;
  }

  /** One resource's points, oldest period first, the newest `limit` (default 400). */
  async function resourceHistory(kind: ResourceKind, id: string, query: { limit?: number } = {}): Promise<ResourcePoint[]> {
    const limit = Math.max(1, Math.trunc(query.limit ?? 400));
    const reportIds = await redis.zrevrange(keys.resourceByPeriod(kind, id), 0, limit - 1);
    if (reportIds.length === 0) return [];
    const key = keys.resourcePoints(kind, id);
    const texts = await redis.hmget(key, ...reportIds);
    return validEntries(key, pointSchema, texts).reverse();
  }

  function known(id: string, entry: z.infer<typeof indexEntrySchema>): KnownResource {
    return { id, name: entry.name, latestReportId: entry.reportId, latestPeriodStart: new Date(entry.periodMs).toISOString() };
  }

  async function entriesOf(kind: ResourceKind, ids: readonly string[]): Promise<KnownResource[]> {
    if (ids.length === 0) return [];
    const key = keys.resources(kind);
    const texts = await redis.hmget(key, ...ids);
    return ids.flatMap((id, index) => validEntries(key, indexEntrySchema, [texts[index] ?? null]).map((entry) => known(id, entry)));
  }

  /** Known resources of a kind in name order (case-insensitive), paged, with the total. */
  async function listResources(kind: ResourceKind, query: { offset: number; limit: number }): Promise<{ items: KnownResource[]; total: number }> {
    const offset = Math.max(0, Math.trunc(query.offset));
    const limit = Math.max(0, Math.trunc(query.limit));
    const [members, total] = await Promise.all([
      limit === 0 ? Promise.resolve([]) : redis.zrange(keys.resourcesByName(kind), String(offset), String(offset + limit - 1)),
      redis.zcard(keys.resourcesByName(kind)),
    ]);
    return { items: await entriesOf(kind, members.map(idOfSortKey)), total };
  }

  /**
   * Resources whose id is `text`, then those whose name starts with it (case-insensitive), in
   * name order, at most `limit` (default 20).
   */
  async function searchResources(kind: ResourceKind, text: string, query: { limit?: number } = {}): Promise<KnownResource[]> {
    const limit = Math.max(1, Math.trunc(query.limit ?? 20));
    const prefix = text.toLowerCase().replaceAll('\0', '');
    const [byId, members] = await Promise.all([
      text === '' ? Promise.resolve([]) : entriesOf(kind, [text]),
      // 0xff never occurs in UTF-8 text, so "[prefix" to "[prefix\xff" spans every name that starts with the prefix.
      redis.zrangebylex(
        keys.resourcesByName(kind),
        Buffer.from(`[${prefix}`),
        Buffer.concat([Buffer.from(`[${prefix}`), Buffer.from([0xff])]),
        'LIMIT',
        0,
        limit,
      ),
    ]);
    const byName = await entriesOf(
      kind,
      members.map(idOfSortKey).filter((id) => id !== text),
    );
    return [...byId, ...byName].slice(0, limit);
  }

  /** One resource as the index has it (its latest name), or null. */
  async function resource(kind: ResourceKind, id: string): Promise<KnownResource | null> {
    return (await entriesOf(kind, [id]))[0] ?? null;
  }

  /** Forgets resources whose every point has gone (their history keys expired). Returns how many. */
  async function sweepIndex(kind: ResourceKind): Promise<number> {
    let cursor = '0';
    let removed = 0;
    do {
      const [next, flat] = await redis.zscan(keys.resourcesByName(kind), cursor, 'COUNT', '500');
      cursor = next;
      const members = flat.filter((_, index) => index % 2 === 0);
      if (members.length === 0) continue;
      const exists = redis.pipeline();
      for (const member of members) exists.exists(keys.resourceByPeriod(kind, idOfSortKey(member)));
      const replies = (await exists.exec()) ?? [];
      const gone = members.filter((_, index) => replies[index]?.[1] === 0);
      if (gone.length === 0) continue;
      await redis
        .pipeline()
        .zrem(keys.resourcesByName(kind), ...gone)
        .hdel(keys.resources(kind), ...gone.map(idOfSortKey))
        .exec();
      removed += gone.length;
    } while (cursor !== '0');
    return removed;
  }

  return { recordReport, resourceHistory, listResources, searchResources, resource, sweepIndex };
}

export type ResourceHistory = ReturnType<typeof createResourceHistory>;
