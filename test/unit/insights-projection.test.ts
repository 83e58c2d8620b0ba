import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { monthCoverage, projectionFor } from '../../src/insights/projection.js';

describe('month-end projection', () => {
  test('ten days of a 30-day month project linearly to the whole month', () => {
    const coverage = monthCoverage('2026-11-01T00:00:00.000Z', '2026-11-10T23:59:59.999Z');
    assert.deepEqual(coverage, { month: { start: '2026-11-01T00:00:00.000Z', end: '2026-11-30T23:59:59.999Z' }, daysCovered: 10, daysInMonth: 30 });
    const projection = projectionFor({
      id: 'a',
      name: 'A',
      metric: 'payloads',
      usedSoFar: 400,
      coverage: coverage ?? assert.fail('no coverage'),
      limit: 1000,
      warningPercent: 80,
    });
    assert.deepEqual([projection.projected, projection.projectedPercent, projection.level], [1200, 120, 'over']);
  });

  test('February of a leap year has 29 days; a range across months has no projection', () => {
    assert.equal(monthCoverage('2028-02-01T00:00:00.000Z', '2028-02-07T23:59:59.999Z')?.daysInMonth, 29);
    assert.equal(monthCoverage('2026-10-30T00:00:00.000Z', '2026-11-02T23:59:59.999Z'), null);
  });

  test('without a limit the projection is made and its level is unknown', () => {
    const coverage = monthCoverage('2026-11-01T00:00:00.000Z', '2026-11-15T23:59:59.999Z')!;
    const projection = projectionFor({ id: 'a', name: 'A', metric: 'notebookMinutes', usedSoFar: 15, coverage, limit: null, warningPercent: 80 });
    assert.deepEqual([projection.projected, projection.projectedPercent, projection.level], [30, null, 'unknown']);
  });
});
