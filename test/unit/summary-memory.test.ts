import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseProcfileCommand } from '../../bench/lib/worker-command.js';
import { createSummaryAccumulator } from '../../src/summary/accumulator.js';
import type { SummaryMemoryResult } from './summary-memory-probe.js';

const PROBE = fileURLToPath(new URL('./summary-memory-probe.ts', import.meta.url));
const MB = 1e6;
const RESOURCES = 100_000;

/**
 * What one resource may keep, in the worst case the bounds allow, on 64-bit V8 (Node 20, no
 * pointer compression): its id, at most 64 one-byte characters (16 B header + 64 B); its name, at
 * most 255 characters two bytes each (16 B + 510 B); its entry object (about 40 B); a Float64Array
 * and its ArrayBuffer (about 200 B); its share of the map (about 50 B). About 900 B: 1,000 B
 * leaves some room. Without the bounds each resource would keep its 10,000-character name (20 KB)
 * and its 1 KB id cell: 2 GB for 100,000.
 */
const MAX_BYTES_PER_RESOURCE = 1_000;

/** Heap in use after a full collection, so that only what is still referenced is measured. */
function retainedHeap(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

function runProbe(): Promise<SummaryMemoryResult> {
  const { nodeArgs } = parseProcfileCommand(readFileSync(new URL('../../Procfile', import.meta.url), 'utf8'), 'worker');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', '--expose-gc', ...nodeArgs, PROBE, String(RESOURCES)], { timeout: 100_000 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`the probe failed: ${error.message}\n${stderr.slice(-2_000)}`));
        return;
      }
      resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as SummaryMemoryResult);
    });
  });
}

describe('summary memory per distinct resource and period', () => {
  test('100,000 resources with 64-character ids in 1 KB cells and 10,000-character names keep under 1,000 B each', async (t) => {
    const result = await runProbe();
    t.diagnostic(
      `kept heap ${(result.keptHeapBytes / MB).toFixed(1)} MB for ${result.resources} resources (heap limit ${(result.heapLimitBytes / MB).toFixed(0)} MB)`,
    );
    assert.equal(result.resources, RESOURCES);
    assert.equal(result.badRowCount, 0);
    const bound = RESOURCES * MAX_BYTES_PER_RESOURCE;
    assert.ok(result.keptHeapBytes < bound, `kept ${(result.keptHeapBytes / MB).toFixed(1)} MB, more than ${(bound / MB).toFixed(0)} MB`);
  });

  test('an undated period start is kept as its own text, not as the 100 KB cell it was trimmed from', () => {
    const periods = 1_000;
    const padding = ' '.repeat(100_000);
    const accumulator = createSummaryAccumulator();
    accumulator.setColumns(['resourceId', 'periodStart', 'deviceCount']);
    const before = retainedHeap();
    for (let period = 0; period < periods; period++) accumulator.addRow(['a', `the week numbered ${period}${padding}`, '1'], period + 2);
    const summary = accumulator.finish();
    const kept = retainedHeap() - before;
    assert.equal(summary.rows, periods);
    assert.equal(summary.levels.deviceCount?.peakPeriod, 'the week numbered 0');
    // A period costs a few hundred bytes here; keeping the cells would be 100 MB.
    assert.ok(kept < 4 * MB, `kept ${(kept / MB).toFixed(1)} MB for ${periods} periods`);
    assert.equal(accumulator.finish().rows, periods, 'the accumulator is still referenced when measured');
  });
});
