import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { redisKeys } from '../../src/redis-keys.js';
import type { ReportSummary } from '../../src/summary/types.js';
import { createInstanceTotals } from '../../src/usage/instance-totals.js';
import { captureLogger } from '../helpers/logger.js';
import { deleteKeys, testRedis, uniquePrefix } from '../helpers/redis.js';
import { summaryOf } from '../helpers/summaries.js';

const prefix = uniquePrefix('usage-instance');
let redis: Redis;
let log = captureLogger();
const totals = () => createInstanceTotals(redis, { prefix, logger: log.logger });

/** A summary whose series has the given days (or months) with payloads, devices and notebook minutes. */
function seriesSummary(date: 'day' | 'month', points: Array<[start: string, payloads: number, devices: number | null, minutes: number]>): ReportSummary {
  return summaryOf({
    grouping: { resource: 'organization', date },
    periodSeries: {
      starts: points.map(([start]) => `${start}T00:00:00.000Z`),
      columns: {
        payloadBillableCount: points.map(([, payloads]) => payloads),
        deviceCount: points.map(([, , devices]) => devices),
        notebookMinutesCount: points.map(([, , , minutes]) => minutes),
      },
      capped: false,
    },
  });
}

const report = (id: string, createdAt: string) => ({ id, createdAt });

describe('instance totals month by month', () => {
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

  test('days make their month: payloads and minutes add up, devices give the peak day and the last day', async () => {
    await totals().recordDelivered(
      report('r1', '2026-02-02T00:00:00Z'),
      seriesSummary('day', [
        ['2026-01-30', 10, 5, 1],
        ['2026-01-31', 20, 7, 2],
        ['2026-02-01', 30, 6, 3],
      ]),
    );
    assert.deepEqual(await totals().monthlyTotals(), [
      { month: '2026-01', billablePayloads: 30, devices: { peak: 7, latest: 7 }, notebookMinutes: 3, from: 'days', days: 2, reportIds: ['r1'] },
      { month: '2026-02', billablePayloads: 30, devices: { peak: 6, latest: 6 }, notebookMinutes: 3, from: 'days', days: 1, reportIds: ['r1'] },
    ]);
  });

  test('a later report covering the same days replaces their figures instead of adding to them; an earlier one does not', async () => {
    await totals().recordDelivered(report('r1', '2026-02-01T00:00:00Z'), seriesSummary('day', [['2026-01-10', 10, 5, 1]]));
    await totals().recordDelivered(
      report('r2', '2026-02-05T00:00:00Z'),
      seriesSummary('day', [
        ['2026-01-10', 12, 4, 2],
        ['2026-01-11', 1, 9, 0],
      ]),
    );
    await totals().recordDelivered(report('r0', '2026-01-20T00:00:00Z'), seriesSummary('day', [['2026-01-11', 1000, 1000, 1000]]));
    const [january] = await totals().monthlyTotals();
    assert.deepEqual(january, {
      month: '2026-01',
      billablePayloads: 13,
      devices: { peak: 9, latest: 9 },
      notebookMinutes: 2,
      from: 'days',
      days: 2,
      reportIds: ['r2'],
    });
  });

  test("a month report created after the month's daily reports speaks for the month; one created before leaves the days", async () => {
    await totals().recordDelivered(report('days', '2026-02-02T00:00:00Z'), seriesSummary('day', [['2026-01-10', 10, 5, 1]]));
    await totals().recordDelivered(report('month-old', '2026-02-01T00:00:00Z'), seriesSummary('month', [['2026-01-01', 500, 50, 5]]));
    assert.equal((await totals().monthlyTotals())[0]?.from, 'days');
    await totals().recordDelivered(report('month-new', '2026-02-03T00:00:00Z'), seriesSummary('month', [['2026-01-01', 600, 60, 6]]));
    assert.deepEqual(await totals().monthlyTotals({ from: '2026-01', to: '2026-01' }), [
      { month: '2026-01', billablePayloads: 600, devices: { peak: 60, latest: 60 }, notebookMinutes: 6, from: 'month', days: 0, reportIds: ['month-new'] },
    ]);
    assert.deepEqual(await totals().monthlyTotals({ from: '2026-02' }), []);
  });

  test('a period without a device figure reads null; an entry that is not what this version writes is skipped and logged', async () => {
    await totals().recordDelivered(report('r1', '2026-02-02T00:00:00Z'), seriesSummary('day', [['2026-03-01', 1, null, 0]]));
    await redis.hset(redisKeys(prefix).usage.instancePeriods('day'), '2026-04-01T00:00:00.000Z', '{"reportId":7}');
    assert.deepEqual(await totals().monthlyTotals(), [
      { month: '2026-03', billablePayloads: 1, devices: null, notebookMinutes: 0, from: 'days', days: 1, reportIds: ['r1'] },
    ]);
    assert.match(log.text(), /skipped an instance usage entry/u);
  });

  test('an entry that is not JSON is replaced by the next report covering its period instead of failing the write', async () => {
    await redis.hset(redisKeys(prefix).usage.instancePeriods('day'), '2026-05-01T00:00:00.000Z', 'not json');
    await totals().recordDelivered(report('r1', '2026-05-02T00:00:00Z'), seriesSummary('day', [['2026-05-01', 4, 2, 1]]));
    assert.deepEqual(await totals().monthlyTotals(), [
      { month: '2026-05', billablePayloads: 4, devices: { peak: 2, latest: 2 }, notebookMinutes: 1, from: 'days', days: 1, reportIds: ['r1'] },
    ]);
  });

  test('a summary without a series, or with periods that are neither days nor months, writes nothing', async () => {
    assert.equal(await totals().recordDelivered(report('r1', '2026-02-02T00:00:00Z'), summaryOf()), 0);
    const unknown = { ...seriesSummary('day', [['2026-03-01', 1, 1, 1]]), grouping: { resource: 'organization' as const, date: 'unknown' as const } };
    assert.equal(await totals().recordDelivered(report('r2', '2026-02-02T00:00:00Z'), unknown), 0);
    assert.deepEqual(await totals().monthlyTotals(), []);
  });
});
