import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeRatio, percentile, summarize, summarizeSamples } from '../../bench/lib/stats.js';
import { compare, measureInterleaved } from '../../bench/lib/measure.js';
import { decideParser } from '../../bench/parsers/decision.js';

void describe('bench statistics', () => {
  void test('the median of an odd count is the middle value, whatever the input order', () => {
    assert.equal(summarize([9, 1, 5]).median, 5);
  });

  void test('the median of an even count is the mean of the two middle values', () => {
    assert.equal(summarize([4, 1, 3, 2]).median, 2.5);
  });

  void test('summarizing does not reorder the caller’s samples', () => {
    const samples = [3, 1, 2];
    summarize(samples);
    percentile(samples, 50);
    assert.deepEqual(samples, [3, 1, 2]);
  });

  void test('percentiles interpolate linearly between closest ranks', () => {
    const values = [10, 20, 30, 40, 50];
    assert.equal(percentile(values, 0), 10);
    assert.equal(percentile(values, 25), 20);
    assert.equal(percentile(values, 100), 50);
    assert.equal(percentile([1, 2], 50), 1.5);
    assert.equal(percentile([1, 2, 3, 4], 75), 3.25);
  });

  void test('a single sample is its own median, percentiles and range, with no spread', () => {
    assert.deepEqual(summarize([7]), { n: 1, median: 7, min: 7, max: 7, iqr: 0, spread: 0 });
  });

  void test('the interquartile range is p75 minus p25', () => {
    assert.equal(summarize([1, 2, 3, 4, 5, 6, 7, 8, 9]).iqr, 4);
  });

  void test('spread is the range relative to the median', () => {
    assert.equal(summarize([90, 100, 120]).spread, 0.3);
  });

  void test('spread is infinite when samples differ around a zero median, and zero when all are equal', () => {
    assert.equal(summarize([-1, 0, 1]).spread, Number.POSITIVE_INFINITY);
    assert.equal(summarize([0, 0]).spread, 0);
  });

  void test('empty lists, non-finite samples and out-of-range percentiles are refused', () => {
    assert.throws(() => summarize([]), RangeError);
    assert.throws(() => percentile([], 50), RangeError);
    assert.throws(() => summarize([1, Number.NaN]), RangeError);
    assert.throws(() => percentile([1], 101), RangeError);
    assert.throws(() => percentile([1], Number.NaN), RangeError);
  });

  void test('every metric of a set of runs is summarized separately', () => {
    const summary = summarizeSamples([
      { ms: 10, mbPerS: 5 },
      { ms: 30, mbPerS: 1 },
      { ms: 20, mbPerS: 2 },
    ]);
    assert.deepEqual(Object.keys(summary).sort(), ['mbPerS', 'ms']);
    assert.equal(summary.ms!.median, 20);
    assert.equal(summary.mbPerS!.max, 5);
  });

  void test('runs that report different metrics are refused instead of summarized over a subset', () => {
    assert.throws(() => summarizeSamples([{ ms: 1 }, { ms: 2, rss: 3 }]), /run 2 reported metrics/);
    assert.throws(() => summarizeSamples([]), RangeError);
  });
});

void describe('comparison against a baseline', () => {
  void test('a ratio at or above an at-least target passes, below it misses', () => {
    assert.deepEqual(judgeRatio(40, 20, { atLeast: 2 }), { ratio: 2, target: '≥ 2×', pass: true });
    assert.equal(judgeRatio(39, 20, { atLeast: 2 }).pass, false);
  });

  void test('an at-most target passes only when the subject stays under the bound', () => {
    assert.equal(judgeRatio(110, 100, { atMost: 1.2 }).pass, true);
    assert.equal(judgeRatio(130, 100, { atMost: 1.2 }).pass, false);
    assert.equal(judgeRatio(130, 100, { atLeast: 0.5, atMost: 1.2 }).target, '≥ 0.5× and ≤ 1.2×');
  });

  void test('a target without bounds or a zero baseline is refused', () => {
    assert.throws(() => judgeRatio(1, 1, {}), RangeError);
    assert.throws(() => judgeRatio(1, 0, { atLeast: 1 }), RangeError);
  });

  void test('subjects measured together run interleaved, rotating who goes first, and compare by median', async () => {
    const order: string[] = [];
    const measured = await measureInterleaved(
      {
        fast: () => (order.push('fast'), { ms: 10 }),
        slow: () => (order.push('slow'), { ms: 30 }),
      },
      { runs: 3, warmup: 1 },
    );
    assert.deepEqual(order, ['fast', 'slow', 'slow', 'fast', 'fast', 'slow', 'slow', 'fast']);
    assert.equal(measured.fast!.samples.length, 3);
    const comparison = compare(measured.slow!, measured.fast!, 'ms', { atMost: 2 });
    assert.equal(comparison.ratio, 3);
    assert.deepEqual(comparison.runRatios, { min: 3, max: 3 });
    assert.equal(comparison.pass, false);
  });
});

void describe('parser decision rule', () => {
  const base = { incumbent: 'csv-parse', total: 10, minSpeedup: 2 };

  void test('an alternative twice as fast and failing nothing more replaces the incumbent', () => {
    const decision = decideParser({
      ...base,
      standings: [
        { name: 'csv-parse', mbPerSecond: 10, failed: ['a'] },
        { name: 'quick', mbPerSecond: 20, failed: ['a'] },
      ],
    });
    assert.equal(decision.choice, 'quick');
  });

  void test('the incumbent stays when the alternative is fast but less correct', () => {
    const decision = decideParser({
      ...base,
      standings: [
        { name: 'csv-parse', mbPerSecond: 10, failed: [] },
        { name: 'quick', mbPerSecond: 50, failed: ['utf8 split'] },
      ],
    });
    assert.equal(decision.choice, 'csv-parse');
  });

  void test('a tie in the count does not hide a failure that the incumbent passes', () => {
    const decision = decideParser({
      ...base,
      standings: [
        { name: 'csv-parse', mbPerSecond: 10, failed: ['bare quote'] },
        { name: 'quick', mbPerSecond: 30, failed: ['crlf split'] },
      ],
    });
    assert.equal(decision.choice, 'csv-parse');
    assert.match(decision.lines.join('\n'), /fails "crlf split" which csv-parse passes/);
  });

  void test('the incumbent stays when the alternative is equally correct but under twice as fast', () => {
    const decision = decideParser({
      ...base,
      standings: [
        { name: 'csv-parse', mbPerSecond: 10, failed: [] },
        { name: 'quick', mbPerSecond: 19.9, failed: [] },
      ],
    });
    assert.equal(decision.choice, 'csv-parse');
    assert.match(decision.lines.at(-1)!, /^Decision: keep csv-parse/);
  });
});
