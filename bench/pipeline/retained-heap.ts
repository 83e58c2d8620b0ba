/**
 * Retained memory of the summary over a whole report, in its own process (run with --expose-gc):
 *   node --expose-gc retained-heap.ts <CSV file> <rows between samples>
 * Runs summarizeReportCsv on the file and, every N records, collects garbage and notes the heap
 * still in use: if anything were kept per row it would grow with the rows. Peak RSS depends on
 * when V8 collects; this does not. Prints one JSON line (RetainedHeapResult).
 */
import { createReadStream } from 'node:fs';
import { loadConfig } from '../../src/config.js';
import { summarizeReportCsv } from '../../src/csv/summarize-stream.js';

export interface RetainedHeapResult {
  rows: number;
  /** Heap in use right after a full collection, every N records. */
  samples: Array<{ records: number; heapUsedMB: number }>;
}

const [file = '', everyText = '250000'] = process.argv.slice(2);
const every = Number(everyText);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
// The CSV limits the service uses by default.
const { csv } = loadConfig('worker', { LOSANT_INSTANCE_ID: 'a1b2c3d4e5f6a1b2c3d4e5f6' }).worker;
const samples: RetainedHeapResult['samples'] = [];
let records = 0;
const probe = {
  add() {
    records += 1;
    if (records % every !== 0) return;
    gc();
    samples.push({ records, heapUsedMB: process.memoryUsage().heapUsed / 1e6 });
  },
  ready: () => null,
};
const summary = await summarizeReportCsv(createReadStream(file), csv, {}, probe);
const result: RetainedHeapResult = { rows: summary.rows, samples };
console.log(JSON.stringify(result));
