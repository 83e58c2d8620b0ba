import assert from 'node:assert/strict';
import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { parse as parseSync } from 'csv-parse/sync';
import { summarizeReportCsv } from '../../src/csv/summarize-stream.js';
import { summarySchema } from '../../src/reports/record-schema.js';
import type { PeriodSeries } from '../../src/summary/types.js';
import { summaryOf } from '../helpers/summaries.js';

const LIMITS = { maxColumns: 2_000, maxFieldBytes: 1024 * 1024 };
const fixtureUrl = (name: string) => new URL(`../fixtures/csv/${name}`, import.meta.url);
const MAIN = ['payloadBillableCount', 'deviceCount', 'notebookMinutesCount'];

/** The series computed from the whole file read at once (csv-parse's synchronous API), independent of the streaming accumulator. */
function expectedSeries(name: string): PeriodSeries {
  const rows = parseSync<Record<string, string>>(readFileSync(fixtureUrl(name)), { columns: true, bom: true });
  const starts = [...new Set(rows.map((row) => new Date(row.currentPeriodStart!).toISOString()))].sort();
  const columns = Object.fromEntries(
    MAIN.map((column) => [
      column,
      starts.map((start) => {
        const values = rows.filter((row) => new Date(row.currentPeriodStart!).toISOString() === start).map((row) => Number(row[column]));
        return Math.round(values.reduce((sum, value) => sum + value, 0) * 1e6) / 1e6;
      }),
    ]),
  );
  return { starts, columns, capped: false };
}

describe('per-period series of the main usage columns', () => {
  for (const fixture of ['org-daily-tags.csv', 'app-monthly-sandbox.csv']) {
    test(`${fixture}: each period's sum across resources, periods in date order`, async () => {
      const summary = await summarizeReportCsv(createReadStream(fixtureUrl(fixture)), LIMITS);
      assert.ok(summary.periodSeries);
      assert.deepEqual(summary.periodSeries, expectedSeries(fixture));
      assert.ok(summary.periodSeries.starts.length > 1, 'the fixture spans several periods');
    });
  }

  test('rows out of date order land in their own period; the last day of the series is the latest level', async () => {
    const csv = [
      'resourceId,currentPeriodStart,deviceCount,payloadBillableCount',
      'a,2026-03-02T00:00:00Z,5,10',
      'b,2026-03-01T00:00:00Z,7,1',
      'a,2026-03-01T00:00:00Z,4,2',
      'b,2026-03-02T00:00:00Z,8,20',
    ].join('\n');
    const summary = await summarizeReportCsv(Readable.from([csv]), LIMITS);
    assert.deepEqual(summary.periodSeries, {
      starts: ['2026-03-01T00:00:00.000Z', '2026-03-02T00:00:00.000Z'],
      columns: { payloadBillableCount: [3, 30], deviceCount: [11, 13] },
      capped: false,
    });
    assert.equal(summary.levels.deviceCount?.latest, 13);
  });

  test('past the period bound the first periods met are kept, the flag says so, and the totals still count every row', async () => {
    const lines = ['resourceId,currentPeriodStart,payloadBillableCount'];
    for (let day = 0; day < 12; day += 1) lines.push(`a,${new Date(Date.UTC(2026, 0, 1 + day)).toISOString()},1`);
    const summary = await summarizeReportCsv(Readable.from([lines.join('\n')]), LIMITS, { maxSeriesPeriods: 10 });
    assert.equal(summary.periodSeries?.capped, true);
    assert.equal(summary.periodSeries.starts.length, 10);
    assert.equal(summary.periodSeries.starts[9], '2026-01-10T00:00:00.000Z');
    assert.equal(summary.totals.payloadBillableCount, 12);
  });

  test('a period with no number in a column reads null there; a column that turns out not numeric has no series', async () => {
    const csv = ['resourceId,day,deviceCount,notebookMinutesCount', 'a,2026-03-01,,1', 'a,2026-03-02,3,n/a'].join('\n');
    const summary = await summarizeReportCsv(Readable.from([csv]), LIMITS);
    assert.deepEqual(summary.periodSeries, {
      starts: ['2026-03-01T00:00:00.000Z', '2026-03-02T00:00:00.000Z'],
      columns: { deviceCount: [null, 3] },
      capped: false,
    });
  });

  test('rows without a dated period give no series', async () => {
    const csv = ['resourceId,payloadBillableCount', 'a,1'].join('\n');
    assert.equal((await summarizeReportCsv(Readable.from([csv]), LIMITS)).periodSeries, null);
  });

  test('a summary stored before the series existed reads back with none', () => {
    const { periodSeries, ...old } = summaryOf({ periodSeries: { starts: [], columns: {}, capped: false } });
    assert.ok(periodSeries);
    assert.equal(summarySchema.parse(JSON.parse(JSON.stringify(old))).periodSeries, null);
    assert.equal(summarySchema.safeParse({ ...old, periodSeries: { starts: ['x'], columns: { a: ['1'] }, capped: false } }).success, false);
  });
});
