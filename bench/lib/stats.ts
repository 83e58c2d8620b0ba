/**
 * Pure statistics for benchmark samples. Medians rather than means: one run disturbed by another
 * process must not move the headline figure, and the spread says how far to trust it.
 */

export type Metrics = Record<string, number>;

export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
  /** p75 - p25, in the metric's unit. */
  iqr: number;
  /** (max - min) / median: the whole range relative to the headline figure; Infinity when the median is 0 but samples differ. */
  spread: number;
}

function sortedCopy(values: readonly number[]): number[] {
  if (values.length === 0) throw new RangeError('no samples');
  for (const value of values) {
    if (!Number.isFinite(value)) throw new RangeError(`samples must be finite numbers, got ${value}`);
  }
  return [...values].sort((a, b) => a - b);
}

/** Linear interpolation between closest ranks (the common "type 7" definition, as numpy's default). */
function percentileOfSorted(sorted: readonly number[], p: number): number {
  const position = (p / 100) * (sorted.length - 1);
  const low = sorted[Math.floor(position)]!;
  const high = sorted[Math.ceil(position)]!;
  return low + (high - low) * (position - Math.floor(position));
}

export function percentile(values: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be from 0 to 100, got ${p}`);
  return percentileOfSorted(sortedCopy(values), p);
}

export function summarize(values: readonly number[]): Summary {
  const sorted = sortedCopy(values);
  const median = percentileOfSorted(sorted, 50);
  const min = sorted[0]!;
  const max = sorted[sorted.length - 1]!;
  const range = max - min;
  return {
    n: sorted.length,
    median,
    min,
    max,
    iqr: percentileOfSorted(sorted, 75) - percentileOfSorted(sorted, 25),
    spread: range === 0 ? 0 : median === 0 ? Number.POSITIVE_INFINITY : range / Math.abs(median),
  };
}

/**
 * Summarizes each metric across runs. Every run must report the same metrics: a metric that
 * comes and goes is a bug in the case, and a median over a subset of runs would hide it.
 */
export function summarizeSamples(samples: readonly Metrics[]): Record<string, Summary> {
  if (samples.length === 0) throw new RangeError('no samples to summarize');
  const names = Object.keys(samples[0]!).sort();
  for (const [index, sample] of samples.entries()) {
    const keys = Object.keys(sample).sort();
    if (keys.join('\0') !== names.join('\0')) {
      throw new RangeError(`run ${index + 1} reported metrics [${keys.join(', ')}], expected [${names.join(', ')}]`);
    }
  }
  return Object.fromEntries(names.map((name) => [name, summarize(samples.map((sample) => sample[name]!))]));
}

export interface Target {
  /** Pass when subject/baseline is at least this. */
  atLeast?: number;
  /** Pass when subject/baseline is at most this. */
  atMost?: number;
}

/** Ratio of medians subject/baseline judged against a target band. */
export function judgeRatio(subjectMedian: number, baselineMedian: number, target: Target): { ratio: number; target: string; pass: boolean } {
  if (target.atLeast === undefined && target.atMost === undefined) throw new RangeError('a target needs atLeast or atMost');
  if (baselineMedian === 0) throw new RangeError('baseline median is 0; a ratio against it means nothing');
  const ratio = subjectMedian / baselineMedian;
  const parts: string[] = [];
  let pass = true;
  if (target.atLeast !== undefined) {
    parts.push(`≥ ${target.atLeast}×`);
    pass &&= ratio >= target.atLeast;
  }
  if (target.atMost !== undefined) {
    parts.push(`≤ ${target.atMost}×`);
    pass &&= ratio <= target.atMost;
  }
  return { ratio, target: parts.join(' and '), pass };
}
