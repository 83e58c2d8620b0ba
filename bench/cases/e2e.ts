import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import type { ReportRecord, ReportStatus } from '../../src/reports/record.js';
import { startBaselineReceiver } from '../e2e/baseline.js';
import { startBenchService } from '../e2e/service.js';
import { startSmtpSink } from '../e2e/smtp-sink.js';
import type { BenchCase, Table } from '../lib/case.js';
import { checkBelow } from '../lib/checks.js';
import { startFileServer } from '../lib/file-server.js';
import { generateReportCsv } from '../lib/generate-report-csv.js';
import { measureInterleaved } from '../lib/measure.js';
import type { Metrics } from '../lib/measure.js';
import { benchPrefix } from '../lib/redis-prefix.js';
import { callbackBody, createAwaitingReports } from '../lib/report-records.js';
import { formatNumber } from '../lib/report.js';
import { percentile } from '../lib/stats.js';
import { benchRedisUrl } from '../lib/redis-url.js';

/**
 * Target: from a callback's arrival to the email accepted by a local SMTP server, for a
 * 10,000-row report: median and p95 over 50 reports; target median under 500 ms on loopback.
 */

const SUBJECT = 'report-relay (web + worker)';
const BASELINE = 'script: express → undici → csv-parse → nodemailer';
const TARGET_MS = 500;
/** Steps of a report, in order, as its history records them. */
const STEPS: ReportStatus[] = ['callback_received', 'downloaded', 'archived', 'summarized', 'emailed', 'delivered'];

function latencyMetrics(latencies: readonly number[]): Metrics {
  return {
    'median ms': percentile(latencies, 50),
    'p95 ms': percentile(latencies, 95),
    'max ms': Math.max(...latencies),
  };
}

/** Milliseconds between consecutive steps, from the record's history (Date, ms resolution). */
function stepDurations(record: ReportRecord): Record<string, number> {
  const at = new Map<string, number>();
  for (const entry of record.history) if (!at.has(entry.status)) at.set(entry.status, Date.parse(entry.at));
  const durations: Record<string, number> = {};
  for (let i = 1; i < STEPS.length; i++) {
    const from = at.get(STEPS[i - 1]!);
    const to = at.get(STEPS[i]!);
    if (from !== undefined && to !== undefined) durations[`${STEPS[i - 1]} → ${STEPS[i]}`] = to - from;
  }
  return durations;
}

async function post(url: string, body: string): Promise<number> {
  const response = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'losant-callback-bench' }, body });
  await response.body.dump();
  return response.statusCode;
}

const e2eCase: BenchCase = {
  description:
    'End to end: callback arrival to the email accepted by a local SMTP server, 10,000-row report over loopback, against a hand-written script on the same libraries',
  defaults: { runs: 3, warmup: 1 },
  options: ['--reports N   reports per run, one after another (default 50; warm-up runs use 10)', '--rows N      rows of the report CSV (default 10000)'],

  async run({ args, runs, warmup, tmpDir, log }) {
    const reportsPerRun = args.number('reports', 50, { min: 1, integer: true });
    const rows = args.number('rows', 10_000, { min: 1, integer: true });
    const redisUrl = benchRedisUrl();

    const csv = await generateReportCsv({ path: join(tmpDir, 'report.csv'), rows, seed: 7 });
    const files = await startFileServer([csv.path]);
    const csvUrl = files.urlOf(csv.path);
    const sink = await startSmtpSink();
    const prefix = benchPrefix('e2e');
    const service = await startBenchService({ smtpUrl: sink.url, dataDir: join(tmpDir, 'data'), redisUrl, prefix });
    const baseline = await startBaselineReceiver(sink.url);

    const pooled: Record<string, number[]> = { [SUBJECT]: [], [BASELINE]: [] };
    const steps: Record<string, number[]> = {};
    let baselineCount = 0;
    try {
      const measured = await measureInterleaved(
        {
          [SUBJECT]: async (run) => {
            const count = run === 0 ? Math.min(10, reportsPerRun) : reportsPerRun;
            const reports = await createAwaitingReports(service.store, count, { recipients: ['billing@example.com'] });
            const latencies: number[] = [];
            for (const report of reports) {
              const started = performance.now();
              const status = await post(`${service.url}${report.callbackPath}`, callbackBody(report, csvUrl));
              if (status !== 202) throw new Error(`the callback of ${report.id} was answered ${status}`);
              const accepted = await sink.acceptedAt(`<report-${report.id}@report-relay>`);
              latencies.push(accepted - started);
              // The next report starts once this one is done, so each is measured on its own.
              const record = await service.waitForStatus(report.id, ['delivered', 'failed']);
              if (record.status !== 'delivered') throw new Error(`report ${report.id} failed: ${JSON.stringify(record.error)}`);
              if (run > 0) for (const [step, ms] of Object.entries(stepDurations(record))) (steps[step] ??= []).push(ms);
            }
            if (run > 0) pooled[SUBJECT]!.push(...latencies);
            return latencyMetrics(latencies);
          },
          [BASELINE]: async (run) => {
            const count = run === 0 ? Math.min(10, reportsPerRun) : reportsPerRun;
            const latencies: number[] = [];
            for (let i = 0; i < count; i++) {
              const id = `${++baselineCount}`;
              const started = performance.now();
              const status = await post(
                `${baseline.url}/callbacks/${id}`,
                JSON.stringify({ jobId: `job${id}`, status: 'completed', success: true, url: csvUrl }),
              );
              if (status !== 202) throw new Error(`the baseline answered ${status}`);
              latencies.push((await sink.acceptedAt(`<baseline-${id}@bench>`)) - started);
            }
            if (baseline.failures.length > 0) throw new Error(`the baseline failed: ${baseline.failures[0]}`);
            if (run > 0) pooled[BASELINE]!.push(...latencies);
            return latencyMetrics(latencies);
          },
        },
        {
          runs,
          warmup,
          onRun: (name, run, m) => log(`run ${run} ${name.padEnd(50)} median ${formatNumber(m['median ms']!)} ms, p95 ${formatNumber(m['p95 ms']!)} ms`),
        },
      );
      const subject = measured[SUBJECT]!;
      const base = measured[BASELINE]!;

      const pooledTable: Table = {
        title: `All kept reports pooled (${runs} runs × ${reportsPerRun})`,
        columns: ['side', 'reports', 'median ms', 'p95 ms', 'max ms'],
        rows: Object.entries(pooled).map(([name, values]) => [
          name,
          values.length,
          formatNumber(percentile(values, 50)),
          formatNumber(percentile(values, 95)),
          formatNumber(Math.max(...values)),
        ]),
      };
      const stepsTable: Table = {
        title: 'Where a report spends its time in the service (record history, ms resolution; median and p95 over the kept reports)',
        columns: ['step', 'median ms', 'p95 ms'],
        rows: Object.entries(steps).map(([step, values]) => [step, formatNumber(percentile(values, 50)), formatNumber(percentile(values, 95))]),
      };
      const subjectMedian = subject.summary['median ms']!.median;
      const baselineMedian = base.summary['median ms']!.median;
      return {
        parameters: {
          report: `${rows.toLocaleString('en-US')} rows, ${formatNumber(csv.bytes / 1e6)} MB, served over loopback HTTP (a URL callback, the body Losant most plausibly sends)`,
          measured: 'from just before the callback POST to the moment the SMTP server has the whole message and accepts it (matched by Message-ID)',
          service:
            'in this process, built by createService (src/service.ts): web app + worker (WORKER_CONCURRENCY 2, default settings), SMTP to the local sink, logs at info to /dev/null',
          order: `reports one after another; the next starts when the previous one is delivered; ${runs} kept + ${warmup} warm-up runs (warm-up runs send 10), interleaved with the baseline`,
          baseline: 'bench/e2e/baseline.ts: express + helmet answers 202, then undici download, csv-parse (columns) sum, nodemailer send with the CSV attached',
        },
        measurements: [subject, base],
        comparisons: [],
        checks: [checkBelow(`${SUBJECT}: median latency (median of runs)`, subjectMedian, TARGET_MS, 'ms')],
        tables: [pooledTable, stepsTable],
        notes: [
          `The service's median is ${formatNumber(subjectMedian - baselineMedian)} ms above the script's (${(subjectMedian / baselineMedian).toFixed(2)}×): the queue hand-off, the record's state changes in Redis, the archive copy, the formula-neutralized (and, above 2 MiB, gzipped) attachment and the rendered email. The issue sets no ratio target here.`,
        ],
      };
    } finally {
      await baseline.stop();
      await service.stop();
      await sink.close();
      await files.close();
    }
  },
};

export default e2eCase;
