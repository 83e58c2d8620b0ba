import { judgeRatio, summarize, summarizeSamples } from './stats.js';
import type { Metrics, Summary, Target } from './stats.js';

export type { Metrics } from './stats.js';

export interface Measurement {
  name: string;
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
  runRatios?: { min: number; max: number };
  /** What a PASS means here, e.g. "alternative is fast enough to consider switching". */
  meaning?: string;
}

/**
 * Runs each subject warmup + runs times, round-robin, rotating who goes first each round, so that
 * drift on the machine (thermal throttling, a neighbour waking up, page cache filling) lands on all
 * of them alike instead of on whichever ran last. Warmup runs get run number 0 and are thrown away.
 */
export async function measureInterleaved(
  subjects: Record<string, (run: number) => Promise<Metrics> | Metrics>,
  options: { runs: number; warmup: number; onRun?: (name: string, run: number, metrics: Metrics) => void },
): Promise<Record<string, Measurement>> {
  const names = Object.keys(subjects);
  const samples = new Map<string, Metrics[]>(names.map((name) => [name, []]));
  for (let round = 0; round < options.warmup + options.runs; round++) {
    const run = round < options.warmup ? 0 : round - options.warmup + 1;
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length]!;
      const metrics = await subjects[name]!(run);
      if (run === 0) continue;
      samples.get(name)!.push(metrics);
      options.onRun?.(name, run, metrics);
    }
  }
  return Object.fromEntries(
    names.map((name) => [name, { name, warmup: options.warmup, samples: samples.get(name)!, summary: summarizeSamples(samples.get(name)!) }]),
  );
}

/** Ratio of the medians of one metric, subject over baseline, judged against the target. */
export function compare(subject: Measurement, baseline: Measurement, metric: string, target: Target, meaning?: string): Comparison {
  const s = subject.summary[metric];
  const b = baseline.summary[metric];
  if (s === undefined || b === undefined) throw new RangeError(`metric "${metric}" missing from ${s === undefined ? subject.name : baseline.name}`);
  const pairs = subject.samples.length === baseline.samples.length ? subject.samples.map((sample, i) => sample[metric]! / baseline.samples[i]![metric]!) : [];
  const runRatios = pairs.length > 0 && pairs.every(Number.isFinite) ? summarize(pairs) : undefined;
  return {
    subject: subject.name,
    baseline: baseline.name,
    metric,
    subjectMedian: s.median,
    baselineMedian: b.median,
    ...judgeRatio(s.median, b.median, target),
    ...(runRatios === undefined ? {} : { runRatios: { min: runRatios.min, max: runRatios.max } }),
    ...(meaning === undefined ? {} : { meaning }),
  };
}
