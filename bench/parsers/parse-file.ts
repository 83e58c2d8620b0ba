/**
 * Child process of the parser bench: `node --import tsx parse-file.ts <parser|read-only> <file>`.
 * Streams the file through one parser and prints one JSON line. `read-only` reads the same file
 * without parsing: the I/O floor.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { isParserName } from './adapters.js';
import { aggregateReport } from './aggregate.js';
import type { ReportAggregate } from './aggregate.js';

export interface ParseFileResult extends ReportAggregate {
  parser: string;
  bytes: number;
  parseMs: number;
}

async function readOnly(file: string): Promise<ReportAggregate> {
  let newlines = 0;
  // Counting newlines touches every byte, as a parser must, at almost no cost of its own.
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) newlines++;
  }
  return { rows: Math.max(0, newlines - 1), payloadBillableSum: 0, resourceNameChars: 0 };
}

const [name = '', file = ''] = process.argv.slice(2);
if (name !== 'read-only' && !isParserName(name)) throw new Error(`unknown parser "${name}"`);

const { size } = await stat(file);
const started = performance.now();
const aggregate = name === 'read-only' ? await readOnly(file) : await aggregateReport(name, createReadStream(file));
const result: ParseFileResult = { parser: name, bytes: size, ...aggregate, parseMs: performance.now() - started };
console.log(JSON.stringify(result));
