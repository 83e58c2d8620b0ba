import { Readable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import type { BenchCase, Table } from '../lib/case.js';
import { checkBelow } from '../lib/checks.js';
import { measureInterleaved } from '../lib/measure.js';
import { formatNumber } from '../lib/report.js';
import { benchPrefix, deleteKeysWithPrefix } from '../lib/redis-prefix.js';
import { percentile } from '../lib/stats.js';
import { summarizeReportCsv } from '../../src/csv/summarize-stream.js';
import { createLogger } from '../../src/log.js';
import type { ReportRecord, ReportStatus } from '../../src/reports/record.js';
import { createReportStore } from '../../src/reports/store.js';
import type { ResourceFigures } from '../../src/summary/types.js';
import { createUsageReadModel } from '../../src/usage/read-model.js';

/**
 * Question: do the dashboard's read queries stay fast after years of use? With 10,000 report
 * records (statuses, sources and series mixed, created over two years) and 400 delivered reports
 * (one day each, ~200 organizations, summarized by the real summarizer and written to the usage
 * read model as the worker writes them), every page query should answer in well under 50 ms at
 * the 95th percentile, and one organization's whole history under 100 ms.
 */

const DAY_MS = 86_400_000;
const SERIES = Array.from({ length: 8 }, (_, index) => `options-bench-${index}`);
const FIRST_SERIES = 'options-bench-0';
const OTHER_STATUSES: ReportStatus[] = ['requested', 'accepted', 'failed', 'overdue'];
const LIMITS = { maxColumns: 2_000, maxFieldBytes: 1024 * 1024 };

function dayCsv(day: Date, organizations: number): string {
  const start = day.toISOString();
  const end = new Date(day.getTime() + DAY_MS - 1).toISOString();
  const lines = ['resourceType,resourceId,resourceName,currentPeriodStart,currentPeriodEnd,deviceCount,payloadBillableCount,notebookMinutesCount,tag:region'];
  for (let org = 0; org < organizations; org += 1) {
    const id = `5f1a2b3c4d5e6f7a8b${String(org).padStart(6, '0')}`;
    lines.push(`organization,${id},Organization ${org},${start},${end},${10 + org},${(org + 1) * 1000 + (day.getTime() % 997)},${org % 7},region-${org % 4}`);
  }
  return lines.join('\n');
}

const readModelCase: BenchCase = {
  description:
    'Dashboard read model: report list queries, latest per series, one organization history and monthly totals over 10,000 records and 400 delivered summaries',
  defaults: { runs: 5, warmup: 1 },
  options: [
    '--records N        report records seeded (default 10000)',
    '--delivered N      of which delivered with a summary and usage written (default 400)',
    '--organizations N  organizations per delivered report (default 200)',
    '--calls N          calls of each query per run (default 40)',
  ],

  async run({ args, runs, warmup, log }) {
    const recordCount = args.number('records', 10_000, { min: 1, integer: true });
    const deliveredCount = Math.min(recordCount, args.number('delivered', 400, { min: 1, integer: true }));
    const organizations = args.number('organizations', 200, { min: 1, integer: true });
    const calls = args.number('calls', 40, { min: 1, integer: true });
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 2 });
    const prefix = benchPrefix('read-model');
    const logger = createLogger({ level: 'warn' });
    let clock = new Date();
    const store = createReportStore(redis, { prefix, retentionDays: 3650, now: () => clock });
    const usage = createUsageReadModel(redis, { prefix, retentionSeconds: 3650 * 86_400, logger });
    try {
      // Two years of reports, the delivered ones spread evenly among them.
      const first = Date.UTC(2024, 0, 1);
      const stepMs = Math.floor((730 * DAY_MS) / recordCount);
      const deliveredEvery = Math.floor(recordCount / deliveredCount);
      const seedStarted = performance.now();
      let next = 0;
      let deliveredDay = 0;
      const one = async (index: number): Promise<void> => {
        const delivered = index % deliveredEvery === 0 && index / deliveredEvery < deliveredCount;
        const seriesKey = SERIES[index % SERIES.length] ?? 'options-bench-0';
        const source: ReportRecord['source'] = index % 3 === 0 ? 'schedule' : 'api';
        const id = `r_bench_${String(index).padStart(6, '0')}`;
        clock = new Date(first + index * stepMs);
        const createdAt = clock.toISOString();
        const report = {
          id,
          source,
          scheduleId: source === 'schedule' ? 'sched-bench' : null,
          request: { resourceGroupBy: 'organization' as const, dateGroupBy: 'day' as const },
          delivery: { email: false, archive: false, recipients: [] },
          seriesKey,
          secretHash: null,
          status: 'requested' as const,
          overdueAt: null,
          note: 'created by the benchmark',
        };
        if (!delivered) {
          await store.create(report);
          const status = OTHER_STATUSES[index % OTHER_STATUSES.length];
          const at = createdAt;
          if (status === 'accepted') await store.markAccepted(id, { jobId: `job-${index}`, acceptedAt: at, legacy: false }, 'queued');
          if (status === 'failed') await store.markRequestFailed(id, { step: 'request', code: 'refused', message: 'refused', permanent: true, at }, 'refused');
          if (status === 'overdue') await store.markOverdue(id, 'no callback');
          return;
        }
        const day = new Date(Date.UTC(2024, 0, 1) + deliveredDay++ * DAY_MS);
        const info = { receivedAt: createdAt, contentType: 'text/csv', bytes: 1, sha256: id, headers: {}, jobId: null, duplicates: 0 };
        await store.create(report, { callback: { info, body: Buffer.from('x') } });
        let resources: ResourceFigures = { columns: [], resources: [], leftOut: 0 };
        const summary = await summarizeReportCsv(Readable.from([dayCsv(day, organizations)]), LIMITS, {
          onResourceFigures: (figures) => (resources = figures),
        });
        const file = { key: id, location: `file:///bench/${id}.csv`, sha256: id, bytes: 1 };
        await store.markDownloaded(id, { interpretation: { kind: 'inline' }, download: { bytes: 1, sha256: id, sources: 1, at: createdAt } }, 'downloaded');
        await store.markArchived(id, { csv: file, summary: null, at: createdAt }, 'archived');
        await usage.resources.recordReport({ id, createdAt }, summary, resources);
        await store.markSummarized(id, { summary, comparison: null }, 'summarized');
        await store.markDelivered(id, 'delivered');
        await store.setLatestInSeries(seriesKey, id, summary);
        await usage.instance.recordDelivered({ id, createdAt }, summary);
      };
      // Delivered reports one after the other (each names the same organizations); the rest 32 at a time.
      for (let index = 0; index < recordCount; index += deliveredEvery) if (index / deliveredEvery < deliveredCount) await one(index);
      const lanes = Array.from({ length: 32 }, async () => {
        for (let index = next++; index < recordCount; index = next++)
          if (!(index % deliveredEvery === 0 && index / deliveredEvery < deliveredCount)) await one(index);
      });
      await Promise.all(lanes);
      const seedSeconds = (performance.now() - seedStarted) / 1000;
      log(`seeded ${recordCount} records (${deliveredCount} delivered, ${organizations} organizations each) in ${seedSeconds.toFixed(1)} s`);

      const someOrganization = `5f1a2b3c4d5e6f7a8b${String(Math.floor(organizations / 2)).padStart(6, '0')}`;
      const periodFrom = new Date(first + 200 * DAY_MS);
      const periodTo = new Date(first + 380 * DAY_MS);
      const queries: Record<string, () => Promise<unknown>> = {
        'list, unfiltered (50)': () => store.query({ offset: 0, limit: 50 }),
        'list, page 100 unfiltered': () => store.query({ offset: 5_000, limit: 50 }),
        'list by status (50)': () => store.query({ status: 'failed', offset: 0, limit: 50 }),
        'list by status+series+period (50)': () =>
          store.query({ status: 'delivered', seriesKey: FIRST_SERIES, createdFrom: periodFrom, createdTo: periodTo, offset: 0, limit: 50 }),
        'list by source+series (50)': () => store.query({ source: 'schedule', seriesKey: 'options-bench-3', offset: 0, limit: 50 }),
        'latest per series': () => store.latestPerSeries(),
        'one organization history': () => usage.resources.resourceHistory('organization', someOrganization, { limit: 1000 }),
        'organizations, first page (50)': () => usage.resources.listResources('organization', { offset: 0, limit: 50 }),
        'organization search': () => usage.resources.searchResources('organization', 'organization 1'),
        'monthly totals': () => usage.instance.monthlyTotals(),
      };
      const sizes = {
        historyPoints: (await usage.resources.resourceHistory('organization', someOrganization, { limit: 1000 })).length,
        months: (await usage.instance.monthlyTotals()).length,
        combinedTotal: (await store.query({ status: 'delivered', seriesKey: FIRST_SERIES, createdFrom: periodFrom, createdTo: periodTo, offset: 0, limit: 1 }))
          .total,
      };

      const pooled = new Map<string, number[]>(Object.keys(queries).map((name) => [name, []]));
      const subjects = Object.fromEntries(
        Object.entries(queries).map(([name, call]) => [
          name,
          async (run: number) => {
            const times: number[] = [];
            for (let i = 0; i < calls; i += 1) {
              const started = performance.now();
              await call();
              times.push(performance.now() - started);
            }
            if (run > 0) pooled.get(name)?.push(...times);
            return { 'p50 ms': percentile(times, 50), 'p95 ms': percentile(times, 95) };
          },
        ]),
      );
      const measured = await measureInterleaved(subjects, {
        runs,
        warmup,
        onRun: (name, run, m) => log(`${name} run ${run}: p95 ${formatNumber(m['p95 ms'] ?? 0)} ms`),
      });

      const table: Table = {
        title: `Query time in this process (ms, ${runs * calls} calls each after warm-up; Redis on ${redis.options.host ?? 'localhost'})`,
        columns: ['query', 'p50', 'p95', 'max'],
        rows: [...pooled].map(([name, times]) => [
          name,
          formatNumber(percentile(times, 50)),
          formatNumber(percentile(times, 95)),
          formatNumber(Math.max(...times)),
        ]),
      };
      const checks = [...pooled].map(([name, times]) =>
        checkBelow(`${name}: p95`, percentile(times, 95), name === 'one organization history' ? 100 : 50, 'ms'),
      );
      return {
        parameters: {
          records: recordCount,
          delivered: deliveredCount,
          'organizations per report': organizations,
          'calls per query per run': calls,
          'seeding (s)': Number(seedSeconds.toFixed(1)),
          'history points of the organization read': sizes.historyPoints,
          'months in the totals': sizes.months,
          'reports matching status+series+period': sizes.combinedTotal,
        },
        measurements: Object.values(measured),
        comparisons: [],
        checks,
        tables: [table],
        notes: [
          'Times are measured around each call in the benchmark process: Redis round trips, JSON parsing and validation of what is read back included, as a page handler would see them.',
        ],
      };
    } finally {
      await deleteKeysWithPrefix(redis, prefix);
      await redis.quit();
    }
  },
};

export default readModelCase;
