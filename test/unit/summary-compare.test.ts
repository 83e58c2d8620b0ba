import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compareSummaries } from '../../src/summary/compare.js';
import type { ReportSummary } from '../../src/summary/types.js';

function summary(totals: Record<string, number>, period = { start: '2026-02-01T00:00:00.000Z', end: '2026-02-28T23:59:59.999Z' }): ReportSummary {
  return {
    rows: 1,
    badRowCount: 0,
    badRows: [],
    columns: Object.keys(totals),
    period,
    grouping: { resource: 'organization', date: 'day' },
    resourceCount: 1,
    totals,
    top: [],
  };
}

describe('compareSummaries', () => {
  test('names the previous report and its period', () => {
    const comparison = compareSummaries({ reportId: 'rep_1', summary: summary({}) }, summary({}));
    assert.equal(comparison.previousReportId, 'rep_1');
    assert.deepEqual(comparison.previousPeriod, { start: '2026-02-01T00:00:00.000Z', end: '2026-02-28T23:59:59.999Z' });
    assert.deepEqual(comparison.totals, {});
  });

  test('each total present in both reports gets previous, current, delta and ratio', () => {
    const comparison = compareSummaries(
      { reportId: 'rep_1', summary: summary({ payloadBillableCount: 1000, deviceCount: 50 }) },
      summary({ payloadBillableCount: 1500, deviceCount: 40 }),
    );
    assert.deepEqual(comparison.totals, {
      payloadBillableCount: { previous: 1000, current: 1500, delta: 500, ratio: 0.5 },
      deviceCount: { previous: 50, current: 40, delta: -10, ratio: -0.2 },
    });
  });

  test('columns present in only one report are left out', () => {
    const comparison = compareSummaries(
      { reportId: 'rep_1', summary: summary({ gone: 1, both: 2 }) },
      summary({ both: 3, added: 4 }),
    );
    assert.deepEqual(Object.keys(comparison.totals), ['both']);
  });

  test('the ratio is null when the previous total was 0', () => {
    const comparison = compareSummaries({ reportId: 'r', summary: summary({ notebookMinutesCount: 0 }) }, summary({ notebookMinutesCount: 12 }));
    assert.deepEqual(comparison.totals.notebookMinutesCount, { previous: 0, current: 12, delta: 12, ratio: null });
  });

  test('deltas carry no float noise: 0.3 - 0.1 is 0.2', () => {
    const comparison = compareSummaries({ reportId: 'r', summary: summary({ sizeMb: 0.1 }) }, summary({ sizeMb: 0.3 }));
    assert.deepEqual(comparison.totals.sizeMb, { previous: 0.1, current: 0.3, delta: 0.2, ratio: 2 });
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
