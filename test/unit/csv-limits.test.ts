import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CsvError } from 'csv-parse';
import { readReportCsv } from '../../src/csv/read-report.js';
import { createCsvLimitGuard } from '../../src/csv/limit-guard.js';
import { throwIfRecordTooLarge } from '../../src/csv/parse-options.js';
import type { CsvLimits } from '../../src/csv/limits.js';
import { PermanentError } from '../../src/errors.js';

const MB = 1024 * 1024;

/** Heap in use after a full collection, so that only what is still referenced is measured. */
function retainedHeap(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

/** Reads the whole CSV and counts its rows. */
async function drain(input: Readable, limits: CsvLimits): Promise<number> {
  let rows = 0;
  await readReportCsv(input, limits, { columns() {}, row: () => void (rows += 1), bad() {} });
  return rows;
}

function permanent(code: string, check: (error: PermanentError) => void = () => undefined) {
  return (error: unknown) => {
    assert.ok(error instanceof PermanentError, `expected a PermanentError, got ${String(error)}`);
    assert.equal(error.code, code);
    check(error);
    return true;
  };
}

/** A stream of `total` bytes of `fill`, produced lazily in 64 KiB chunks, counting what was pulled. */
function lazyField(prefix: string, fill: string, total: number, suffix: string) {
  const counter = { pulled: 0 };
  const chunk = fill.repeat(64 * 1024);
  const stream = Readable.from(
    (function* () {
      yield prefix;
      for (let sent = 0; sent < total; sent += chunk.length) {
        counter.pulled += chunk.length;
        yield chunk;
      }
      yield suffix;
    })(),
  );
  return { stream, counter };
}

describe('CSV limits: columns', () => {
  test('a header of 100,000 columns with maxColumns 2000 is refused as csv_too_many_columns naming the count', async () => {
    const header = Array.from({ length: 100_000 }, (_, i) => `c${i}`).join(',');
    await assert.rejects(
      drain(Readable.from([`${header}\n1,2\n`]), { maxColumns: 2_000, maxFieldBytes: MB }),
      permanent('csv_too_many_columns', (error) => {
        assert.match(error.message, /100000 columns on line 1/u);
        assert.match(error.message, /at most 2000/u);
        assert.deepEqual(error.details, { columns: 100_000, exact: true, line: 1, limit: 2_000 });
      }),
    );
  });

  test('exactly maxColumns columns are accepted', async () => {
    const header = Array.from({ length: 50 }, (_, i) => `c${i}`).join(',');
    const row = Array.from({ length: 50 }, (_, i) => `${i}`).join(',');
    assert.equal(await drain(Readable.from([`${header}\n${row}\n`]), { maxColumns: 50, maxFieldBytes: MB }), 1);
  });

  test('a data row with more than maxColumns fields is refused too, with its line', async () => {
    const wide = Array.from({ length: 30 }, () => '1').join(',');
    await assert.rejects(
      drain(Readable.from([`a,b\n1,2\n${wide}\n`]), { maxColumns: 20, maxFieldBytes: MB }),
      permanent('csv_too_many_columns', (error) => assert.match(error.message, /30 columns on line 3/u)),
    );
  });

  test('when an endless header reaches the record byte cap first, the error still says too many columns', async () => {
    const { stream } = lazyField('', 'a,', 8 * MB, '\n');
    await assert.rejects(
      drain(stream, { maxColumns: 2_000, maxFieldBytes: 1024, maxRecordBytes: 64 * 1024 }),
      permanent('csv_too_many_columns', (error) => assert.match(error.message, /at least \d+ columns on line 1/u)),
    );
  });
  test('a line of 10 MB of commas is refused, and past maxColumns nothing more reaches the parser', async () => {
    const { stream } = lazyField('', ',', 10 * MB, '\n');
    await assert.rejects(drain(stream, { maxColumns: 2_000, maxFieldBytes: MB }), permanent('csv_too_many_columns'));

    const guard = createCsvLimitGuard({ maxColumns: 100, maxFieldBytes: 100_000 });
    let forwarded = 0;
    guard.on('data', (chunk: Buffer) => {
      forwarded += chunk.length;
    });
    const failed = new Promise((resolve) => guard.on('error', resolve));
    guard.write('a,b\n'); // 4 bytes within the limits
    for (let i = 0; i < 50; i += 1) guard.write(','.repeat(1_000)); // 50,001 empty fields
    guard.end('\n');
    const error = await failed;
    assert.ok(error instanceof PermanentError && error.code === 'csv_too_many_columns');
    assert.match(error.message, /50001 columns on line 2/u);
    assert.equal(forwarded, 4);
  });
});

describe('CSV limits: field and record size', () => {
  test('a 10 MB field with a 1 MB cap is refused as csv_field_too_large with its line, without reading it all', async () => {
    const { stream, counter } = lazyField('resourceName,deviceCount\nok,1\n"', 'x', 10 * MB, '",2\n');
    await assert.rejects(
      drain(stream, { maxColumns: 2_000, maxFieldBytes: MB }),
      permanent('csv_field_too_large', (error) => {
        assert.match(error.message, /line 3/u);
        assert.deepEqual(error.details, { line: 3, limit: MB });
      }),
    );
    assert.ok(counter.pulled < 4 * MB, `stopped early: pulled ${counter.pulled} bytes`);
  });

  test('an unquoted oversized field is caught the same way', async () => {
    const { stream } = lazyField('a,b\n1,', 'y', 3 * MB, '\n');
    await assert.rejects(drain(stream, { maxColumns: 10, maxFieldBytes: MB }), permanent('csv_field_too_large'));
  });

  test('the cap counts bytes, not characters', async () => {
    const euros = '€'.repeat(400); // 1200 bytes in UTF-8
    await assert.rejects(drain(Readable.from([`a\n${euros}\n`]), { maxColumns: 10, maxFieldBytes: 1000 }), permanent('csv_field_too_large'));
    assert.equal(await drain(Readable.from([`a\n${euros}\n`]), { maxColumns: 10, maxFieldBytes: 1200 }), 1);
  });

  test('a field of exactly maxFieldBytes is accepted', async () => {
    const field = 'z'.repeat(4096);
    assert.equal(await drain(Readable.from([`a,b\n${field},1\n`]), { maxColumns: 10, maxFieldBytes: 4096 }), 1);
  });

  test('a record of many fields, each small, over the record cap is refused as csv_record_too_large', async () => {
    const fields = Array.from({ length: 100 }, () => 'w'.repeat(900)).join(',');
    const header = Array.from({ length: 100 }, (_, i) => `c${i}`).join(',');
    await assert.rejects(
      drain(Readable.from([`${header}\n${fields}\n`]), { maxColumns: 200, maxFieldBytes: 1000 }),
      permanent('csv_record_too_large', (error) => assert.match(error.message, /line 2 is larger than 4000 bytes/u)),
    );
  });
});

describe('CSV limits: csv-parse backstop', () => {
  test("csv-parse's own record-size error, should it ever fire first, also becomes csv_record_too_large", () => {
    const limits = { maxColumns: 10, maxFieldBytes: 100 };
    assert.throws(() => throwIfRecordTooLarge(new CsvError('CSV_MAX_RECORD_SIZE', 'Max Record Size'), limits), permanent('csv_record_too_large'));
    assert.doesNotThrow(() => throwIfRecordTooLarge(new CsvError('CSV_QUOTE_NOT_CLOSED', 'Quote Not Closed'), limits));
  });
});

describe('CSV limits: large files', () => {
  test('200,000 rows parse completely in constant memory', async () => {
    const header =
      'resourceType,resourceId,resourceName,currentPeriodStart,currentPeriodEnd,deviceCount,payloadBillableCount,payloadBillableSizeMb,notebookMinutesCount';
    const total = 200_000;
    // Batched into ~64 KiB chunks, as a download delivers them.
    const input = Readable.from(
      (function* () {
        let batch = `${header}\n`;
        for (let i = 0; i < total; i += 1) {
          batch += `organization,${(i % 500).toString(16).padStart(24, '0')},"Org ${i % 500}, Ltd",2026-01-01T00:00:00.000Z,2026-01-01T23:59:59.999Z,${i % 97},${i},${(i % 13) / 10},${i % 7}\n`;
          if (batch.length >= 64 * 1024) {
            yield batch;
            batch = '';
          }
        }
        yield batch;
      })(),
    );
    let rows = 0;
    let baseline = 0;
    let growth = 0;
    const countRow = (): void => {
      rows += 1;
      if (rows === 20_000) baseline = retainedHeap();
      if (rows === total) growth = retainedHeap() - baseline; // measured while the parse is still live
    };
    await readReportCsv(input, { maxColumns: 2_000, maxFieldBytes: MB }, { columns() {}, row: countRow, bad() {} });
    assert.equal(rows, total);
    // 180,000 kept rows would retain well over 100 MB.
    assert.ok(growth < 16 * MB, `retained heap grew by ${(growth / MB).toFixed(1)} MB between row 20,000 and row 200,000`);
  });
});
