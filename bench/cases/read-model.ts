import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import type { BenchCase, Table } from '../lib/case.js';
import { checkBelow } from '../lib/checks.js';
import { measureInterleaved } from '../lib/measure.js';
import { formatNumber } from '../lib/report.js';
import { benchPrefix, deleteKeysWithPrefix } from '../lib/redis-prefix.js';
import { percentile } from '../lib/stats.js';
import { seedReadModel, seededResourceId, SEED_FIRST_DAY } from '../lib/read-model-seed.js';
import { createLogger } from '../../src/log.js';
import { benchRedisUrl } from '../lib/redis-url.js';

/**
 * Question: do the dashboard's read queries stay fast after years of use? With 10,000 report
 * records (statuses, sources and series mixed, created over two years) and 400 delivered reports
 * (one day each, ~200 organizations, summarized by the real summarizer and written to the usage
 * read model as the worker writes them), every page query should answer in well under 50 ms at
 * the 95th percentile, and one organization's whole history under 100 ms.
 */

const DAY_MS = 86_400_000;
const FIRST_SERIES = 'options-bench-0';

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
    const redis = new Redis(benchRedisUrl(), { maxRetriesPerRequest: 2 });
    const prefix = benchPrefix('read-model');
    const logger = createLogger({ level: 'warn' });
    try {
      const seeded = await seedReadModel({ redis, prefix, logger, records: recordCount, delivered: deliveredCount, resources: organizations });
      const { store, usage } = seeded;
      const first = SEED_FIRST_DAY;
      const seedSeconds = seeded.seconds;
      log(`seeded ${recordCount} records (${deliveredCount} delivered, ${organizations} organizations each) in ${seedSeconds.toFixed(1)} s`);

      const someOrganization = seededResourceId(Math.floor(organizations / 2));
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
