import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { parseReportCsv, type ParsedEvent } from '../../src/csv/parse-report.js';
import { uniqueColumnNames } from '../../src/csv/header.js';

const LIMITS = { maxColumns: 2_000, maxFieldBytes: 1024 * 1024 };
const fixtureUrl = (name: string) => new URL(`../fixtures/csv/${name}`, import.meta.url);
const fixture = (name: string) => createReadStream(fixtureUrl(name));

async function collect(input: Readable, limits = LIMITS): Promise<ParsedEvent[]> {
  const events: ParsedEvent[] = [];
  for await (const event of parseReportCsv(input, limits)) events.push(event);
  return events;
}

const rowsOf = (events: ParsedEvent[]) => events.flatMap((event) => (event.kind === 'row' ? [event] : []));
const badOf = (events: ParsedEvent[]) => events.flatMap((event) => (event.kind === 'bad' ? [{ line: event.line, reason: event.reason }] : []));
const plain = (row: Readonly<Record<string, string>>) => ({ ...row });

describe('parseReportCsv: reading real report files', () => {
  test('a BOM is stripped, CRLF ends records, blank lines are skipped and rows carry the line they start on', async () => {
    const events = await collect(fixture('bom-crlf.csv'));
    const first = events[0];
    assert.ok(first?.kind === 'columns');
    assert.equal(first.columns[0], 'resourceType');
    const rows = rowsOf(events);
    assert.deepEqual(
      rows.map((row) => [row.line, row.row.resourceName, row.row.payloadBillableCount]),
      [
        [2, 'Acme Water', '250000'],
        [4, 'Borealis\r\nFarms', '90000'],
        [6, 'Cobalt Labs', '5000'],
      ],
    );
    assert.deepEqual(badOf(events), []);
  });

  test('the same file with LF or CRLF line endings gives the same rows', async () => {
    const lf = readFileSync(fixtureUrl('org-daily-tags.csv'), 'utf8');
    assert.ok(!lf.includes('\r'));
    const crlf = lf.replaceAll('\n', '\r\n');
    const fromLf = rowsOf(await collect(Readable.from([lf]))).map((row) => plain(row.row));
    const fromCrlf = rowsOf(await collect(Readable.from([crlf]))).map((row) => plain(row.row));
    assert.equal(fromLf.length, 9);
    assert.deepEqual(fromCrlf, fromLf);
  });

  test('quoted fields keep commas, doubled quotes, newlines, HTML and non-ASCII text exactly', async () => {
    const rows = rowsOf(await collect(fixture('quoted-names.csv')));
    assert.deepEqual(
      rows.map((row) => row.row.resourceName),
      ['Pumps, Valves & Meters', 'The "Big" Line', 'Line one\nline two', "<script>alert('x')</script> & <b>bold</b>", '', 'Ünïcödé 工厂 ✓'],
    );
    assert.deepEqual(
      rows.map((row) => row.line),
      [2, 3, 4, 6, 7, 8],
    );
  });

  test('rows are keyed by header name, not position: reordered and unknown columns still land under their names', async () => {
    const csv = 'mystery,payloadBillableCount,resourceId\nabc,42,r1\n';
    const [row] = rowsOf(await collect(Readable.from([csv])));
    assert.deepEqual(plain(row!.row), { mystery: 'abc', payloadBillableCount: '42', resourceId: 'r1' });
  });

  test('chunk boundaries anywhere (one byte at a time) give the same events as one chunk', async () => {
    const bytes = readFileSync(fixtureUrl('bom-crlf.csv'));
    const whole = await collect(Readable.from([bytes]));
    const oneByte = await collect(Readable.from([...bytes].map((byte) => Buffer.from([byte]))));
    assert.deepEqual(
      oneByte.map((event) => (event.kind === 'row' ? { ...event, row: plain(event.row) } : event)),
      whole.map((event) => (event.kind === 'row' ? { ...event, row: plain(event.row) } : event)),
    );
  });
});

describe('parseReportCsv: files with nothing in them', () => {
  test('an empty file yields no events at all, without an error', async () => {
    assert.deepEqual(await collect(fixture('empty.csv')), []);
  });

  test('a header-only file yields its columns and no rows', async () => {
    const events = await collect(fixture('header-only.csv'));
    assert.deepEqual(events, [
      {
        kind: 'columns',
        columns: ['resourceType', 'resourceId', 'resourceName', 'currentPeriodStart', 'currentPeriodEnd', 'deviceCount', 'payloadBillableCount'],
      },
    ]);
  });

  test('a file of blank lines only yields nothing', async () => {
    assert.deepEqual(await collect(Readable.from(['\n\r\n\n'])), []);
  });

  test('a record whose fields are all empty counts as a blank line, not as a row', async () => {
    const events = await collect(Readable.from(['a,b\n,\n1,2\n']));
    assert.deepEqual(
      rowsOf(events).map((row) => [row.line, plain(row.row)]),
      [[3, { a: '1', b: '2' }]],
    );
  });
});

describe('parseReportCsv: broken rows', () => {
  test('ragged rows and an unclosed quote become bad rows with their line and reason, and parsing goes on', async () => {
    const events = await collect(fixture('ragged.csv'));
    assert.deepEqual(badOf(events), [
      { line: 3, reason: 'expected 5 fields, found 4' },
      { line: 4, reason: 'expected 5 fields, found 6' },
      { line: 9, reason: 'unclosed quote: the record runs to the end of the file' },
    ]);
    assert.deepEqual(
      rowsOf(events).map((row) => [row.line, row.row.resourceName]),
      [
        [2, 'Acme Water'],
        [6, 'Delta\nDairy'],
        [8, 'Echo Energy'],
      ],
    );
  });

  test('events come in file order, bad rows included', async () => {
    const events = await collect(fixture('ragged.csv'));
    const lines = events.flatMap((event) => (event.kind === 'columns' ? [] : [event.line]));
    assert.deepEqual(lines, [2, 3, 4, 6, 8, 9]);
  });

  test('a stray quote inside an unquoted name stays literal instead of swallowing the rows after it', async () => {
    const csv = 'resourceName,deviceCount\nScreen 5" wide,3\nNext,4\n';
    const rows = rowsOf(await collect(Readable.from([csv])));
    assert.deepEqual(
      rows.map((row) => plain(row.row)),
      [
        { resourceName: 'Screen 5" wide', deviceCount: '3' },
        { resourceName: 'Next', deviceCount: '4' },
      ],
    );
  });
});

describe('parseReportCsv: hostile headers', () => {
  test('__proto__ and constructor headers are plain keys on null-prototype rows; no prototype changes', async () => {
    const events = await collect(fixture('malicious-header.csv'));
    assert.deepEqual(events[0], {
      kind: 'columns',
      columns: ['__proto__', 'constructor', 'prototype', 'polluted', 'resourceName', 'deviceCount', 'deviceCount_2', 'toString'],
    });
    const rows = rowsOf(events);
    assert.equal(rows.length, 2);
    const row = rows[0]!.row;
    const value = (key: string) => row[key];
    assert.equal(Object.getPrototypeOf(row), null);
    assert.ok(Object.hasOwn(row, '__proto__'));
    assert.equal(value('__proto__'), '{"polluted":"yes"}');
    assert.equal(value('constructor'), 'function(){}');
    assert.equal(value('toString'), 'boom');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.prototype.toString.call([]), '[object Array]');
    assert.equal(typeof ({} as { constructor: unknown }).constructor, 'function');
  });

  test('duplicate header names keep the first and rename later ones name_2, name_3; both values are kept', async () => {
    const events = await collect(Readable.from(['deviceCount,deviceCount,x,deviceCount\n1,2,3,4\n']));
    assert.deepEqual(events[0], { kind: 'columns', columns: ['deviceCount', 'deviceCount_2', 'x', 'deviceCount_3'] });
    assert.deepEqual(plain(rowsOf(events)[0]!.row), { deviceCount: '1', deviceCount_2: '2', x: '3', deviceCount_3: '4' });
  });

  test('header names are trimmed, empty ones named by position, and renames skip names already taken', () => {
    assert.deepEqual(uniqueColumnNames([' a ', '', 'a', 'a_2', '']), ['a', 'column_2', 'a_2', 'a_2_2', 'column_5']);
  });
});

describe('parseReportCsv: streaming', () => {
  test('rows flow with backpressure: stopping after 10 rows stops reading and releases the input', async () => {
    let produced = 0;
    const input = Readable.from(
      (function* () {
        yield 'resourceId,deviceCount\n';
        for (;;) {
          produced += 1;
          yield `r${produced},${produced}\n`;
        }
      })(),
    );
    let seen = 0;
    for await (const event of parseReportCsv(input, LIMITS)) {
      if (event.kind === 'row') seen += 1;
      if (seen === 10) break;
    }
    assert.equal(seen, 10);
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(input.destroyed, 'the input stream is destroyed');
    assert.ok(produced < 10_000, `read ahead only a bounded amount, produced ${produced}`);
  });

  test('an error of the input stream (a broken download) comes through unchanged', async () => {
    const failure = new Error('socket hang up');
    const input = new Readable({
      read() {
        this.push('a,b\n1,2\n');
        this.destroy(failure);
      },
    });
    await assert.rejects(collect(input), (error) => error === failure);
  });
});
