import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildInsightsView } from '../../src/delivery/insights-view.js';
import { addMonths, comparedMonths, monthOverMonth, percentChange, topMovers } from '../../src/insights/movers.js';
import type { ReportInsights } from '../../src/insights/types.js';
import type { MonthPoint, OrganizationTrend } from '../../src/usage/organization-months.js';

const NOW = new Date('2026-12-04T12:00:00.000Z');

function point(month: string, billablePayloads: number | null, extra: Partial<MonthPoint> = {}): MonthPoint {
  return {
    month,
    billablePayloads,
    devices: 10,
    notebookMinutes: 5,
    source: 'historicalSummaries',
    report: null,
    daysCovered: 30,
    daysInMonth: 30,
    partial: false,
    ...extra,
  };
}

const trend = (id: string, october: number | null, november: number | null, extra: Partial<MonthPoint> = {}): OrganizationTrend => ({
  id,
  name: `Org ${id}`,
  points: [point('2026-10', october), point('2026-11', november, extra)],
});

describe('month over month', () => {
  test('the latest complete month is the one before the current month, across a year end too', () => {
    assert.deepEqual(comparedMonths(NOW), { latestMonth: '2026-11', previousMonth: '2026-10' });
    assert.deepEqual(comparedMonths(new Date('2027-01-15T00:00:00.000Z')), { latestMonth: '2026-12', previousMonth: '2026-11' });
    assert.equal(addMonths('2026-01', -1), '2025-12');
    assert.equal(addMonths('2026-12', 13), '2028-01');
  });

  test('each metric changes by its absolute and percent difference; percent is null when the earlier month is 0', () => {
    const points = [point('2026-10', 200, { devices: 0, notebookMinutes: 40 }), point('2026-11', 250, { devices: 7, notebookMinutes: 30 })];
    assert.deepEqual(monthOverMonth(points, '2026-11'), [
      { metric: 'payloads', previousMonth: '2026-10', latestMonth: '2026-11', previous: 200, latest: 250, change: 50, percent: 25 },
      { metric: 'devices', previousMonth: '2026-10', latestMonth: '2026-11', previous: 0, latest: 7, change: 7, percent: null },
      { metric: 'notebookMinutes', previousMonth: '2026-10', latestMonth: '2026-11', previous: 40, latest: 30, change: -10, percent: -25 },
    ]);
    assert.equal(percentChange(3, 4), 33.3);
  });

  test('a partial month, a missing month or a missing figure is never compared', () => {
    assert.deepEqual(monthOverMonth([point('2026-10', 100), point('2026-11', 10, { partial: true, daysCovered: 3 })], '2026-11'), []);
    assert.deepEqual(monthOverMonth([point('2026-09', 100), point('2026-11', 10)], '2026-11'), []);
    const changes = monthOverMonth([point('2026-10', null), point('2026-11', 10)], '2026-11');
    assert.deepEqual(
      changes.map((change) => change.metric),
      ['devices', 'notebookMinutes'],
    );
  });
});

describe('top movers', () => {
  const trends = [
    trend('a', 100, 400),
    trend('b', 100, 150),
    trend('c', 1000, 100),
    trend('d', 500, 450),
    trend('e', 0, 70),
    trend('f', 100, 100),
    trend('g', 100, 900, { partial: true, daysCovered: 10 }),
    { id: 'h', name: 'Org h', points: [point('2026-11', 5000)] },
  ];

  test('up and down by the absolute change of billable payloads, largest first, with both months and the percent', () => {
    const movers = topMovers(trends, { now: NOW });
    assert.equal(movers.metric, 'payloads');
    assert.deepEqual([movers.previousMonth, movers.latestMonth, movers.compared], ['2026-10', '2026-11', 6]);
    assert.deepEqual(
      movers.up.map((mover) => [mover.id, mover.previous, mover.latest, mover.change, mover.percent]),
      [
        ['a', 100, 400, 300, 300],
        ['e', 0, 70, 70, null],
        ['b', 100, 150, 50, 50],
      ],
    );
    assert.deepEqual(
      movers.down.map((mover) => [mover.id, mover.change, mover.percent]),
      [
        ['c', -900, -90],
        ['d', -50, -10],
      ],
    );
  });

  test('at most the limit each way (5 by default), ties in id order', () => {
    const many = Array.from({ length: 8 }, (_, index) => trend(`o${index}`, 100, 200));
    assert.deepEqual(
      topMovers(many, { now: NOW }).up.map((mover) => mover.id),
      ['o0', 'o1', 'o2', 'o3', 'o4'],
    );
    assert.equal(topMovers(many, { now: NOW, limit: 2 }).up.length, 2);
    assert.deepEqual(
      topMovers(trends, { now: NOW, metric: 'devices' }).up.map((mover) => mover.id),
      [],
    );
  });

  test('no history: nothing compared', () => {
    assert.deepEqual(topMovers([], { now: NOW }), { metric: 'payloads', latestMonth: '2026-11', previousMonth: '2026-10', compared: 0, up: [], down: [] });
  });
});

describe('the movers in the email', () => {
  const insights = (movers: ReportInsights['movers']): ReportInsights => ({
    computedAt: NOW.toISOString(),
    warningPercent: 80,
    limits: [],
    projections: [],
    reconciliation: null,
    unavailable: [],
    losantCalls: { count: 0, elapsedMs: 0 },
    movers,
  });

  test('one row per mover with both months and the change; one line without history; nothing for older summaries', () => {
    const view = buildInsightsView(insights(topMovers([trend('a', 1000, 1500), trend('c', 1000, 100)], { now: NOW })));
    const table = view.tables.find((entry) => entry.title === 'Movers');
    assert.ok(table);
    assert.deepEqual(table.headers, ['Organization', 'Direction', '2026-10', '2026-11', 'Change', 'Percent']);
    assert.deepEqual(
      table.rows.map((row) => row.cells),
      [
        ['Org a', 'up', '1,000', '1,500', '+500', '+50.0%'],
        ['Org c', 'down', '1,000', '100', '-900', '-90.0%'],
      ],
    );

    const empty = buildInsightsView(insights(topMovers([], { now: NOW }))).tables.find((entry) => entry.title === 'Movers');
    assert.equal(empty?.rows.length, 0);
    assert.equal(empty?.notes.length, 1);
    assert.match(empty?.notes[0] ?? '', /^No month-over-month history yet/u);

    const older = insights(undefined);
    delete older.movers;
    assert.equal(
      buildInsightsView(older).tables.find((entry) => entry.title === 'Movers'),
      undefined,
    );
  });
});
