/**
 * Summarizes <resources> rows, each a new resource whose id cell is a 64-character id padded with
 * 1,000 spaces and whose name is 10,000 characters (stored two bytes a character), and prints as
 * one JSON line the heap the finished summary keeps. Started by summary-memory.test.ts in a child
 * process with the worker's node flags and --expose-gc:
 *
 *   node --import tsx --expose-gc <worker flags> test/unit/summary-memory-probe.ts <resources>
 */
import { getHeapStatistics } from 'node:v8';
import { createSummaryAccumulator } from '../../src/summary/accumulator.js';

export interface SummaryMemoryResult {
  resources: number;
  badRowCount: number;
  /** Heap in use after a full collection with the summary finished and referenced, less the same before the first row. */
  keptHeapBytes: number;
  /** V8's heap limit in this process. */
  heapLimitBytes: number;
}

const RESOURCES = Number(process.argv[2]);
const ID_CHARS = 64;
const ID_PADDING = ' '.repeat(1_000);
const NAME_FILLER = 'x'.repeat(10_000);

if (!Number.isInteger(RESOURCES) || RESOURCES <= 0) throw new Error('give the number of resources');
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const heapInUse = (): number => {
  gc();
  return getHeapStatistics().used_heap_size;
};

const accumulator = createSummaryAccumulator();
accumulator.setColumns(['resourceId', 'resourceName', 'payloadBillableCount']);
const before = heapInUse();
for (let row = 0; row < RESOURCES; row++) {
  // New cells every row, as the parser makes them; 'Ω' makes V8 store the name two bytes a character.
  const id = row.toString(16).padStart(ID_CHARS, '0');
  accumulator.addRow([`${id}${ID_PADDING}`, `Ω ${row} ${NAME_FILLER}`, '1'], row + 2);
}
const summary = accumulator.finish();
const keptHeapBytes = heapInUse() - before;
// Keeps the accumulator referenced until after the measurement.
if (accumulator.finish().rows !== summary.rows) throw new Error('rows changed');

const result: SummaryMemoryResult = {
  resources: summary.resourceCount,
  badRowCount: summary.badRowCount,
  keptHeapBytes,
  heapLimitBytes: getHeapStatistics().heap_size_limit,
};
console.log(JSON.stringify(result));
