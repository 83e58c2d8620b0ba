/**
 * Baseline of the pipeline bench, in its own process: the same file fetched with undici (the
 * HTTP client the service uses) and parsed by csv-parse alone with `columns: true`, summing one
 * column. No safety limits, no disk, no archive: the floor a hand-written script would reach.
 *   node --import tsx baseline.ts <CSV URL>
 */
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { request } from 'undici';
import type { PipelineRunResult } from './result.js';

const [url = ''] = process.argv.slice(2);
const started = performance.now();
const response = await request(url);
if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}`);
let bytes = 0;
let rows = 0;
let payloadBillableSum = 0;
async function* counted(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    bytes += chunk.length;
    yield chunk;
  }
}
await pipeline(response.body, counted, parse({ columns: true, bom: true }), async (records: AsyncIterable<Record<string, string>>) => {
  for await (const record of records) {
    rows++;
    payloadBillableSum += Number(record.payloadBillableCount);
  }
});
const totalMs = performance.now() - started;
const result: PipelineRunResult = { bytes, rows, payloadBillableSum, totalMs, stepsMs: { 'fetch + parse': totalMs } };
console.log(JSON.stringify(result));
