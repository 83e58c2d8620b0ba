import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { PermanentError } from '../../src/errors.js';
import { readReportCsv } from '../../src/csv/read-report.js';
import { chunkedStream, readReportEvents, type ReportEvent } from '../helpers/report-csv.js';

const LIMITS = { maxColumns: 2_000, maxFieldBytes: 1024 * 1024 };
const fixturesUrl = new URL('../fixtures/csv/', import.meta.url);

async function readInChunks(bytes: Buffer, size: number): Promise<{ events: ReportEvent[]; records: string[][] }> {
  const records: string[][] = [];
  const events = await readReportEvents(chunkedStream(bytes, size), LIMITS, { onRow: (fields) => records.push([...fields]) });
  return { events, records };
}

/** One line per event: what it is and the line it starts on (rows' fields are checked elsewhere). */
function outline(events: readonly ReportEvent[]): string[] {
  return events.map((event) => {
    if (event.kind === 'columns') return `columns ${event.columns.length}`;
    if (event.kind === 'row') return `row ${event.line}`;
    return `bad ${event.line}: ${event.reason}`;
  });
}

const rowsOnLines = (...lines: number[]) => lines.map((line) => `row ${line}`);

/** Every fixture: its events in outline, and how many records onRow sees (header and ragged rows included, blank lines not). */
const FIXTURES: Record<string, { outline: string[]; records: number }> = {
  'app-monthly-sandbox.csv': { outline: ['columns 28', ...rowsOnLines(2, 3, 4, 5, 6, 7)], records: 7 },
  'bom-crlf.csv': { outline: ['columns 7', ...rowsOnLines(2, 4, 6)], records: 4 },
  'empty.csv': { outline: [], records: 0 },
  'formula-cr.csv': { outline: ['columns 6', 'row 2'], records: 2 },
  'formula-injection.csv': { outline: ['columns 6', ...rowsOnLines(2, 3, 4, 5, 7)], records: 6 },
  'header-only.csv': { outline: ['columns 7'], records: 1 },
  'malicious-header.csv': { outline: ['columns 8', 'row 2', 'row 3'], records: 3 },
  'org-daily-tags.csv': { outline: ['columns 30', ...rowsOnLines(2, 3, 4, 5, 6, 7, 8, 9, 10)], records: 10 },
  'quoted-names.csv': { outline: ['columns 7', ...rowsOnLines(2, 3, 4, 6, 7, 8)], records: 7 },
  'ragged.csv': {
    outline: [
      'columns 5',
      'row 2',
      'bad 3: expected 5 fields, found 4',
      'bad 4: expected 5 fields, found 6',
      'row 6',
      'row 8',
      'bad 9: unclosed quote: the record runs to the end of the file',
    ],
    records: 6,
  },
};

function endless(onProduce: (n: number) => void): Readable {
  let produced = 0;
  return Readable.from(
    (function* () {
      yield 'resourceId,deviceCount\n';
      for (;;) {
        produced += 1;
        onProduce(produced);
        yield `r${produced},${produced}\n`;
      }
    })(),
  );
}

describe('readReportCsv', () => {
  test('every fixture gives its expected events and records, the same in chunks of 1 byte, 7 bytes and whole', async () => {
    const names = readdirSync(fixturesUrl).filter((name) => name.endsWith('.csv'));
    assert.deepEqual(names.sort(), Object.keys(FIXTURES).sort(), 'every fixture has its expectation');
    for (const [name, expected] of Object.entries(FIXTURES)) {
      const bytes = readFileSync(new URL(name, fixturesUrl));
      const whole = await readInChunks(bytes, Math.max(1, bytes.length));
      assert.deepEqual(outline(whole.events), expected.outline, name);
      assert.equal(whole.records.length, expected.records, name);
      for (const size of [1, 7]) assert.deepEqual(await readInChunks(bytes, size), whole, `${name}, chunks of ${size}`);
    }
  });

  test('line breaks of every kind inside and between records, blank and all-empty lines, a ragged row and an unclosed quote, in any chunks', async () => {
    const bytes = Buffer.from('a,b,c\n1,2,3\n"x\r\ny",2\n\n,,\n4,"5\n6",7\r8,9,10\r\n"open,1,2\n');
    const expected = {
      events: [
        { kind: 'columns', columns: ['a', 'b', 'c'] },
        { kind: 'row', line: 2, fields: ['1', '2', '3'] },
        { kind: 'bad', line: 3, reason: 'expected 3 fields, found 2' },
        { kind: 'row', line: 7, fields: ['4', '5\n6', '7'] },
        { kind: 'row', line: 9, fields: ['8', '9', '10'] },
        { kind: 'bad', line: 10, reason: 'unclosed quote: the record runs to the end of the file' },
      ],
      // The all-empty record is seen (it is not a blank line to the parser); the blank line and the unclosed quote are not.
      records: [
        ['a', 'b', 'c'],
        ['1', '2', '3'],
        ['x\r\ny', '2'],
        ['', '', ''],
        ['4', '5\n6', '7'],
        ['8', '9', '10'],
      ],
    };
    for (const size of [1, 7, bytes.length]) assert.deepEqual(await readInChunks(bytes, size), expected, `chunks of ${size}`);
  });

  test('an error of the input stream comes through unchanged', async () => {
    const failure = new Error('socket hang up');
    const input = new Readable({
      read() {
        this.push('a,b\n1,2\n');
        this.destroy(failure);
      },
    });
    await assert.rejects(readReportCsv(input, LIMITS, { columns() {}, row() {}, bad() {} }), (error) => error === failure);
  });

  test('a limit violation rejects with the PermanentError', async () => {
    await assert.rejects(
      readReportCsv(Readable.from(['a,b,c\n']), { maxColumns: 2, maxFieldBytes: 100 }, { columns() {}, row() {}, bad() {} }),
      (error) => error instanceof PermanentError && error.code === 'csv_too_many_columns',
    );
  });

  test('a visitor that throws ends the read with its error and releases the input', async () => {
    let produced = 0;
    const input = endless((n) => (produced = n));
    const boom = new Error('visitor failed');
    let rows = 0;
    const visitor = {
      columns() {},
      row() {
        rows += 1;
        if (rows === 10) throw boom;
      },
      bad() {},
    };
    await assert.rejects(readReportCsv(input, LIMITS, visitor), (error) => error === boom);
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(input.destroyed, 'the input stream is destroyed');
    assert.ok(produced < 10_000, `read ahead only a bounded amount, produced ${produced}`);
  });

  test('while ready() is pending no record is taken and reading stops; a rejection ends the read', async () => {
    let produced = 0;
    const input = endless((n) => (produced = n));
    let rows = 0;
    let hold: { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } | null = null;
    const visitor = { columns() {}, row: () => void (rows += 1), bad() {} };
    const ready = () => {
      if (rows !== 100 && rows !== 200) return null;
      if (hold === null) {
        let resolve!: () => void;
        let reject!: (error: Error) => void;
        const promise = new Promise<void>((res, rej) => {
          resolve = res;
          reject = rej;
        });
        hold = { promise, resolve, reject };
      }
      return hold.promise;
    };
    const reading = readReportCsv(input, LIMITS, visitor, { ready });
    while (hold === null) await new Promise((resolve) => setImmediate(resolve));
    for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(rows, 100, 'no record is taken while ready() is pending');
    const producedWhileHeld = produced;
    assert.ok(producedWhileHeld < 10_000, `read ahead only a bounded amount, produced ${producedWhileHeld}`);
    const first: { resolve: () => void } = hold;
    hold = null;
    first.resolve();
    while (hold === null) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(rows, 200, 'reading went on after ready() settled');
    const stop = new Error('disk full');
    (hold as { reject: (error: Error) => void }).reject(stop);
    await assert.rejects(reading, (error) => error === stop);
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(input.destroyed, 'the input stream is destroyed');
  });
});
