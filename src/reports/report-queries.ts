import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../redis-client.js';
import { parseStoredJson } from '../errors.js';
import type { RedisKeys } from '../redis-keys.js';
import type { ReportSummary } from '../summary/types.js';
import type { ReportRecord, ReportStatus } from './record.js';
import { seriesEntrySchema } from './record-schema.js';

/**
 * What the Reports page asks for. Every filter is optional; together they must all hold.
 * `createdFrom`/`createdTo` bound the report's creation time, from inclusive to exclusive: the
 * creation time is known for every report from its first moment (the period a report covers is
 * known only once it is summarized), and every index is scored by it, so a range costs no more
 * than a page.
 */
export interface ReportQuery {
  status?: ReportStatus;
  source?: ReportRecord['source'];
  seriesKey?: string;
  createdFrom?: Date;
  createdTo?: Date;
  offset: number;
  limit: number;
}

export interface ReportPage {
  /** Newest first. */
  items: ReportRecord[];
  /** How many reports match, on every page. */
  total: number;
}

export interface SeriesListing {
  seriesKey: string;
  /** Reports of the series still kept. */
  reportCount: number;
  /** The id of its most recently created report, whatever its status. */
  latestReportId: string;
}

export interface SeriesOverview {
  seriesKey: string;
  reportCount: number;
  /** The series' most recently created report, whatever its status (null when it expired meanwhile). */
  latest: ReportRecord | null;
  /** Its latest delivered summary (what the next report is compared with), or null before the first delivery. */
  latestDelivered: { reportId: string; summary: ReportSummary } | null;
}

type Reply = [Error | null, unknown];

function replyOf(replies: Reply[] | null, index: number): unknown {
  const [error, value] = replies?.[index] ?? [new Error('Redis answered no reply'), null];
  if (error) throw error;
  return value;
}

function idsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : [];
}

/**
 * The read side of the report indexes (src/reports/lua.ts keeps them): queries that never scan
 * the records, only sorted sets, and then read the one page of records they name.
 *
 * One filter reads its index directly (ZREVRANGEBYSCORE ... LIMIT and ZCOUNT). Several are
 * intersected with ZINTERSTORE into a scratch key made and dropped in the same MULTI (nothing is
 * left behind, whatever happens to the connection): Redis walks the smallest of the sets, so the
 * cost is bounded by the narrowest filter (at most the reports kept, 10,000 index entries take
 * about a millisecond), never by the size of the records. Picking the smallest index and reading
 * records to filter the rest would read up to the whole index's records for a rare combination.
 */
export function createReportQueries(redis: RedisClient, keys: RedisKeys, getMany: (ids: readonly string[]) => Promise<ReportRecord[]>) {
  async function query(request: ReportQuery): Promise<ReportPage> {
    const offset = Math.max(0, Math.trunc(request.offset));
    const limit = Math.max(0, Math.trunc(request.limit));
    const indexes = [
      ...(request.status === undefined ? [] : [keys.reports.byStatus(request.status)]),
      ...(request.source === undefined ? [] : [keys.reports.bySource(request.source)]),
      ...(request.seriesKey === undefined ? [] : [keys.reports.bySeries(request.seriesKey)]),
    ];
    const min = request.createdFrom === undefined ? '-inf' : String(request.createdFrom.getTime());
    const max = request.createdTo === undefined ? '+inf' : `(${request.createdTo.getTime()}`;
    const ranged = request.createdFrom !== undefined || request.createdTo !== undefined;

    let ids: string[];
    let total: number;
    if (indexes.length <= 1) {
      const index = indexes[0] ?? keys.reports.byCreated;
      const batch = redis.pipeline();
      if (ranged) batch.zrevrangebyscore(index, max, min, 'LIMIT', offset, limit).zcount(index, min, max);
      else batch.zrevrange(index, offset, offset + limit - 1).zcard(index);
      const replies = await batch.exec();
      ids = limit === 0 ? [] : idsOf(replyOf(replies, 0));
      total = Number(replyOf(replies, 1));
    } else {
      const scratch = keys.reports.queryScratch(randomBytes(8).toString('hex'));
      const replies = await redis
        .multi()
        // Every index is scored by creation time, so MAX keeps it.
        .zinterstore(scratch, indexes.length, ...indexes, 'AGGREGATE', 'MAX')
        .zrevrangebyscore(scratch, max, min, 'LIMIT', offset, limit)
        .zcount(scratch, min, max)
        .del(scratch)
        .exec();
      ids = limit === 0 ? [] : idsOf(replyOf(replies, 1));
      total = Number(replyOf(replies, 2));
    }
    return { items: await getMany(ids), total };
  }

  async function listSeries(): Promise<SeriesListing[]> {
    const latest = await redis.hgetall(keys.reports.seriesLatest);
    const seriesKeys = Object.keys(latest).sort();
    if (seriesKeys.length === 0) return [];
    const batch = redis.pipeline();
    for (const seriesKey of seriesKeys) batch.zcard(keys.reports.bySeries(seriesKey));
    const replies = await batch.exec();
    return seriesKeys.map((seriesKey, index) => ({
      seriesKey,
      reportCount: Number(replyOf(replies, index)),
      latestReportId: latest[seriesKey] ?? '',
    }));
  }

  async function latestPerSeries(): Promise<SeriesOverview[]> {
    const series = await listSeries();
    if (series.length === 0) return [];
    const [records, delivered] = await Promise.all([
      getMany(series.map((entry) => entry.latestReportId)),
      redis.mget(...series.map((entry) => keys.series(entry.seriesKey))),
    ]);
    const byId = new Map(records.map((record) => [record.id, record]));
    return series.map((entry, index) => {
      const text = delivered[index];
      return {
        seriesKey: entry.seriesKey,
        reportCount: entry.reportCount,
        latest: byId.get(entry.latestReportId) ?? null,
        latestDelivered: text === null || text === undefined ? null : parseStoredJson(keys.series(entry.seriesKey), seriesEntrySchema, text),
      };
    });
  }

  return { query, listSeries, latestPerSeries };
}
