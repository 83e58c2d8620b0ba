import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { PermanentError } from '../../src/errors.js';
import { parseReportCsv } from '../../src/csv/parse-report.js';
import { readReportCsv } from '../../src/csv/read-report.js';

const LIMITS = { maxColumns: 2_000, maxFieldBytes: 1024 * 1024 };
const fixturesUrl = new URL('../fixtures/csv/', import.meta.url);

type Event = { kind: 'columns'; columns: string[] } | { kind: 'row'; line: number; row: Record<string, string> } | { kind: 'bad'; line: number; reason: string };

const chunked = (bytes: Buffer, size: number) => Readable.from(Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size)));

async function viaGenerator(bytes: Buffer, size: number): Promise<{ events: Event[]; records: string[][] }> {
  const records: string[][] = [];
  const events: Event[] = [];
  for await (const event of parseReportCsv(chunked(bytes, size), LIMITS, { onRecord: (fields) => records.push([...fields]) })) {
    if (event.kind === 'columns') events.push({ kind: 'columns', columns: [...event.columns] });
    else if (event.kind === 'row') events.push({ kind: 'row', line: event.line, row: { ...event.row } });
    else events.push(event);
  }
  return { events, records };
}

async function viaReader(bytes: Buffer, size: number): Promise<{ events: Event[]; records: string[][] }> {
  const records: string[][] = [];
  const events: Event[] = [];
  let columns: readonly string[] = [];
  await readReportCsv(
    chunked(bytes, size),
    LIMITS,
    {
      columns(names) {
        columns = names;
        events.push({ kind: 'columns', columns: [...names] });
      },
      row(fields, line) {
        assert.equal(fields.length, columns.length);
        events.push({ kind: 'row', line, row: Object.fromEntries(columns.map((name, index) => [name, fields[index]!])) });
      },
      bad(line, reason) {
        events.push({ kind: 'bad', line, reason });
      },
    },
    { onRecord: (fields) => records.push([...fields]) },
  );
  return { events, records };
}

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
  test('every fixture, in chunks of 1 byte, 7 bytes and whole, gives the events and records of parseReportCsv', async () => {
    const names = readdirSync(fixturesUrl).filter((name) => name.endsWith('.csv'));
    assert.ok(names.length >= 8);
    const extra = {
      'ragged-late-multiline.csv': Buffer.from('a,b,c\n1,2,3\n"x\r\ny",2\n\n,,\n4,"5\n6",7\r8,9,10\r\n"open,1,2\n'),
    };
    const inputs = [...names.map((name) => [name, readFileSync(new URL(name, fixturesUrl))] as const), ...Object.entries(extra)];
    for (const [name, bytes] of inputs) {
      for (const size of [1, 7, Math.max(1, bytes.length)]) {
        assert.deepEqual(await viaReader(bytes, size), await viaGenerator(bytes, size), `${name}, chunks of ${size}`);
      }
    }
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
