import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createYoungGarbageCollector, type ExposedGc } from '../../src/download/young-garbage.js';

describe('young collections during a download', () => {
  test('one young collection each time the given number of bytes has passed, however the chunks fall', () => {
    const calls: Array<{ type: string }> = [];
    const gc: ExposedGc = (options) => calls.push(options);
    const collect = createYoungGarbageCollector(100, gc);
    for (const bytes of [40, 40, 19]) collect(bytes);
    assert.equal(calls.length, 0, '99 bytes: not yet');
    collect(1);
    assert.deepEqual(calls, [{ type: 'minor' }], 'the 100th byte asks for one');
    collect(250);
    collect(99);
    assert.equal(calls.length, 2, 'a large chunk asks once, and counting starts again after it');
    collect(1);
    assert.equal(calls.length, 3);
  });

  test('without an exposed gc it does nothing', () => {
    const collect = createYoungGarbageCollector(1, undefined);
    assert.doesNotThrow(() => collect(10));
  });

  test('with node --expose-gc, the default finds gc and V8 runs a scavenge', () => {
    const script = [
      "const { createYoungGarbageCollector } = await import('./src/download/young-garbage.ts');",
      'const collect = createYoungGarbageCollector(10);',
      'collect(10);',
    ].join('\n');
    const run = spawnSync(process.execPath, ['--expose-gc', '--trace-gc', '--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Scavenge[^\n]*testing/u, 'a young collection asked for by code');
    assert.doesNotMatch(run.stdout, /Mark-Compact[^\n]*testing/u, 'not a full one');
  });
});
