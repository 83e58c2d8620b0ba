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
  p25: number;
  p75: number;
  /** p75 - p25, in the metric's unit. */
  iqr: number;
  /** (max - min) / median: the whole range relative to the headline figure. */
  spread: number;
}

function sortedCopy(values: readonly number[], what: string): number[] {
  if (values.length === 0) throw new RangeError(`${what} of an empty list is undefined`);
  for (const value of values) {
    if (!Number.isFinite(value)) throw new RangeError(`${what} needs finite numbers, got ${value}`);
  }
  return [...values].sort((a, b) => a - b);
}

/** Linear interpolation between closest ranks (the common "type 7" definition, as numpy's default). */
function percentileOfSorted(sorted: readonly number[], p: number): number {
  const position = (p / 100) * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower]!;
  const high = sorted[upper]!;
  return low + (high - low) * (position - lower);
}

export function percentile(values: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be from 0 to 100, got ${p}`);
  return percentileOfSorted(sortedCopy(values, 'percentile'), p);
}

export function median(values: readonly number[]): number {
  return percentileOfSorted(sortedCopy(values, 'median'), 50);
}

export function iqr(values: readonly number[]): number {
  const sorted = sortedCopy(values, 'iqr');
  return percentileOfSorted(sorted, 75) - percentileOfSorted(sorted, 25);
}

/** Relative range; 0 when every sample is equal, Infinity when the median is 0 but samples differ. */
export function spread(values: readonly number[]): number {
  const sorted = sortedCopy(values, 'spread');
  const range = sorted[sorted.length - 1]! - sorted[0]!;
  if (range === 0) return 0;
  const mid = percentileOfSorted(sorted, 50);
  return mid === 0 ? Number.POSITIVE_INFINITY : range / Math.abs(mid);
}

export function summarize(values: readonly number[]): Summary {
  const sorted = sortedCopy(values, 'summary');
  const mid = percentileOfSorted(sorted, 50);
  const p25 = percentileOfSorted(sorted, 25);
  const p75 = percentileOfSorted(sorted, 75);
  return {
    n: sorted.length,
    median: mid,
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    p25,
    p75,
    iqr: p75 - p25,
    spread: spread(sorted),
  };
}

/**
 * Summarizes each metric across runs. Every run must report the same metrics: a metric that
 * comes and goes is a bug in the case, and a median over a subset of runs would hide it.
 */
export function summarizeSamples(samples: readonly Metrics[]): Record<string, Summary> {
  const first = samples[0];
  if (first === undefined) throw new RangeError('no samples to summarize');
  const names = Object.keys(first).sort();
  const result: Record<string, Summary> = {};
  for (const [index, sample] of samples.entries()) {
    const keys = Object.keys(sample).sort();
    if (keys.join('\0') !== names.join('\0')) {
      throw new RangeError(`run ${index + 1} reported metrics [${keys.join(', ')}], expected [${names.join(', ')}]`);
    }
  }
  for (const name of names) result[name] = summarize(samples.map((sample) => sample[name]!));
  return result;
}

export interface Target {
  /** Pass when subject/baseline is at least this. */
  atLeast?: number;
  /** Pass when subject/baseline is at most this. */
  atMost?: number;
}

export interface RatioVerdict {
  ratio: number;
  target: string;
  pass: boolean;
}

/** Ratio of medians subject/baseline judged against a target band. */
export function judgeRatio(subjectMedian: number, baselineMedian: number, target: Target): RatioVerdict {
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
