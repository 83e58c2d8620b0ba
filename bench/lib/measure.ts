import { judgeRatio, summarize, summarizeSamples } from './stats.js';
import type { Metrics, Summary, Target } from './stats.js';

export type { Metrics } from './stats.js';

export interface MeasureOptions {
  runs: number;
  /** Runs made first and thrown away (JIT, page cache, lazy imports). */
  warmup: number;
  /** Called after each kept run, for progress output. */
  onRun?: (name: string, run: number, metrics: Metrics) => void;
}

export interface Measurement {
  name: string;
  runs: number;
  warmup: number;
  samples: Metrics[];
  summary: Record<string, Summary>;
}

export interface Comparison {
  subject: string;
  baseline: string;
  metric: string;
  subjectMedian: number;
  baselineMedian: number;
  ratio: number;
  target: string;
  pass: boolean;
  /**
   * Ratios of the runs taken side by side (run i of the subject over run i of the baseline),
   * when both have as many runs: with interleaved runs, how robust the verdict is to noise.
   */
  runRatios?: { min: number; median: number; max: number };
  /** What a PASS means here, e.g. "alternative is fast enough to consider switching". */
  meaning?: string;
}

function checkOptions(options: MeasureOptions): void {
  if (!Number.isInteger(options.runs) || options.runs < 1) throw new RangeError(`runs must be a whole number ≥ 1, got ${options.runs}`);
  if (!Number.isInteger(options.warmup) || options.warmup < 0) throw new RangeError(`warmup must be a whole number ≥ 0, got ${options.warmup}`);
}

function toMeasurement(name: string, samples: Metrics[], options: MeasureOptions): Measurement {
  return { name, runs: options.runs, warmup: options.warmup, samples, summary: summarizeSamples(samples) };
}

/** Runs `fn` warmup + runs times, one after another, and summarizes the kept runs. */
export async function measure(name: string, fn: (run: number) => Promise<Metrics> | Metrics, options: MeasureOptions): Promise<Measurement> {
  const all = await measureInterleaved({ [name]: fn }, options);
  return all[name]!;
}

/**
 * Runs several subjects round-robin, rotating who goes first each round, so that drift on the
 * machine (thermal throttling, a neighbour waking up, page cache filling) lands on all of them
 * alike instead of on whichever ran last.
 */
export async function measureInterleaved(
  subjects: Record<string, (run: number) => Promise<Metrics> | Metrics>,
  options: MeasureOptions,
): Promise<Record<string, Measurement>> {
  checkOptions(options);
  const names = Object.keys(subjects);
  if (names.length === 0) throw new RangeError('nothing to measure');
  const samples = new Map<string, Metrics[]>(names.map((name) => [name, []]));
  const rounds = options.warmup + options.runs;
  for (let round = 0; round < rounds; round++) {
    const kept = round >= options.warmup;
    const run = round - options.warmup + 1;
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length]!;
      const metrics = await subjects[name]!(kept ? run : 0);
      if (kept) {
        samples.get(name)!.push(metrics);
        options.onRun?.(name, run, metrics);
      }
    }
  }
  return Object.fromEntries(names.map((name) => [name, toMeasurement(name, samples.get(name)!, options)]));
}

/**
 * For cases that produce subject and baseline figures from one run (for instance the same input
 * processed both ways in the same child process).
 */
export async function measurePaired(
  name: string,
  fn: (run: number) => Promise<{ subject: Metrics; baseline: Metrics }>,
  options: MeasureOptions & { subjectName?: string; baselineName?: string },
): Promise<{ subject: Measurement; baseline: Measurement }> {
  checkOptions(options);
  const subjectName = options.subjectName ?? `${name} (subject)`;
  const baselineName = options.baselineName ?? `${name} (baseline)`;
  const subject: Metrics[] = [];
  const baseline: Metrics[] = [];
  for (let round = 0; round < options.warmup + options.runs; round++) {
    const kept = round >= options.warmup;
    const run = round - options.warmup + 1;
    const result = await fn(kept ? run : 0);
    if (!kept) continue;
    subject.push(result.subject);
    baseline.push(result.baseline);
    options.onRun?.(subjectName, run, result.subject);
    options.onRun?.(baselineName, run, result.baseline);
  }
  return { subject: toMeasurement(subjectName, subject, options), baseline: toMeasurement(baselineName, baseline, options) };
}

/** Ratio of the medians of one metric, subject over baseline, judged against the target. */
export function compare(subject: Measurement, baseline: Measurement, metric: string, target: Target, meaning?: string): Comparison {
  const s = subject.summary[metric];
  const b = baseline.summary[metric];
  if (s === undefined || b === undefined) throw new RangeError(`metric "${metric}" missing from ${s === undefined ? subject.name : baseline.name}`);
  const verdict = judgeRatio(s.median, b.median, target);
  const pairs = subject.samples.length === baseline.samples.length ? subject.samples.map((sample, i) => sample[metric]! / baseline.samples[i]![metric]!) : [];
  const runRatios = pairs.length > 0 && pairs.every(Number.isFinite) ? summarize(pairs) : undefined;
  return {
    subject: subject.name,
    baseline: baseline.name,
    metric,
    subjectMedian: s.median,
    baselineMedian: b.median,
    ...verdict,
    ...(runRatios === undefined ? {} : { runRatios: { min: runRatios.min, median: runRatios.median, max: runRatios.max } }),
    ...(meaning === undefined ? {} : { meaning }),
  };
}
