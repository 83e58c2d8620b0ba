import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { summarizeReportCsv, type RowTally } from '../../src/csv/summarize-stream.js';
import { progressMeter, type ReportProgress } from '../../src/reports/progress.js';

/*
 * The parse's row count in its progress: the parse counts rows into a tally, and the meter reads
 * the tally only when it writes (at most once per interval, and at the flush).
 */

const LIMITS = { maxColumns: 100, maxFieldBytes: 1024 };

describe('rows in the parse progress', () => {
  test('the meter writes the rows counted so far with its bytes, and its flush writes the rows the last chunk brought', async () => {
    let clock = 0;
    const tally: RowTally = { rows: 0 };
    const writes: ReportProgress[] = [];
    const meter = progressMeter((progress) => Promise.resolve(void writes.push(progress)), 'parse', {
      totalBytes: 3000,
      intervalMs: 1000,
      rowsSoFar: () => tally.rows,
      now: () => new Date(clock),
    });
    for (let chunk = 0; chunk < 30; chunk += 1) {
      meter.add(100);
      // The chunk's rows are parsed after its bytes pass the meter.
      tally.rows += 7;
      clock += 100;
    }
    await meter.flush();
    // Writes at 0 s, 1 s and 2 s (chunks 0, 10 and 20, each before its own rows), then the flush.
    assert.deepEqual(
      writes.map((progress) => [progress.bytes, progress.rows]),
      [
        [100, 0],
        [1100, 70],
        [2100, 140],
        [3000, 210],
      ],
    );

    // All bytes written, but the parse still had rows to count: the flush writes them.
    tally.rows += 3;
    await meter.flush();
    assert.deepEqual([writes.at(-1)?.bytes, writes.at(-1)?.rows], [3000, 213]);
    await meter.flush();
    assert.equal(writes.length, 5, 'a flush with neither new bytes nor new rows writes nothing');
  });

  test('a meter without a row count writes no rows field (the download)', async () => {
    const writes: ReportProgress[] = [];
    const meter = progressMeter((progress) => Promise.resolve(void writes.push(progress)), 'download', { totalBytes: null });
    meter.add(10);
    await meter.flush();
    assert.equal(writes.length, 1);
    assert.ok(!('rows' in writes[0]!), JSON.stringify(writes[0]));
  });

  test("the parse counts every record past the header, rows and bad rows: the summary's rows plus its bad rows", async () => {
    const csv = ['a,b,value', 'x,1,2', '', 'y,2', 'z,3,4', 'w,4,5,6', 'v,5,6', ''].join('\n');
    const tally: RowTally = { rows: 0 };
    const summary = await summarizeReportCsv(Readable.from([csv]), LIMITS, { tally });
    assert.equal(summary.rows, 3);
    assert.equal(summary.badRowCount, 2);
    assert.equal(tally.rows, 5);
  });

  test('the count grows while the parse reads, not only at its end', async () => {
    const ROWS_PER_CHUNK = 5000;
    const tally: RowTally = { rows: 0 };
    const seen: number[] = [];
    function* chunks(): Generator<string> {
      yield 'a,b,value\n';
      // Chunks larger than the stream buffers between the source and the parse.
      for (let chunk = 0; chunk < 20; chunk += 1) {
        seen.push(tally.rows);
        yield `resource-${chunk},1,2\n`.repeat(ROWS_PER_CHUNK);
      }
    }
    // One chunk read ahead at a time: the parse, not the source, sets the pace.
    const summary = await summarizeReportCsv(Readable.from(chunks(), { highWaterMark: 1 }), LIMITS, { tally });
    assert.equal(tally.rows, summary.rows + summary.badRowCount);
    assert.equal(tally.rows, 20 * ROWS_PER_CHUNK);
    assert.ok(
      seen.some((rows) => rows > 0 && rows < tally.rows),
      `counts seen between chunks: ${seen.join(', ')}`,
    );
  });
});
