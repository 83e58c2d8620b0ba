import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parse as parseSync } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { summarizeReportCsv } from '../../src/csv/summarize-stream.js';
import { PermanentError } from '../../src/errors.js';
import type { LevelFigures, ResourceFigure, ResourceFigures } from '../../src/summary/types.js';

const LIMITS = { maxColumns: 2_000, maxFieldBytes: 1024 * 1024 };
const fixtureUrl = (name: string) => new URL(`../fixtures/csv/${name}`, import.meta.url);
const summarizeFixture = (name: string) => summarizeReportCsv(createReadStream(fixtureUrl(name)), LIMITS);
const summarizeText = (csv: string, options?: { topN?: number; maxResources?: number }) => summarizeReportCsv(Readable.from([csv]), LIMITS, options);

const round6 = (value: number) => Math.round(value * 1e6) / 1e6;

/** Heap in use after a full collection, so that only what is still referenced is measured. */
function retainedHeap(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

/** The fixture read by csv-parse's synchronous API, independent of the streaming code under test. */
function records(name: string): Array<Record<string, string>> {
  return parseSync<Record<string, string>>(readFileSync(fixtureUrl(name)), { columns: true, bom: true });
}

/** Columns of the fixtures that are labels, not quantities. */
const LABEL_COLUMNS = new Set([
  'resourceType',
  'resourceId',
  'resourceName',
  'ownerType',
  'ownerId',
  'ownerName',
  'currentPeriodStart',
  'currentPeriodEnd',
  'sandbox',
]);
/** Quantities of the fixtures that accumulate over time; every other quantity is a count at a moment. */
const FLOW_COLUMNS = new Set([
  'notebookRunCount',
  'notebookMinutesCount',
  'payloadBillableCount',
  'payloadNonbillableCount',
  'payloadBillableSizeMb',
  'payloadNonbillableSizeMb',
]);

const quantityColumns = (rows: Array<Record<string, string>>) =>
  Object.keys(rows[0]!).filter((column) => !LABEL_COLUMNS.has(column) && !column.startsWith('tag:'));
const levelColumns = (rows: Array<Record<string, string>>) => quantityColumns(rows).filter((column) => !FLOW_COLUMNS.has(column));

/** Peak and latest of each level column: sums per currentPeriodStart, then the largest and the last by date. */
function expectedLevels(rows: Array<Record<string, string>>): Record<string, LevelFigures> {
  const starts = [...new Set(rows.map((row) => row.currentPeriodStart!))].sort();
  const expected: Record<string, LevelFigures> = {};
  for (const column of levelColumns(rows)) {
    const sums = starts.map((start) => round6(rows.filter((row) => row.currentPeriodStart === start).reduce((sum, row) => sum + Number(row[column]), 0)));
    const peak = Math.max(...sums);
    expected[column] = { peak, latest: sums.at(-1)!, peakPeriod: starts[sums.indexOf(peak)]! };
  }
  return expected;
}

describe('summarizeReportCsv: an organization-grouped daily report with tags', () => {
  test("a sandbox user's rows in a report by organization mark its figures as of another type", async () => {
    const csv = [
      'resourceType,resourceId,resourceName,currentPeriodStart,payloadBillableCount',
      'organization,o1,Acme,2026-11-01T00:00:00.000Z,10',
      'user,u1,Ada,2026-11-01T00:00:00.000Z,5',
      'organization,o2,Beta,2026-11-01T00:00:00.000Z,7',
    ].join('\n');
    let figures: ResourceFigures | null = null;
    const summary = await summarizeReportCsv(Readable.from([csv]), LIMITS, { onResourceFigures: (found) => (figures = found) });
    assert.equal(summary.grouping.resource, 'organization');
    const resources: ResourceFigure[] = (figures as ResourceFigures | null)?.resources ?? [];
    assert.deepEqual(
      resources.map((resource) => [resource.id, resource.otherType ?? false]),
      [
        ['o1', false],
        ['u1', true],
        ['o2', false],
      ],
    );
  });

  test('totals are the exact sums of every numeric quantity column, computed independently', async () => {
    const rows = records('org-daily-tags.csv');
    const expected: Record<string, number> = {};
    for (const column of quantityColumns(rows)) {
      expected[column] = round6(rows.reduce((sum, row) => sum + Number(row[column]), 0));
    }
    const summary = await summarizeFixture('org-daily-tags.csv');
    assert.deepEqual(summary.totals, expected);
    // Anchors written by hand from the fixture.
    assert.equal(summary.totals.payloadBillableCount, 1_042_000);
    assert.equal(summary.totals.notebookMinutesCount, 126.9);
    assert.equal(summary.totals.fileTotalSizeMb, 47.6);
    assert.equal(summary.totals.deviceCount, 1324);
  });

  test('levels: peak and latest daily sums of every level column, computed independently', async () => {
    const rows = records('org-daily-tags.csv');
    assert.equal(levelColumns(rows).length, 13);
    const summary = await summarizeFixture('org-daily-tags.csv');
    assert.deepEqual(summary.levels, expectedLevels(rows));
    // Anchors written by hand: 435, 447 and 442 devices on the three days (1,324 device-days).
    assert.deepEqual(summary.levels.deviceCount, { peak: 447, latest: 442, peakPeriod: '2026-02-02T00:00:00.000Z' });
    assert.deepEqual(summary.levels.fileTotalSizeMb, { peak: 16.1, latest: 16.1, peakPeriod: '2026-02-03T00:00:00.000Z' });
    assert.equal(summary.levelsUnavailable, null);
  });

  test('ids, period bounds, the sandbox flag and tags are never totalled', async () => {
    const summary = await summarizeFixture('org-daily-tags.csv');
    for (const column of ['resourceId', 'ownerId', 'currentPeriodStart', 'currentPeriodEnd', 'sandbox', 'tag:region', 'tag:tier', 'resourceName']) {
      assert.ok(!Object.hasOwn(summary.totals, column), `${column} is not totalled`);
    }
  });

  test('rows, columns, period, grouping and resource count describe the file', async () => {
    const summary = await summarizeFixture('org-daily-tags.csv');
    assert.equal(summary.rows, 9);
    assert.equal(summary.badRowCount, 0);
    assert.deepEqual(summary.badRows, []);
    assert.equal(summary.columns.length, 30);
    assert.equal(summary.columns.at(-1), 'tag:tier');
    assert.deepEqual(summary.period, { start: '2026-02-01T00:00:00.000Z', end: '2026-02-03T23:59:59.999Z' });
    assert.deepEqual(summary.grouping, { resource: 'organization', date: 'day' });
    assert.equal(summary.resourceCount, 3);
  });

  test('top lists: payloads and notebook minutes summed over days, devices at their highest day, computed independently', async () => {
    const rows = records('org-daily-tags.csv');
    const byResource = new Map<string, { name: string; payloads: number; devices: number; minutes: number }>();
    for (const row of rows) {
      const entry = byResource.get(row.resourceId!) ?? { name: row.resourceName!, payloads: 0, devices: 0, minutes: 0 };
      entry.payloads += Number(row.payloadBillableCount);
      entry.devices = Math.max(entry.devices, Number(row.deviceCount));
      entry.minutes += Number(row.notebookMinutesCount);
      byResource.set(row.resourceId!, entry);
    }
    const expectTop = (pick: (entry: { payloads: number; devices: number; minutes: number }) => number) => {
      const entries = [...byResource].map(([id, entry]) => ({ id, name: entry.name, value: pick(entry) })).filter((entry) => entry.value > 0);
      const sum = entries.reduce((total, entry) => total + entry.value, 0);
      return entries.sort((a, b) => b.value - a.value).map((entry) => ({ ...entry, value: round6(entry.value), share: round6(entry.value / sum) }));
    };

    const summary = await summarizeFixture('org-daily-tags.csv');
    assert.deepEqual(summary.top, [
      { column: 'payloadBillableCount', label: 'Billable payloads', entries: expectTop((entry) => entry.payloads) },
      { column: 'deviceCount', label: 'Devices', entries: expectTop((entry) => entry.devices) },
      { column: 'notebookMinutesCount', label: 'Notebook minutes', entries: expectTop((entry) => entry.minutes) },
    ]);
    // Anchors written by hand.
    assert.deepEqual(summary.top[0]!.entries[0], { id: '5f1a2b3c4d5e6f7a8b9c0d01', name: 'Acme Water', value: 750_000, share: round6(750_000 / 1_042_000) });
    assert.deepEqual(
      summary.top[1]!.entries.map((entry) => [entry.name, entry.value]),
      [
        ['Borealis Farms, Inc.', 310],
        ['Acme Water', 122],
        ['Cobalt Labs', 16],
      ],
    );
    assert.deepEqual(
      summary.top[2]!.entries.map((entry) => [entry.name, entry.value]),
      [
        ['Cobalt Labs', 95.8],
        ['Acme Water', 29.6],
        ['Borealis Farms, Inc.', 1.5],
      ],
    );
  });
});

describe('summarizeReportCsv: an application-grouped monthly report with sandbox rows', () => {
  test('is recognised as applications by month, with sandbox applications counted like any other', async () => {
    const summary = await summarizeFixture('app-monthly-sandbox.csv');
    assert.equal(summary.rows, 6);
    assert.deepEqual(summary.grouping, { resource: 'application', date: 'month' });
    assert.deepEqual(summary.period, { start: '2026-01-01T00:00:00.000Z', end: '2026-02-28T23:59:59.999Z' });
    assert.equal(summary.resourceCount, 3);
    assert.equal(summary.totals.payloadBillableCount, 7_100_000 + 2_650_000 + 1_200 + 6_900_000 + 2_800_000 + 900);
    assert.equal(summary.totals.notebookMinutesCount, 486.75);
    assert.equal(summary.totals.payloadNonbillableSizeMb, 11.52);
    assert.ok(!Object.hasOwn(summary.totals, 'sandbox'));
    assert.deepEqual(summary.levels, expectedLevels(records('app-monthly-sandbox.csv')));
    assert.deepEqual(summary.levels.deviceCount, { peak: 438, latest: 438, peakPeriod: '2026-02-01T00:00:00.000Z' });
    const devices = summary.top.find((list) => list.column === 'deviceCount');
    assert.deepEqual(
      devices?.entries.map((entry) => [entry.name, entry.value]),
      [
        ['Greenhouse Climate', 310],
        ['Pump Telemetry', 122],
        ["Jane's Sandbox", 6],
      ],
    );
  });
});

describe('summarizeReportCsv: a monthly report of one month', () => {
  test('has one period, so each level column’s peak and latest equal its total', async () => {
    const oneMonth = records('app-monthly-sandbox.csv').filter((row) => row.currentPeriodStart!.startsWith('2026-01'));
    const summary = await summarizeText(stringify(oneMonth, { header: true }));
    assert.equal(summary.rows, 3);
    assert.deepEqual(Object.keys(summary.levels), levelColumns(oneMonth));
    for (const column of levelColumns(oneMonth)) {
      assert.deepEqual(
        summary.levels[column],
        { peak: summary.totals[column], latest: summary.totals[column], peakPeriod: '2026-01-01T00:00:00.000Z' },
        column,
      );
    }
    assert.equal(summary.levels.deviceCount?.peak, 118 + 290 + 4);
  });
});

describe('summarizeReportCsv: other shapes of file', () => {
  test('an empty file summarizes to zero rows and nothing else, without an error', async () => {
    assert.deepEqual(await summarizeFixture('empty.csv'), {
      rows: 0,
      badRowCount: 0,
      badRows: [],
      columns: [],
      period: { start: null, end: null },
      grouping: { resource: 'unknown', date: 'unknown' },
      resourceCount: 0,
      resourcesCapped: 0,
      totals: {},
      levels: {},
      levelsUnavailable: null,
      top: [],
      periodSeries: null,
    });
  });

  test('a header-only file keeps its columns and has no totals or top lists', async () => {
    const summary = await summarizeFixture('header-only.csv');
    assert.equal(summary.rows, 0);
    assert.equal(summary.columns.length, 7);
    assert.deepEqual(summary.totals, {});
    assert.deepEqual(summary.levels, {});
    assert.deepEqual(summary.top, []);
  });

  test('BOM, CRLF and a quoted CRLF name do not disturb totals or names', async () => {
    const summary = await summarizeFixture('bom-crlf.csv');
    assert.equal(summary.rows, 3);
    assert.equal(summary.totals.payloadBillableCount, 345_000);
    assert.deepEqual(
      summary.top[0]?.entries.map((entry) => entry.name),
      ['Acme Water', 'Borealis\r\nFarms', 'Cobalt Labs'],
    );
  });

  test('bad rows are counted with line numbers and left out of totals', async () => {
    const summary = await summarizeFixture('ragged.csv');
    assert.equal(summary.rows, 3);
    assert.equal(summary.badRowCount, 3);
    assert.deepEqual(
      summary.badRows.map((bad) => bad.line),
      [3, 4, 9],
    );
    assert.equal(summary.totals.payloadBillableCount, 250_000 + 7_000 + 8_000);
  });

  test('only the first 100 bad rows are kept, all are counted', async () => {
    const csv = `a,b\n${'1\n'.repeat(150)}`;
    const summary = await summarizeText(csv);
    assert.equal(summary.badRowCount, 150);
    assert.equal(summary.badRows.length, 100);
    assert.deepEqual(summary.badRows[0], { line: 2, reason: 'expected 2 fields, found 1' });
    assert.equal(summary.badRows[99]?.line, 101);
  });

  test('a malicious header pollutes nothing and its columns are summarized as data', async () => {
    const summary = await summarizeFixture('malicious-header.csv');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(summary.totals, { deviceCount: 11, deviceCount_2: 15 });
    const numeric = await summarizeText('__proto__,constructor\n1,2\n3,4\n');
    assert.equal(Object.getPrototypeOf(numeric.totals), Object.prototype);
    assert.deepEqual(Object.entries(numeric.totals), [
      ['__proto__', 4],
      ['constructor', 6],
    ]);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('a limit violation rejects with the PermanentError', async () => {
    await assert.rejects(
      summarizeReportCsv(Readable.from(['a,b,c\n']), { maxColumns: 2, maxFieldBytes: 100 }),
      (error) => error instanceof PermanentError && error.code === 'csv_too_many_columns',
    );
  });

  test('100,000 rows over 500 resources summarize exactly, with memory bounded by resources', async () => {
    const total = 100_000;
    let expectedPayloads = 0;
    const devicesPerDay = new Array<number>(28).fill(0);
    const input = Readable.from(
      (function* () {
        let batch = 'resourceId,resourceName,currentPeriodStart,currentPeriodEnd,deviceCount,payloadBillableCount\n';
        for (let i = 0; i < total; i += 1) {
          expectedPayloads += i % 1000;
          devicesPerDay[i % 28]! += i % 50;
          const day = String((i % 28) + 1).padStart(2, '0');
          batch += `r${i % 500},Resource ${i % 500},2026-02-${day},2026-02-${day}T23:59:59.999Z,${i % 50},${i % 1000}\n`;
          if (batch.length >= 64 * 1024) {
            yield batch;
            batch = '';
          }
        }
        yield batch;
      })(),
    );
    const before = retainedHeap();
    const summary = await summarizeReportCsv(input, LIMITS);
    const growth = retainedHeap() - before;
    assert.equal(summary.rows, total);
    assert.equal(summary.resourceCount, 500);
    assert.equal(summary.totals.payloadBillableCount, expectedPayloads);
    const peak = Math.max(...devicesPerDay);
    assert.deepEqual(summary.levels.deviceCount, {
      peak,
      latest: devicesPerDay[27],
      peakPeriod: `2026-02-${String(devicesPerDay.indexOf(peak) + 1).padStart(2, '0')}T00:00:00.000Z`,
    });
    assert.deepEqual(summary.grouping.date, 'day');
    // The summary of 500 resources is small; 100,000 kept rows would retain tens of megabytes.
    assert.ok(growth < 8 * 1024 * 1024, `retained heap grew by ${(growth / 1024 / 1024).toFixed(1)} MB`);
  });
});
