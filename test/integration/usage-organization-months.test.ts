import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { redisKeys } from '../../src/redis-keys.js';
import type { ResourceFigures, ReportSummary } from '../../src/summary/types.js';
import { createOrganizationMonths, MAX_MONTHS_PER_ORGANIZATION } from '../../src/usage/organization-months.js';
import { captureLogger } from '../helpers/logger.js';
import { deleteKeys, testRedis, uniquePrefix } from '../helpers/redis.js';
import { summaryOf } from '../helpers/summaries.js';

const prefix = uniquePrefix('usage-org-months');
let redis: Redis;
let log = captureLogger();
const months = () => createOrganizationMonths(redis, { prefix, logger: log.logger, now: () => new Date('2026-12-04T12:00:00.000Z') });

/** A report grouped by organization over [start, end] (dates), with each organization's payloads, devices and minutes. */
function organizationReport(start: string, end: string, date: 'day' | 'month' = 'day'): ReportSummary {
  return summaryOf({ period: { start: `${start}T00:00:00.000Z`, end: `${end}T23:59:59.999Z` }, grouping: { resource: 'organization', date } });
}

function figures(entries: Array<[id: string, payloads: number, devices: number, minutes: number]>): ResourceFigures {
  const columns = ['payloadBillableCount', 'deviceCount', 'notebookMinutesCount'];
  return {
    columns,
    resources: entries.map(([id, payloads, devices, minutes]) => ({
      id,
      name: `Org ${id}`,
      figures: { payloadBillableCount: payloads, deviceCount: devices, notebookMinutesCount: minutes },
      tags: {},
    })),
    leftOut: 0,
  };
}

const summaries = (entries: Array<[id: string, payloads: number]>) =>
  entries.map(([id, payloads]) => ({ id, name: `Org ${id}`, billablePayloads: payloads, devices: 3, notebookMinutes: 1 }));

describe("organizations' months", () => {
  before(() => {
    redis = testRedis();
  });
  beforeEach(async () => {
    await deleteKeys(redis, prefix);
    log = captureLogger();
  });
  after(async () => {
    await deleteKeys(redis, prefix);
    await redis.quit();
  });

  test('a report of part of a month writes a partial point with its days; a whole month is not partial', async () => {
    const created = '2026-11-11T08:00:00.000Z';
    assert.equal(
      await months().recordReport({ id: 'r1', createdAt: created }, organizationReport('2026-11-01', '2026-11-10'), figures([['o1', 500, 7, 12]])),
      1,
    );
    assert.deepEqual((await months().organizationTrend('o1'))?.points, [
      {
        month: '2026-11',
        billablePayloads: 500,
        devices: 7,
        notebookMinutes: 12,
        source: 'report',
        report: { id: 'r1', createdAt: created, createdMs: Date.parse(created) },
        daysCovered: 10,
        daysInMonth: 30,
        partial: true,
      },
    ]);
    await months().recordReport(
      { id: 'r2', createdAt: '2026-11-02T00:00:00.000Z' },
      organizationReport('2026-10-01', '2026-10-31', 'month'),
      figures([['o1', 900, 8, 20]]),
    );
    const october = (await months().organizationTrend('o1'))?.points[0];
    assert.deepEqual([october?.month, october?.daysCovered, october?.daysInMonth, october?.partial], ['2026-10', 31, 31, false]);
  });

  test("a month not over when the report was made counts the days up to the report's creation", async () => {
    await months().recordReport(
      { id: 'r1', createdAt: '2026-12-04T09:00:00.000Z' },
      organizationReport('2026-12-01', '2026-12-31', 'month'),
      figures([['o1', 5, 1, 1]]),
    );
    const point = (await months().organizationTrend('o1'))?.points[0];
    assert.deepEqual([point?.month, point?.daysCovered, point?.partial], ['2026-12', 4, true]);
  });

  test('a report over several months, or not grouped by organization, writes nothing', async () => {
    assert.equal(
      await months().recordReport({ id: 'r1', createdAt: '2026-12-01T00:00:00Z' }, organizationReport('2026-10-20', '2026-11-10'), figures([['o1', 1, 1, 1]])),
      0,
    );
    const byApplication = summaryOf({ ...organizationReport('2026-11-01', '2026-11-10'), grouping: { resource: 'application', date: 'day' } });
    assert.equal(await months().recordReport({ id: 'r2', createdAt: '2026-12-01T00:00:00Z' }, byApplication, figures([['a1', 1, 1, 1]])), 0);
    assert.deepEqual(await months().allTrends(), []);
  });

  test('precedence: a later report replaces an earlier one, historicalSummaries replaces reports and no report replaces it', async () => {
    const write = (id: string, createdAt: string, payloads: number) =>
      months().recordReport({ id, createdAt }, organizationReport('2026-11-01', '2026-11-10'), figures([['o1', payloads, 1, 1]]));
    await write('late', '2026-11-20T00:00:00Z', 200);
    await write('early', '2026-11-12T00:00:00Z', 100);
    assert.equal((await months().organizationTrend('o1'))?.points[0]?.billablePayloads, 200, 'an earlier report leaves a later one alone');
    await write('later', '2026-11-25T00:00:00Z', 300);
    assert.equal((await months().organizationTrend('o1'))?.points[0]?.billablePayloads, 300);

    await months().recordSummaries('2026-11', summaries([['o1', 9000]]));
    await write('latest', '2026-12-01T00:00:00Z', 400);
    const point = (await months().organizationTrend('o1'))?.points[0];
    assert.deepEqual(
      [point?.billablePayloads, point?.source, point?.report, point?.partial, point?.daysCovered],
      [9000, 'historicalSummaries', null, false, 30],
    );
    await months().recordSummaries('2026-11', summaries([['o1', 9100]]));
    assert.equal((await months().organizationTrend('o1'))?.points[0]?.billablePayloads, 9100, "Losant's later summary is the figure");
  });

  test('at most 24 months per organization: the oldest go first', async () => {
    const all = Array.from({ length: MAX_MONTHS_PER_ORGANIZATION + 3 }, (_, index) => {
      const date = new Date(Date.UTC(2024, index, 1));
      return date.toISOString().slice(0, 7);
    });
    for (const month of all) await months().recordSummaries(month, summaries([['o1', 1]]));
    const kept = (await months().organizationTrend('o1'))?.points.map((point) => point.month);
    assert.deepEqual(kept, all.slice(3));
    // An older month written now is beyond the bound: it goes at once.
    await months().recordSummaries('2023-01', summaries([['o1', 1]]));
    assert.deepEqual(
      (await months().organizationTrend('o1'))?.points.map((point) => point.month),
      all.slice(3),
    );
  });

  test('every organization, or only the months asked for', async () => {
    await months().recordSummaries('2026-09', summaries([['o2', 1]]));
    await months().recordSummaries(
      '2026-10',
      summaries([
        ['o1', 2],
        ['o2', 3],
      ]),
    );
    await months().recordSummaries('2026-11', summaries([['o1', 4]]));
    const all = await months().allTrends();
    assert.deepEqual(
      all.map((trend) => [trend.id, trend.name, trend.points.map((point) => point.month)]),
      [
        ['o1', 'Org o1', ['2026-10', '2026-11']],
        ['o2', 'Org o2', ['2026-09', '2026-10']],
      ],
    );
    const two = await months().allTrends({ months: ['2026-10', '2026-11'] });
    assert.deepEqual(
      two.map((trend) => [trend.id, trend.points.map((point) => `${point.month}:${String(point.billablePayloads)}`)]),
      [
        ['o1', ['2026-10:2', '2026-11:4']],
        ['o2', ['2026-10:3']],
      ],
    );
  });

  test('an entry that is not what this version writes is skipped and logged', async () => {
    await months().recordSummaries('2026-10', summaries([['o1', 1]]));
    await redis.hset(redisKeys(prefix).usage.organizationMonths('o1'), '2026-09', '{"month":"2026-09","billablePayloads":"many"}');
    assert.deepEqual(
      (await months().organizationTrend('o1'))?.points.map((point) => point.month),
      ['2026-10'],
    );
    assert.match(log.text(), /not what this version writes/u);
    const october = await redis.hget(redisKeys(prefix).usage.organizationMonths('o1'), '2026-10');
    await redis.hset(redisKeys(prefix).usage.organizationMonths('o1'), '2026-08', october ?? '');
    assert.deepEqual(
      (await months().organizationTrend('o1'))?.points.map((point) => point.month),
      ['2026-10'],
      'a point filed under another month is skipped',
    );
    await redis.hset(redisKeys(prefix).usage.organizationMonths('o1'), '2026-11', 'not json');
    await months().recordReport({ id: 'r1', createdAt: '2026-11-11T00:00:00Z' }, organizationReport('2026-11-01', '2026-11-10'), figures([['o1', 5, 1, 1]]));
    assert.equal(
      (await months().organizationTrend('o1'))?.points.find((point) => point.month === '2026-11')?.billablePayloads,
      5,
      'a report replaces what is not JSON',
    );
    assert.equal(await months().organizationTrend('nobody'), null);
  });
});
