import { isDeepStrictEqual } from 'node:util';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { REPORT_COLUMNS } from '../lib/generate-report-csv.js';
import { parseStream } from './adapters.js';
import type { ParserName } from './adapters.js';

/**
 * A correctness corpus for streaming CSV parsers: the csv-spectrum package's cases plus our own
 * edge cases. Every case is fed as a byte stream, the way a download reaches the parser.
 */

export interface CorrectnessCase {
  name: string;
  csv: Buffer;
  expected: Array<Record<string, string>>;
  /** Bytes per chunk fed to the parser; default: the whole file in one chunk. */
  chunkAt?: number[] | number;
  /** Any normalisation applied to the corpus's expected output, and why. */
  normalisation?: string;
}

export interface CheckResult {
  pass: boolean;
  /** Why it failed: the error, or the first differing row. */
  detail?: string;
}

interface SpectrumItem {
  name: string;
  csv: Buffer;
  json: Buffer;
}

const require = createRequire(import.meta.url);

/**
 * Loads csv-spectrum (a CommonJS module exporting `fn(callback(err, items))`). Its
 * location_coordinates case is defective: the expected JSON is a bare object rather than an array
 * of rows, and its phone number (1234567890) is not the one in the CSV (2095257564). Both are
 * repaired, and said so, rather than dropped: the case is still the corpus's only test of
 * replacement characters and embedded quotes in unquoted fields.
 */
export async function loadSpectrumCases(): Promise<CorrectnessCase[]> {
  const spectrum = require('csv-spectrum') as (callback: (error: Error | null, items: SpectrumItem[]) => void) => void;
  const items = await new Promise<SpectrumItem[]>((resolve, reject) => spectrum((error, result) => (error ? reject(error) : resolve(result))));
  return items.map((item) => {
    const parsed = JSON.parse(item.json.toString('utf8')) as unknown;
    const notes: string[] = [];
    let expected = parsed as Array<Record<string, string>>;
    if (!Array.isArray(parsed)) {
      expected = [parsed as Record<string, string>];
      notes.push('expected JSON is a single object; wrapped in an array');
    }
    if (item.name === 'location_coordinates') {
      const row = expected[0];
      if (row?.['Contact Phone Number'] === '1234567890' && item.csv.includes('2095257564')) {
        expected = [{ ...row, 'Contact Phone Number': '2095257564' }];
        notes.push("expected phone number 1234567890 replaced by the CSV's 2095257564");
      }
    }
    return {
      name: `csv-spectrum: ${item.name}`,
      csv: item.csv,
      expected,
      ...(notes.length > 0 ? { normalisation: notes.join('; ') } : {}),
    };
  });
}

function reportRow(resourceName: string): { csv: string; record: Record<string, string> } {
  const record = Object.fromEntries(REPORT_COLUMNS.map((column, i) => [column, column === 'resourceName' ? resourceName : String(i)]));
  const fields = REPORT_COLUMNS.map((column) => (column === 'resourceName' ? `"${resourceName.replaceAll('"', '""')}"` : record[column]!));
  return { csv: fields.join(','), record };
}

/** After the second line, then between the CR and the LF of every later line. */
function crlfCuts(csv: Buffer): number[] {
  const ends = (byte: number) => [...csv.entries()].filter(([, b]) => b === byte).map(([i]) => i + 1);
  const firstChunkEnd = ends(0x0a)[1]!;
  return [firstChunkEnd, ...ends(0x0d).filter((i) => i > firstChunkEnd)];
}

export function ownEdgeCases(): CorrectnessCase[] {
  const header = REPORT_COLUMNS.join(',');
  const multiline = reportRow('Line one\nLine two, "quoted"');
  const utf8 = Buffer.from('name,city\nZoë,東京\nÅre,Kraków\n');
  const crlf = Buffer.from('a,b\r\n"q ""x"", y",2\r\n3,4\r\n5,6\r\n');
  const crlfRecords = [
    { a: 'q "x", y', b: '2' },
    { a: '3', b: '4' },
    { a: '5', b: '6' },
  ];
  const crlfReport = Buffer.from(`${header}\r\n${multiline.csv}\r\n${multiline.csv}\r\n`);
  return [
    { name: 'own: UTF-8 BOM before the header', csv: Buffer.from(`\uFEFFa,b\n1,2\n`), expected: [{ a: '1', b: '2' }] },
    {
      name: 'own: quoted report field with embedded newline, comma and quotes',
      csv: Buffer.from(`${header}\n${multiline.csv}\n`),
      expected: [multiline.record],
    },
    { name: 'own: empty file', csv: Buffer.alloc(0), expected: [] },
    { name: 'own: header only', csv: Buffer.from(`${header}\n`), expected: [] },
    {
      name: 'own: multi-byte UTF-8 characters split across chunks',
      csv: utf8,
      expected: [
        { name: 'Zoë', city: '東京' },
        { name: 'Åre', city: 'Kraków' },
      ],
      chunkAt: 1,
    },
    {
      name: 'own: CRLF rows cut between CR and LF after the first chunk',
      csv: crlf,
      expected: crlfRecords,
      // The first chunk ends on a whole line, so a parser that guesses line endings from it can.
      chunkAt: crlfCuts(crlf),
    },
    {
      name: 'own: CRLF report whose first chunk is shorter than the header line',
      csv: crlfReport,
      expected: [multiline.record, multiline.record],
      // A download's first read can be a few hundred bytes; the report's header line is longer.
      chunkAt: [256],
    },
  ];
}

function chunks(csv: Buffer, chunkAt: CorrectnessCase['chunkAt']): Buffer[] {
  if (chunkAt === undefined) return csv.length === 0 ? [] : [csv];
  const cuts = typeof chunkAt === 'number' ? Array.from({ length: Math.ceil(csv.length / chunkAt) }, (_, i) => i * chunkAt) : [0, ...chunkAt];
  return cuts.map((start, i) => csv.subarray(start, cuts[i + 1] ?? csv.length)).filter((chunk) => chunk.length > 0);
}

/** Records are compared as plain objects with own enumerable keys: prototypes are not the point. */
export async function checkCase(parser: ParserName, testCase: CorrectnessCase): Promise<CheckResult> {
  const actual: Array<Record<string, unknown>> = [];
  try {
    await parseStream(parser, Readable.from(chunks(testCase.csv, testCase.chunkAt), { objectMode: false }), (record) => actual.push({ ...record }));
  } catch (error) {
    return { pass: false, detail: `threw: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (isDeepStrictEqual(actual, testCase.expected)) return { pass: true };
  if (actual.length !== testCase.expected.length) return { pass: false, detail: `${actual.length} rows, expected ${testCase.expected.length}` };
  const row = actual.findIndex((record, i) => !isDeepStrictEqual(record, testCase.expected[i]));
  return { pass: false, detail: `row ${row + 1}: ${firstDifference(actual[row]!, testCase.expected[row]!)}` };
}

function firstDifference(actual: Record<string, unknown>, expected: Record<string, string>): string {
  const unexpected = Object.keys(actual).find((key) => !Object.hasOwn(expected, key));
  if (unexpected !== undefined) return `unexpected column ${JSON.stringify(unexpected)}`;
  const key = Object.keys(expected).find((k) => !isDeepStrictEqual(actual[k], expected[k]));
  return key === undefined ? 'same fields in another order' : `${key} = ${JSON.stringify(actual[key])}, expected ${JSON.stringify(expected[key])}`;
}
