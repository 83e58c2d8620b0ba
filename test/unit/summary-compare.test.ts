import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compareSummaries } from '../../src/summary/compare.js';
import type { LevelFigures, ReportSummary } from '../../src/summary/types.js';

function summary(
  totals: Record<string, number>,
  period = { start: '2026-02-01T00:00:00.000Z', end: '2026-02-28T23:59:59.999Z' },
  levels: Record<string, LevelFigures> = {},
): ReportSummary {
  return {
    rows: 1,
    badRowCount: 0,
    badRows: [],
    columns: Object.keys(totals),
    period,
    grouping: { resource: 'organization', date: 'day' },
    resourceCount: 1,
    resourcesCapped: 0,
    totals,
    levels,
    levelsUnavailable: null,
    top: [],
    periodSeries: null,
  };
}

describe('compareSummaries', () => {
  test('names the previous report and its period', () => {
    const comparison = compareSummaries({ reportId: 'rep_1', summary: summary({}) }, summary({}));
    assert.equal(comparison.previousReportId, 'rep_1');
    assert.deepEqual(comparison.previousPeriod, { start: '2026-02-01T00:00:00.000Z', end: '2026-02-28T23:59:59.999Z' });
    assert.deepEqual(comparison.totals, {});
  });

  test('each flow total present in both reports gets previous, current, delta and ratio', () => {
    const comparison = compareSummaries(
      { reportId: 'rep_1', summary: summary({ payloadBillableCount: 1000, notebookMinutesCount: 50 }) },
      summary({ payloadBillableCount: 1500, notebookMinutesCount: 40 }),
    );
    assert.deepEqual(comparison.totals, {
      payloadBillableCount: { previous: 1000, current: 1500, delta: 500, ratio: 0.5 },
      notebookMinutesCount: { previous: 50, current: 40, delta: -10, ratio: -0.2 },
    });
  });

  test('level columns compare their latest figures, never their resource-day sums or peaks', () => {
    const february = { start: '2026-02-01T00:00:00.000Z', end: '2026-02-28T23:59:59.999Z' };
    const march = { start: '2026-03-01T00:00:00.000Z', end: '2026-03-31T23:59:59.999Z' };
    const comparison = compareSummaries(
      {
        reportId: 'rep_1',
        summary: summary({ deviceCount: 2_800, payloadBillableCount: 10 }, february, {
          deviceCount: { peak: 110, latest: 100, peakPeriod: '2026-02-10T00:00:00.000Z' },
        }),
      },
      summary({ deviceCount: 3_700, payloadBillableCount: 12 }, march, { deviceCount: { peak: 130, latest: 125, peakPeriod: '2026-03-30T00:00:00.000Z' } }),
    );
    assert.deepEqual(comparison.totals, {
      deviceCount: { previous: 100, current: 125, delta: 25, ratio: 0.25 },
      payloadBillableCount: { previous: 10, current: 12, delta: 2, ratio: 0.2 },
    });
  });

  test('a level column is left out when either summary lacks its levels (one stored before levels existed)', () => {
    const current = summary({ deviceCount: 3_700 }, undefined, { deviceCount: { peak: 130, latest: 125, peakPeriod: null } });
    const stored = JSON.parse(JSON.stringify(summary({ deviceCount: 2_800 }))) as Record<string, unknown>;
    delete stored.levels;
    delete stored.levelsUnavailable;
    assert.deepEqual(compareSummaries({ reportId: 'old', summary: stored as unknown as ReportSummary }, current).totals, {});
    assert.deepEqual(compareSummaries({ reportId: 'r', summary: current }, summary({ deviceCount: 3_800 })).totals, {});
  });

  test('columns present in only one report are left out', () => {
    const comparison = compareSummaries({ reportId: 'rep_1', summary: summary({ gone: 1, both: 2 }) }, summary({ both: 3, added: 4 }));
    assert.deepEqual(Object.keys(comparison.totals), ['both']);
  });

  test('the ratio is null when the previous total was 0', () => {
    const comparison = compareSummaries({ reportId: 'r', summary: summary({ notebookMinutesCount: 0 }) }, summary({ notebookMinutesCount: 12 }));
    assert.deepEqual(comparison.totals.notebookMinutesCount, { previous: 0, current: 12, delta: 12, ratio: null });
  });

  test('deltas carry no float noise: 0.3 - 0.1 is 0.2', () => {
    const comparison = compareSummaries({ reportId: 'r', summary: summary({ payloadBillableSizeMb: 0.1 }) }, summary({ payloadBillableSizeMb: 0.3 }));
    assert.deepEqual(comparison.totals.payloadBillableSizeMb, { previous: 0.1, current: 0.3, delta: 0.2, ratio: 2 });
  });

  test('a summary read back from JSON with __proto__ and constructor totals compares them as ordinary columns', () => {
    const stored = JSON.parse(JSON.stringify(summary({}))) as ReportSummary;
    stored.totals = JSON.parse('{"__proto__": 10, "constructor": 4}') as Record<string, number>;
    const current = summary({});
    current.totals = JSON.parse('{"__proto__": 15, "constructor": 2, "toString": 1}') as Record<string, number>;
    const comparison = compareSummaries({ reportId: 'r', summary: stored }, current);
    assert.deepEqual(Object.keys(comparison.totals), ['__proto__', 'constructor']);
    assert.deepEqual(Object.getOwnPropertyDescriptor(comparison.totals, '__proto__')?.value, { previous: 10, current: 15, delta: 5, ratio: 0.5 });
    assert.equal(Object.getPrototypeOf(comparison.totals), Object.prototype);
    assert.equal(({} as Record<string, unknown>).previous, undefined);
  });
});
