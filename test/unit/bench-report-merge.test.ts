import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MachineFacts } from '../../bench/lib/machine.js';
import { mergeWithPrevious, outcomeMissed, renderMarkdown, type CaseOutcome, type RunReport } from '../../bench/lib/report.js';

const machine = (load: number): MachineFacts => ({
  cpuModel: 'Test CPU',
  cpus: 2,
  availableParallelism: 2,
  totalMemoryGb: 8,
  node: 'v20',
  v8: '11',
  os: 'Linux',
  arch: 'x64',
  loadAverage1m: load,
  redis: '7.0',
  gitCommit: 'abc',
});
const outcome = (name: string, pass = true): CaseOutcome => ({
  name,
  description: `${name} case`,
  durationMs: 1000,
  status: 'ok',
  result: { parameters: {}, measurements: [], comparisons: [], checks: [{ name: `${name} check`, value: 1, unit: 'ms', target: '< 2 ms', pass }] },
});
const run = (command: string, cases: CaseOutcome[], load = 0.5): RunReport => ({
  command,
  startedAt: `${command} start`,
  finishedAt: `${command} end`,
  machine: machine(load),
  cases,
});

describe('merging bench results', () => {
  test('a run of some cases replaces their sections, keeps the others marked with their own run, in case order', () => {
    const previous = run('npm run bench', [outcome('a'), outcome('b'), outcome('gone')], 1.5);
    const merged = mergeWithPrevious(previous, run('npm run bench -- b', [outcome('b', false)]), ['a', 'b', 'c']);
    assert.deepEqual(
      merged.cases.map((c) => c.name),
      ['a', 'b'],
    );
    assert.equal(merged.command, 'npm run bench -- b');
    assert.equal(merged.cases[0]?.origin?.command, 'npm run bench');
    assert.equal(merged.cases[0]?.origin?.machine.loadAverage1m, 1.5);
    assert.equal(merged.cases[1]?.origin, undefined);
    assert.equal(outcomeMissed(merged.cases[1]!), true);
    assert.match(renderMarkdown(merged), /From an earlier run: `npm run bench`, started npm run bench start/u);
  });

  test('an outcome carried over twice keeps the run it first came from', () => {
    const first = mergeWithPrevious(run('one', [outcome('a')]), run('two', [outcome('b')]), ['a', 'b']);
    const second = mergeWithPrevious(first, run('three', [outcome('b')]), ['a', 'b']);
    assert.equal(second.cases[0]?.origin?.command, 'one');
  });

  test('without previous results only the cases just run are written', () => {
    assert.deepEqual(
      mergeWithPrevious(null, run('x', [outcome('b')]), ['a', 'b']).cases.map((c) => c.name),
      ['b'],
    );
  });
});
