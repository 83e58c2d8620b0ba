import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchCase, Check, Table } from '../lib/case.js';
import { runChild } from '../lib/child.js';
import { compileTree } from '../lib/compile.js';
import { checkBelow } from '../lib/checks.js';
import type { GeneratedReport } from '../lib/generate-report-csv.js';
import { compare, measureInterleaved } from '../lib/measure.js';
import type { Comparison, Measurement, Metrics } from '../lib/measure.js';
import { benchPrefix } from '../lib/redis-prefix.js';
import { cachedReportCsv, reportCacheDir } from '../lib/report-file-cache.js';
import { formatNumber } from '../lib/report.js';
import { startFileServer } from '../lib/file-server.js';
import type { PipelineRunResult } from '../pipeline/result.js';
import type { RetainedHeapResult } from '../pipeline/retained-heap.js';
import type { SummaryAtLimitsResult } from '../pipeline/summary-at-limits.js';
import { workerCommand } from '../lib/worker-command.js';
import { benchRedisUrl } from '../lib/redis-url.js';

/**
 * Target: a year-long daily report of a large instance (hundreds of MB) must not run the worker out
 * of memory, and the real steps (download, archive, parse, summarize) must reach at least 0.8× the
 * MB/s of csv-parse alone on the same download; peak RSS under 150 MB and flat from 15 MB to 1 GB.
 */

const subjectScript = fileURLToPath(new URL('../pipeline/subject.ts', import.meta.url));
const retainedScript = fileURLToPath(new URL('../pipeline/retained-heap.ts', import.meta.url));
const baselineScript = fileURLToPath(new URL('../pipeline/baseline.ts', import.meta.url));
const atLimitsScript = fileURLToPath(new URL('../pipeline/summary-at-limits.ts', import.meta.url));
const RSS_LIMIT_MB = 150;
const FLAT_RATIO = 1.1;

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const sizeLabel = (mb: number) => (mb >= 1000 ? `${formatNumber(mb / 1000)} GB` : `${formatNumber(mb)} MB`);

function checkAgainstGenerator(who: string, result: PipelineRunResult, report: GeneratedReport): void {
  const wrong = [
    result.bytes !== report.bytes ? `bytes ${result.bytes} ≠ ${report.bytes}` : '',
    result.rows !== report.rows ? `rows ${result.rows} ≠ ${report.rows}` : '',
    result.payloadBillableSum !== report.payloadBillableSum ? `payloadBillableCount ${result.payloadBillableSum} ≠ ${report.payloadBillableSum}` : '',
  ].filter((text) => text !== '');
  if (wrong.length > 0) throw new Error(`${who} disagrees with the generator: ${wrong.join(', ')}`);
}

const pipelineCase: BenchCase = {
  description: 'Report pipeline: real download, archive, parse and summarize of a generated usage report over loopback, against undici + csv-parse alone',
  defaults: { runs: 3, warmup: 1 },
  options: [
    '--sizes A,B       report sizes in MB (default 15,150)',
    '--big             also a 1 GB report (generated once into the OS temp dir, then reused)',
    '--big-runs N      kept runs for the 1 GB report (default 2, no warmup)',
    '--target-mb N     the size whose MB/s is held to the 0.8× target (default 150)',
  ],

  async run({ args, runs, warmup, tmpDir, repoDir, log }) {
    const sizes = (args.string('sizes') ?? '15,150').split(',').map((text) => {
      const mb = Number(text);
      if (!Number.isFinite(mb) || mb <= 0) throw new Error(`--sizes wants MB figures, got "${text}"`);
      return mb;
    });
    const targetMb = args.number('target-mb', 150, { min: 0 });
    const big = args.has('big');
    const bigRuns = args.number('big-runs', 2, { min: 1, integer: true });
    const redisUrl = benchRedisUrl();
    const allSizes = big && !sizes.includes(1000) ? [...sizes, 1000] : sizes;

    // Children run compiled JavaScript with plain node, as the worker runs in production.
    const compiled = await compileTree(repoDir, join(tmpDir, 'compiled'), ['bench/pipeline']);
    const subjectJs = compiled.jsPath(subjectScript);
    const baselineJs = compiled.jsPath(baselineScript);
    const childOptions = { timeoutMs: 30 * 60_000, compiledProbe: compiled.probe };
    // The subject runs as the Procfile runs the worker: its environment and node flags. The
    // baseline is the bare library under plain node.
    const worker = await workerCommand(repoDir);
    const workerEnv = { ...process.env, ...worker.env };
    const subjectOptions = { ...childOptions, nodeArgs: worker.nodeArgs, env: workerEnv };
    const workerSettings = [...Object.entries(worker.env).map(([name, value]) => `${name}=${value}`), ...worker.nodeArgs].join(' ');

    const reports = new Map<number, GeneratedReport>();
    for (const mb of allSizes) reports.set(mb, await cachedReportCsv(mb, { log }));
    const server = await startFileServer([...reports.values()].map((r) => r.path));

    const measurements: Measurement[] = [];
    const comparisons: Comparison[] = [];
    const checks: Check[] = [];
    const stepRows: Array<Array<string | number>> = [];
    const otherSpeeds: Array<Array<string | number>> = [];
    const setupRssByLabel: number[] = [];
    const subjects = new Map<number, Measurement>();
    let childRun = 0;
    try {
      for (const mb of allSizes) {
        const report = reports.get(mb)!;
        const url = server.urlOf(report.path);
        const label = sizeLabel(mb);
        const stepTimes: Record<string, number[]> = {};
        const stepRss: Record<string, number[]> = {};
        const asMetrics = (result: PipelineRunResult, peakRssMB: number, wallMs: number): Metrics => ({
          'MB/s': result.bytes / 1e6 / (result.totalMs / 1000),
          'rows/s': result.rows / (result.totalMs / 1000),
          peakRssMB,
          totalMs: result.totalMs,
          wallMs,
        });
        const subjectName = `report-relay steps, ${label}`;
        const baselineName = `undici + csv-parse, ${label}`;
        const isBig = mb === 1000 && big;
        const measured = await measureInterleaved(
          {
            [subjectName]: async (run) => {
              const dataDir = join(tmpDir, `subject-${++childRun}`);
              const child = await runChild<PipelineRunResult>(subjectJs, [url, dataDir, redisUrl, benchPrefix('pipeline')], subjectOptions);
              checkAgainstGenerator(subjectName, child.json, report);
              if (run > 0) {
                for (const [step, ms] of Object.entries(child.json.stepsMs)) (stepTimes[step] ??= []).push(ms);
                for (const [step, mb] of Object.entries(child.json.rssByStepMB ?? {})) (stepRss[step] ??= []).push(mb);
              }
              return asMetrics(child.json, child.maxRssMb, child.wallMs);
            },
            [baselineName]: async () => {
              const child = await runChild<PipelineRunResult>(baselineJs, [url], childOptions);
              checkAgainstGenerator(baselineName, child.json, report);
              return asMetrics(child.json, child.maxRssMb, child.wallMs);
            },
          },
          {
            runs: isBig ? bigRuns : runs,
            warmup: isBig ? 0 : warmup,
            onRun: (name, run, m) =>
              log(
                `run ${run} ${name.padEnd(30)} ${formatNumber(m['MB/s']!)} MB/s, ${formatNumber(m['rows/s']!)} rows/s, peak RSS ${formatNumber(m.peakRssMB!)} MB`,
              ),
          },
        );
        const subject = measured[subjectName]!;
        const baseline = measured[baselineName]!;
        subjects.set(mb, subject);
        measurements.push(subject, baseline);
        // The issue's speed target is for the ~150 MB report; other sizes are shown for context.
        const speed = compare(subject, baseline, 'MB/s', { atLeast: 0.8 }, `at least 0.8× the MB/s of csv-parse alone (${label})`);
        if (mb === targetMb) comparisons.push(speed);
        else
          otherSpeeds.push([
            label,
            formatNumber(speed.subjectMedian),
            formatNumber(speed.baselineMedian),
            `${speed.ratio.toFixed(2)}×`,
            `${speed.runRatios?.min.toFixed(2) ?? ''}–${speed.runRatios?.max.toFixed(2) ?? ''}×`,
          ]);
        checks.push(checkBelow(`${subjectName}: peak RSS (median)`, subject.summary.peakRssMB!.median, RSS_LIMIT_MB, 'MB'));
        checks.push(checkBelow(`${subjectName}: peak RSS (highest run)`, subject.summary.peakRssMB!.max, RSS_LIMIT_MB, 'MB'));
        if (stepRss.setup !== undefined) setupRssByLabel.push(median(stepRss.setup));
        const total = subject.summary.totalMs!.median;
        for (const step of ['setup', ...Object.keys(stepTimes)]) {
          const times = stepTimes[step];
          const rss = stepRss[step];
          const ms = times === undefined ? undefined : median(times);
          stepRows.push([
            label,
            step,
            ms === undefined ? '' : formatNumber(ms),
            ms === undefined ? '' : `${((ms / total) * 100).toFixed(0)}%`,
            rss === undefined ? '' : formatNumber(median(rss)),
          ]);
        }
      }
    } finally {
      await server.close();
    }

    // Retained memory over the largest report: the heap left after a full collection, sampled as
    // the rows go by. Peak RSS depends on when V8 collects; this shows whether anything stays.
    const largest = reports.get(Math.max(...allSizes))!;
    const retained = await runChild<RetainedHeapResult>(
      compiled.jsPath(retainedScript),
      [largest.path, String(Math.max(10_000, Math.floor(largest.rows / 8)))],
      {
        ...childOptions,
        nodeArgs: ['--expose-gc'],
      },
    );
    const retainedSamples = retained.json.samples;
    const firstRetained = retainedSamples[0]?.heapUsedMB ?? 0;
    const lastRetained = retainedSamples.at(-1)?.heapUsedMB ?? 0;
    if (retainedSamples.length >= 2) {
      checks.push(
        checkBelow(
          `summary of the ${sizeLabel(Math.max(...allSizes))} report: retained heap growth, first to last sample`,
          lastRetained - firstRetained,
          1,
          'MB',
        ),
      );
    }
    // The largest summary the default limits allow, built with the worker's flags: its heap must stay
    // within 1,000 B per resource (the bound test/unit/summary-memory.test.ts holds it to).
    const atLimits = await runChild<SummaryAtLimitsResult>(compiled.jsPath(atLimitsScript), [], {
      ...subjectOptions,
      nodeArgs: ['--expose-gc', ...worker.nodeArgs],
    });
    const limits = atLimits.json;
    checks.push(
      checkBelow(
        `summary at the default limits (${limits.columns.toLocaleString('en-US')} columns, ${limits.periods.toLocaleString('en-US')} periods, ${limits.resources.toLocaleString('en-US')} resources): heap kept beyond the modules', against 1,000 B per resource`,
        limits.retainedHeapMB - limits.baseHeapMB,
        (limits.resources * 1_000) / 1e6,
        'MB',
      ),
    );
    const retainedTable: Table = {
      title: `Retained heap while summarizing the ${sizeLabel(Math.max(...allSizes))} report (after a full GC every ${formatNumber(retainedSamples[0]?.records ?? 0)} records; own process, --expose-gc)`,
      columns: ['records so far', 'heap in use MB'],
      rows: retainedSamples.map((sample) => [sample.records.toLocaleString('en-US'), formatNumber(sample.heapUsedMB)]),
    };

    const smallest = Math.min(...allSizes);
    for (const mb of allSizes.filter((size) => size !== smallest)) {
      comparisons.push(
        compare(
          subjects.get(mb)!,
          subjects.get(smallest)!,
          'peakRssMB',
          { atMost: FLAT_RATIO },
          `peak RSS flat: ${sizeLabel(mb)} within ${FLAT_RATIO}× of ${sizeLabel(smallest)}`,
        ),
      );
    }
    const stepsTable: Table = {
      title:
        'Where the subject spends time and memory (medians of kept runs; RSS sampled every 20 ms inside the child; setup = modules loaded, Redis connected)',
      columns: ['report', 'step', 'ms', 'share of total', 'highest RSS MB'],
      rows: stepRows,
    };
    const filesTable: Table = {
      title: 'Reports (generated, seeded; cached in ' + reportCacheDir() + ')',
      columns: ['size', 'bytes', 'rows', 'columns'],
      rows: [...reports.entries()].map(([mb, r]) => [sizeLabel(mb), r.bytes, r.rows, 30]),
    };
    // Where the RSS comes from: the process before any work, against the bare side's whole peak.
    const setupRss = setupRssByLabel.length > 0 ? median(setupRssByLabel) : undefined;
    const baselinePeak = measurements.filter((m) => m.name.startsWith('undici')).map((m) => m.summary.peakRssMB!.median);
    const setupNotes =
      setupRss === undefined || baselinePeak.length === 0
        ? []
        : [
            `Before any work (modules loaded, Redis connected) the subject's process holds ${formatNumber(setupRss)} MB; the bare undici + csv-parse process peaks at ${formatNumber(median(baselinePeak))} MB in all. The rest of the subject's peak is the step's working memory: download chunks awaiting a young collection (the downloader asks for one every 4 MiB), the archive's one copy buffer, the parser's chunks; the heap the summary keeps stays flat (see the retained-heap table).`,
          ];
    const limitsNote = `Summary at the default limits (${limits.columns.toLocaleString('en-US')} columns, ${limits.levelColumns.toLocaleString('en-US')} of them levels, ${limits.rankedColumns} ranked, ${limits.periods.toLocaleString('en-US')} periods, ${limits.resources.toLocaleString('en-US')} resources with 255-character names), built in a process with the worker's flags: ${formatNumber(limits.retainedHeapMB)} MB of heap kept (${formatNumber(limits.baseHeapMB)} MB before it) plus ${formatNumber(limits.arrayBuffersMB)} MB of typed-array contents outside the heap, against a heap limit of ${formatNumber(limits.heapLimitMB)} MB; ${formatNumber(limits.ms)} ms.`;
    const otherSpeedTable: Table = {
      title: `MB/s at the other sizes (no target: the issue's is for the ${sizeLabel(targetMb)} report)`,
      columns: ['report', 'subject MB/s', 'baseline MB/s', 'ratio', 'per-run ratios'],
      rows: otherSpeeds,
    };
    return {
      parameters: {
        sizes: allSizes.map(sizeLabel).join(', '),
        serving: 'loopback HTTP from the harness process, Content-Length, text/csv, streamed from disk (page cache)',
        subject:
          "bench/pipeline/subject.ts: createService with the worker role (the worker process's parts, default limits; the BullMQ worker not started), a stored URL callback, then downloadStep, archiveStep, summaryStep (the job steps) with a Redis record",
        'subject process': `as the Procfile's worker line: ${workerSettings} (the baseline: plain node)`,
        baseline: 'bench/pipeline/baseline.ts: undici request piped into csv-parse (columns: true), summing payloadBillableCount',
        'MB/s': 'file bytes / 10^6 / time inside the child from the first step to the summary (start-up excluded; wallMs includes it)',
        children: 'compiled to JavaScript (tsc, as npm run build) and run with plain node, as in production; no tsx in the measured process',
        'peak RSS': "maxRSS of the child process: Node itself, the modules loaded (the worker process's) and the work",
        runs: `${runs} kept + ${warmup} warmup per size, interleaved, one child process each${big ? `; 1 GB: ${bigRuns} kept, no warmup` : ''}`,
      },
      measurements,
      comparisons,
      checks,
      tables: [filesTable, ...(otherSpeeds.length > 0 ? [otherSpeedTable] : []), stepsTable, retainedTable],
      notes: [
        'Every run of both sides is checked against the generator: bytes, rows and the sum of payloadBillableCount must match.',
        ...setupNotes,
        limitsNote,
        ...(big ? [] : ['Run with --big to add the 1 GB report (about a minute to generate the first time, then cached).']),
      ],
    };
  },
};

export default pipelineCase;
