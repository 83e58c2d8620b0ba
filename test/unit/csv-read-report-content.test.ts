import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { uniqueColumnNames } from '../../src/csv/header.js';
import { badRows, namedRows, readReportEvents } from '../helpers/report-csv.js';

const LIMITS = { maxColumns: 2_000, maxFieldBytes: 1024 * 1024 };
const fixtureUrl = (name: string) => new URL(`../fixtures/csv/${name}`, import.meta.url);
const fixture = (name: string) => createReadStream(fixtureUrl(name));
const read = (input: Readable) => readReportEvents(input, LIMITS);

describe('readReportCsv: reading real report files', () => {
  test('a BOM is stripped, CRLF ends records, blank lines are skipped and rows carry the line they start on', async () => {
    const events = await read(fixture('bom-crlf.csv'));
    const first = events[0];
    assert.ok(first?.kind === 'columns');
    assert.equal(first.columns[0], 'resourceType');
    assert.deepEqual(
      namedRows(events).map(({ line, row }) => [line, row.resourceName, row.payloadBillableCount]),
      [
        [2, 'Acme Water', '250000'],
        [4, 'Borealis\r\nFarms', '90000'],
        [6, 'Cobalt Labs', '5000'],
      ],
    );
    assert.deepEqual(badRows(events), []);
  });

  test('the same file with LF or CRLF line endings gives the same rows', async () => {
    const lf = readFileSync(fixtureUrl('org-daily-tags.csv'), 'utf8');
    assert.ok(!lf.includes('\r'));
    const crlf = lf.replaceAll('\n', '\r\n');
    const fromLf = namedRows(await read(Readable.from([lf]))).map(({ row }) => row);
    const fromCrlf = namedRows(await read(Readable.from([crlf]))).map(({ row }) => row);
    assert.equal(fromLf.length, 9);
    assert.deepEqual(fromCrlf, fromLf);
  });

  test('quoted fields keep commas, doubled quotes, newlines, HTML and non-ASCII text exactly', async () => {
    const rows = namedRows(await read(fixture('quoted-names.csv')));
    assert.deepEqual(
      rows.map(({ row }) => row.resourceName),
      ['Pumps, Valves & Meters', 'The "Big" Line', 'Line one\nline two', "<script>alert('x')</script> & <b>bold</b>", '', 'Ünïcödé 工厂 ✓'],
    );
    assert.deepEqual(
      rows.map(({ line }) => line),
      [2, 3, 4, 6, 7, 8],
    );
  });

  test('fields come in header order, whatever the columns are: reordered and unknown columns keep their names', async () => {
    const events = await read(Readable.from(['mystery,payloadBillableCount,resourceId\nabc,42,r1\n']));
    assert.deepEqual(events, [
      { kind: 'columns', columns: ['mystery', 'payloadBillableCount', 'resourceId'] },
      { kind: 'row', line: 2, fields: ['abc', '42', 'r1'] },
    ]);
  });

  test('chunk boundaries anywhere (one byte at a time) give the same events as one chunk', async () => {
    const bytes = readFileSync(fixtureUrl('bom-crlf.csv'));
    const whole = await read(Readable.from([bytes]));
    const oneByte = await read(Readable.from([...bytes].map((byte) => Buffer.from([byte]))));
    assert.equal(whole.length, 4);
    assert.deepEqual(oneByte, whole);
  });
});

describe('readReportCsv: files with nothing in them', () => {
  test('an empty file gives no events at all, without an error', async () => {
    assert.deepEqual(await read(fixture('empty.csv')), []);
  });

  test('a header-only file gives its columns and no rows', async () => {
    assert.deepEqual(await read(fixture('header-only.csv')), [
      {
        kind: 'columns',
        columns: ['resourceType', 'resourceId', 'resourceName', 'currentPeriodStart', 'currentPeriodEnd', 'deviceCount', 'payloadBillableCount'],
      },
    ]);
  });

  test('a file of blank lines only gives nothing', async () => {
    assert.deepEqual(await read(Readable.from(['\n\r\n\n'])), []);
  });

  test('a record whose fields are all empty counts as a blank line, not as a row', async () => {
    const events = await read(Readable.from(['a,b\n,\n1,2\n']));
    assert.deepEqual(events, [
      { kind: 'columns', columns: ['a', 'b'] },
      { kind: 'row', line: 3, fields: ['1', '2'] },
    ]);
  });
});

describe('readReportCsv: broken rows', () => {
  test('ragged rows and an unclosed quote become bad rows with their line and reason, and parsing goes on', async () => {
    const events = await read(fixture('ragged.csv'));
    assert.deepEqual(badRows(events), [
      { line: 3, reason: 'expected 5 fields, found 4' },
      { line: 4, reason: 'expected 5 fields, found 6' },
      { line: 9, reason: 'unclosed quote: the record runs to the end of the file' },
    ]);
    assert.deepEqual(
      namedRows(events).map(({ line, row }) => [line, row.resourceName]),
      [
        [2, 'Acme Water'],
        [6, 'Delta\nDairy'],
        [8, 'Echo Energy'],
      ],
    );
  });

  test('rows and bad rows come in file order', async () => {
    const events = await read(fixture('ragged.csv'));
    const lines = events.flatMap((event) => (event.kind === 'columns' ? [] : [`${event.kind} ${event.line}`]));
    assert.deepEqual(lines, ['row 2', 'bad 3', 'bad 4', 'row 6', 'row 8', 'bad 9']);
  });

  test('a stray quote inside an unquoted name stays literal instead of swallowing the rows after it', async () => {
    const rows = namedRows(await read(Readable.from(['resourceName,deviceCount\nScreen 5" wide,3\nNext,4\n'])));
    assert.deepEqual(
      rows.map(({ row }) => row),
      [
        { resourceName: 'Screen 5" wide', deviceCount: '3' },
        { resourceName: 'Next', deviceCount: '4' },
      ],
    );
  });
});

describe('readReportCsv: hostile headers', () => {
  test('__proto__ and constructor headers are column names like any other, and reading them changes no prototype', async () => {
    const events = await read(fixture('malicious-header.csv'));
    assert.deepEqual(events[0], {
      kind: 'columns',
      columns: ['__proto__', 'constructor', 'prototype', 'polluted', 'resourceName', 'deviceCount', 'deviceCount_2', 'toString'],
    });
    assert.deepEqual(events[1], {
      kind: 'row',
      line: 2,
      fields: ['{"polluted":"yes"}', 'function(){}', 'x', 'yes', 'Acme Water', '5', '7', 'boom'],
    });
    const rows = namedRows(events);
    assert.equal(rows.length, 2);
    const row = rows[0]!.row;
    const value = (key: string) => row[key];
    assert.ok(Object.hasOwn(row, '__proto__'));
    assert.equal(value('__proto__'), '{"polluted":"yes"}');
    assert.equal(value('constructor'), 'function(){}');
    assert.equal(value('toString'), 'boom');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.prototype.toString.call([]), '[object Array]');
    assert.equal(typeof ({} as { constructor: unknown }).constructor, 'function');
  });

  test('duplicate header names keep the first and rename later ones name_2, name_3; every value is kept', async () => {
    const events = await read(Readable.from(['deviceCount,deviceCount,x,deviceCount\n1,2,3,4\n']));
    assert.deepEqual(events, [
      { kind: 'columns', columns: ['deviceCount', 'deviceCount_2', 'x', 'deviceCount_3'] },
      { kind: 'row', line: 2, fields: ['1', '2', '3', '4'] },
    ]);
  });

  test('header names are trimmed, empty ones named by position, and renames skip names already taken', () => {
    assert.deepEqual(uniqueColumnNames([' a ', '', 'a', 'a_2', '']), ['a', 'column_2', 'a_2', 'a_2_2', 'column_5']);
  });
});
