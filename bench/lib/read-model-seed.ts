import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import type { Redis } from 'ioredis';
import { summarizeReportCsv } from '../../src/csv/summarize-stream.js';
import type { Logger } from '../../src/log.js';
import type { ReportRecord, ReportStatus } from '../../src/reports/record.js';
import { createReportStore, type ReportStore } from '../../src/reports/store.js';
import type { ResourceFigures } from '../../src/summary/types.js';
import { createUsageReadModel, type UsageReadModel } from '../../src/usage/read-model.js';
import type { ResourceKind } from '../../src/usage/resource-history.js';

const DAY_MS = 86_400_000;
export const SEED_SERIES = Array.from({ length: 8 }, (_, index) => `options-bench-${index}`);
const OTHER_STATUSES: ReportStatus[] = ['requested', 'accepted', 'failed', 'overdue'];
const LIMITS = { maxColumns: 2_000, maxFieldBytes: 1024 * 1024 };
/** When the seeded reports start: two years from here. */
export const SEED_FIRST_DAY = Date.UTC(2024, 0, 1);

/** The id of the seed's n-th organization (or application) of each delivered report. */
export const seededResourceId = (index: number) => `5f1a2b3c4d5e6f7a8b${String(index).padStart(6, '0')}`;

function dayCsv(day: Date, kind: ResourceKind, resources: number): string {
  const start = day.toISOString();
  const end = new Date(day.getTime() + DAY_MS - 1).toISOString();
  const lines = ['resourceType,resourceId,resourceName,currentPeriodStart,currentPeriodEnd,deviceCount,payloadBillableCount,notebookMinutesCount,tag:region'];
  const name = kind === 'organization' ? 'Organization' : 'Application';
  for (let index = 0; index < resources; index += 1) {
    const figures = `${10 + index},${(index + 1) * 1000 + (day.getTime() % 997)},${index % 7}`;
    lines.push(`${kind},${seededResourceId(index)},${name} ${index},${start},${end},${figures},region-${index % 4}`);
  }
  return lines.join('\n');
}

export interface SeedOptions {
  redis: Redis;
  prefix: string;
  logger: Logger;
  /** Report records seeded, created over two years, statuses, sources and series mixed. */
  records: number;
  /** Of which delivered (one day each), summarized by the real summarizer and written to the usage read model as the worker writes them. */
  delivered: number;
  /** Organizations (or applications) named by each delivered report. */
  resources: number;
  /** Every n-th delivered report is grouped by application instead of organization (0: none). */
  applicationEvery?: number;
}

export interface Seeded {
  store: ReportStore;
  usage: UsageReadModel;
  seconds: number;
  /** Ids of the delivered reports, oldest first. */
  deliveredIds: string[];
}

/**
 * Seeds the dashboards' read model as years of use leave it: report records in every status, and
 * delivered reports whose summaries and usage figures are written as the worker writes them.
 */
export async function seedReadModel(options: SeedOptions): Promise<Seeded> {
  const { redis, prefix, records, resources } = options;
  const delivered = Math.min(records, options.delivered);
  const applicationEvery = options.applicationEvery ?? 0;
  let clock = new Date();
  const store = createReportStore(redis, { prefix, retentionDays: 3650, now: () => clock });
  const usage = createUsageReadModel(redis, { prefix, retentionSeconds: 3650 * 86_400, logger: options.logger });
  const stepMs = Math.floor((730 * DAY_MS) / records);
  const deliveredEvery = Math.floor(records / delivered);
  const isDelivered = (index: number) => index % deliveredEvery === 0 && index / deliveredEvery < delivered;
  const started = performance.now();
  const deliveredIds: string[] = [];
  let next = 0;
  let deliveredDay = 0;
  const one = async (index: number): Promise<void> => {
    const seriesKey = SEED_SERIES[index % SEED_SERIES.length] ?? 'options-bench-0';
    const source: ReportRecord['source'] = index % 3 === 0 ? 'schedule' : 'api';
    // Ids of the service's own shape (REPORT_ID_PATTERN): pages refuse any other as unknown.
    const id = `rbench${String(index).padStart(4, '0')}${index.toString(16).padStart(16, '0')}`;
    clock = new Date(SEED_FIRST_DAY + index * stepMs);
    const createdAt = clock.toISOString();
    const dayIndex = isDelivered(index) ? deliveredDay++ : -1;
    const kind: ResourceKind = applicationEvery > 0 && dayIndex % applicationEvery === applicationEvery - 1 ? 'application' : 'organization';
    const report = {
      id,
      source,
      scheduleId: source === 'schedule' ? 'sched-bench' : null,
      request: { resourceGroupBy: kind, dateGroupBy: 'day' as const },
      delivery: { email: false, archive: false, recipients: [] },
      seriesKey,
      secretHash: null,
      status: 'requested' as const,
      overdueAt: null,
      note: 'created by the benchmark',
    };
    if (dayIndex === -1) {
      await store.create(report);
      const status = OTHER_STATUSES[index % OTHER_STATUSES.length];
      const at = createdAt;
      if (status === 'accepted') await store.markAccepted(id, { jobId: `job-${index}`, acceptedAt: at, legacy: false }, 'queued');
      if (status === 'failed') await store.markRequestFailed(id, { step: 'request', code: 'refused', message: 'refused', permanent: true, at }, 'refused');
      if (status === 'overdue') await store.markOverdue(id, 'no callback');
      return;
    }
    const day = new Date(SEED_FIRST_DAY + dayIndex * DAY_MS);
    const info = { receivedAt: createdAt, contentType: 'text/csv', bytes: 1, sha256: id, headers: {}, jobId: null, duplicates: 0 };
    await store.create(report, { callback: { info, body: Buffer.from('x') } });
    let figures: ResourceFigures = { columns: [], resources: [], leftOut: 0 };
    const summary = await summarizeReportCsv(Readable.from([dayCsv(day, kind, resources)]), LIMITS, {
      onResourceFigures: (found) => (figures = found),
    });
    const file = { key: id, location: `file:///bench/${id}.csv`, sha256: id, bytes: 1 };
    await store.markDownloaded(id, { interpretation: { kind: 'inline' }, download: { bytes: 1, sha256: id, sources: 1, at: createdAt } }, 'downloaded');
    await store.markArchived(id, { csv: file, summary: null, at: createdAt }, 'archived');
    await usage.resources.recordReport({ id, createdAt }, summary, figures);
    await store.markSummarized(id, { summary, comparison: null }, 'summarized');
    await store.markDelivered(id, 'delivered');
    await store.setLatestInSeries(seriesKey, id, summary);
    await usage.instance.recordDelivered({ id, createdAt }, summary);
    deliveredIds.push(id);
  };
  // Delivered reports one after the other (each names the same resources); the rest 32 at a time.
  for (let index = 0; index < records; index += deliveredEvery) if (isDelivered(index)) await one(index);
  const lanes = Array.from({ length: 32 }, async () => {
    for (let index = next++; index < records; index = next++) if (!isDelivered(index)) await one(index);
  });
  await Promise.all(lanes);
  return { store, usage, seconds: (performance.now() - started) / 1000, deliveredIds };
}
