/**
 * The summary's largest possible state at the default limits, in a process started with the
 * worker's node flags, run with --expose-gc:
 *   node --expose-gc <worker flags> summary-at-limits.js
 * Prints one JSON line (SummaryAtLimitsResult).
 *
 * What the summary keeps, whatever the number of rows (src/summary/): per column a name and a few
 * numbers; per distinct period (at most maxLevelPeriods, 1,000) one float per level column and,
 * for a start that is not a date, its text (at most 64 characters); per distinct resource (at most
 * maxResources, 100,000) its id (at most 64 characters: a longer one makes the row a bad row), its
 * name (cut to 255 characters) and one float per ranked column (3 usage columns, or up to 32
 * fallback candidates when a file has none of them); the first 100 bad rows. Ids and names are
 * kept as copies, never as views into the cells they were trimmed or cut from
 * (src/summary/kept-text.ts). The worst case at the default limits (CSV_MAX_COLUMNS 2,000) is
 * therefore a file of 2,000 columns, 1,996 of them level columns and none a usage column (so 32
 * are ranked), 1,000 periods and 100,000 resources with 64-character ids and 255-character names,
 * built here row by row through the accumulator (parsing keeps nothing, see retained-heap.ts).
 * Worked out: per resource a map entry, an object and a typed array (about 250 B), a 64-character
 * id (about 80 B) and a 255-character name stored two bytes a character (about 530 B): about 86 MB
 * of heap for 100,000; per period a label and a typed array. The typed arrays' contents (32 × 8 B
 * per resource, 1,996 × 8 B per period: 42 MB) live outside V8's heap. The figures are in
 * bench/results/pipeline.md. Longer ids or names in a file cannot make it more.
 */
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { createSummaryAccumulator } from '../../src/summary/accumulator.js';

export interface SummaryAtLimitsResult {
  columns: number;
  levelColumns: number;
  rankedColumns: number;
  periods: number;
  resources: number;
  /** Heap in use after a full collection with the summary finished and still referenced. */
  retainedHeapMB: number;
  /** The same before the first row: modules and the process itself. */
  baseHeapMB: number;
  /** Typed-array contents outside the heap (part of RSS, not of V8's heap). */
  arrayBuffersMB: number;
  /** V8's heap limit in this process (V8's default unless a flag sets it). */
  heapLimitMB: number;
  ms: number;
}

const RESOURCES = 100_000;
const PERIODS = 1_000;
const COLUMNS = 2_000;
const ID_CHARS = 64;
const NAME_CHARS = 255;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const heapMB = () => {
  gc();
  return getHeapStatistics().used_heap_size / 1e6;
};

const baseHeapMB = heapMB();
const started = performance.now();
const roles = ['resourceId', 'resourceName', 'periodStart', 'periodEnd'];
const header = [...roles, ...Array.from({ length: COLUMNS - roles.length }, (_, index) => `metric${index}Count`)];
const accumulator = createSummaryAccumulator();
accumulator.setColumns(header);
const fields = header.map(() => '');
const day = (index: number) => new Date(Date.UTC(2024, 0, 1) + index * 86_400_000).toISOString();
for (let row = 0; row < RESOURCES; row++) {
  const period = row % PERIODS;
  // New strings every row, as the parser makes them: nothing is shared between resources.
  fields[0] = (0x1000000 + row).toString(16).padEnd(ID_CHARS, '0');
  // A character outside Latin-1 makes V8 store the whole name two bytes a character.
  fields[1] = `Ω ${String(row).padStart(8, '0')} ${'x'.repeat(NAME_CHARS - 11)}`;
  fields[2] = day(period);
  fields[3] = day(period + 1);
  for (let column = roles.length; column < roles.length + 32; column++) fields[column] = String(row % 97);
  accumulator.addRow(fields, row + 2);
}
const summary = accumulator.finish();
const retainedHeapMB = heapMB();
if (summary.badRowCount !== 0) throw new Error(`expected no bad rows, got ${summary.badRows[0]?.reason ?? ''}`);
if (summary.resourceCount !== RESOURCES) throw new Error(`expected ${RESOURCES} resources, the summary has ${summary.resourceCount}`);
if (Object.keys(summary.levels).length !== 32) throw new Error(`expected levels for the 32 numeric columns, got ${Object.keys(summary.levels).length}`);

const result: SummaryAtLimitsResult = {
  columns: COLUMNS,
  levelColumns: COLUMNS - roles.length,
  rankedColumns: 32,
  periods: PERIODS,
  resources: RESOURCES,
  retainedHeapMB,
  baseHeapMB,
  arrayBuffersMB: process.memoryUsage().arrayBuffers / 1e6,
  heapLimitMB: getHeapStatistics().heap_size_limit / 1e6,
  ms: performance.now() - started,
};
// Keeps the accumulator referenced until after the last measurement.
if (accumulator.finish().rows !== RESOURCES) throw new Error('rows changed');
console.log(JSON.stringify(result));
