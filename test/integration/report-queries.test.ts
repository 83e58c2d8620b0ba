import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { redisKeys } from '../../src/redis-keys.js';
import type { ReportRecord } from '../../src/reports/record.js';
import { generateId } from '../../src/reports/secrets.js';
import { createReportStore, type NewReport } from '../../src/reports/store.js';
import { deleteKeys, testRedis, uniquePrefix } from '../helpers/redis.js';
import { summaryOf } from '../helpers/summaries.js';

const prefix = uniquePrefix('queries');
let redis: Redis;
let clock = new Date('2026-03-01T00:00:00Z');
const store = () => createReportStore(redis, { prefix, retentionDays: 30, now: () => clock });

interface Made {
  id: string;
  source: ReportRecord['source'];
  seriesKey: string;
  createdMs: number;
  failed: boolean;
}

function newReport(source: ReportRecord['source'], seriesKey: string): NewReport {
  return {
    id: generateId('r'),
    source,
    scheduleId: source === 'schedule' ? 'sched-1' : null,
    request: {},
    delivery: { email: false, archive: true, recipients: [] },
    seriesKey,
    secretHash: null,
    status: 'requested',
    overdueAt: null,
    note: 'created in a test',
  };
}

/** 30 reports a minute apart over 3 series and both sources; every third one failed. */
async function seed(): Promise<Made[]> {
  const made: Made[] = [];
  for (let i = 0; i < 30; i += 1) {
    clock = new Date(Date.parse('2026-03-01T00:00:00Z') + i * 60_000);
    const source = i % 2 === 0 ? 'api' : 'schedule';
    const seriesKey = `series-${i % 3}`;
    const { id } = await store().create(newReport(source, seriesKey));
    const failed = i % 3 === 0;
    if (failed)
      await store().markRequestFailed(id, { step: 'request', code: 'refused', message: 'refused', permanent: true, at: clock.toISOString() }, 'refused');
    made.push({ id, source, seriesKey, createdMs: clock.getTime(), failed });
  }
  return made;
}

/** The same filter computed over every record, independently of the indexes. */
function expected(made: Made[], keep: (report: Made) => boolean): string[] {
  return made
    .filter(keep)
    .sort((a, b) => b.createdMs - a.createdMs)
    .map((report) => report.id);
}

describe('report queries', () => {
  before(() => {
    redis = testRedis();
  });
  beforeEach(async () => {
    await deleteKeys(redis, prefix);
  });
  after(async () => {
    await deleteKeys(redis, prefix);
    await redis.quit();
  });

  test('each filter alone and every combination give the matching reports, newest first, with their total', async () => {
    const made = await seed();
    const from = new Date(made[5]!.createdMs);
    const to = new Date(made[20]!.createdMs);
    const cases: Array<[Parameters<ReturnType<typeof store>['query']>[0], (report: Made) => boolean]> = [
      [{ offset: 0, limit: 100 }, () => true],
      [{ status: 'failed', offset: 0, limit: 100 }, (r) => r.failed],
      [{ source: 'schedule', offset: 0, limit: 100 }, (r) => r.source === 'schedule'],
      [{ seriesKey: 'series-1', offset: 0, limit: 100 }, (r) => r.seriesKey === 'series-1'],
      [{ createdFrom: from, createdTo: to, offset: 0, limit: 100 }, (r) => r.createdMs >= from.getTime() && r.createdMs < to.getTime()],
      [{ status: 'requested', source: 'api', offset: 0, limit: 100 }, (r) => !r.failed && r.source === 'api'],
      [
        { status: 'failed', seriesKey: 'series-0', createdFrom: from, offset: 0, limit: 100 },
        (r) => r.failed && r.seriesKey === 'series-0' && r.createdMs >= from.getTime(),
      ],
      [
        { status: 'requested', source: 'schedule', seriesKey: 'series-2', createdTo: to, offset: 0, limit: 100 },
        (r) => !r.failed && r.source === 'schedule' && r.seriesKey === 'series-2' && r.createdMs < to.getTime(),
      ],
      [{ seriesKey: 'no-such-series', status: 'failed', offset: 0, limit: 100 }, () => false],
    ];
    for (const [query, keep] of cases) {
      const page = await store().query(query);
      const ids = expected(made, keep);
      assert.deepEqual(
        page.items.map((item) => item.id),
        ids,
        JSON.stringify(query),
      );
      assert.equal(page.total, ids.length, JSON.stringify(query));
    }
  });

  test('pages of a combined filter follow each other without gaps or repeats, and leave no scratch key behind', async () => {
    const made = await seed();
    const keep = (r: Made) => !r.failed && r.source === 'api';
    const pages: string[] = [];
    for (let offset = 0; offset < 20; offset += 3) {
      const page = await store().query({ status: 'requested', source: 'api', offset, limit: 3 });
      assert.equal(page.total, expected(made, keep).length);
      pages.push(...page.items.map((item) => item.id));
    }
    assert.deepEqual(pages, expected(made, keep));
    assert.deepEqual(await redis.keys(`${prefix}:reports:query:*`), []);
  });

  test('the latest report of each series is kept as reports are created, with the latest delivered summary', async () => {
    const made = await seed();
    const series = await store().listSeries();
    assert.deepEqual(
      series.map((entry) => [entry.seriesKey, entry.reportCount, entry.latestReportId]),
      ['series-0', 'series-1', 'series-2'].map((key) => [key, 10, expected(made, (r) => r.seriesKey === key)[0]]),
    );
    const summary = summaryOf({ rows: 3 });
    await store().setLatestInSeries('series-1', made[1]!.id, summary);
    const overview = await store().latestPerSeries();
    assert.deepEqual(
      overview.map((entry) => entry.latest?.id),
      series.map((entry) => entry.latestReportId),
    );
    assert.equal(overview[1]?.latestDelivered?.reportId, made[1]!.id);
    assert.equal(overview[1]?.latestDelivered?.summary.rows, 3);
    assert.equal(overview[0]?.latestDelivered, null);
  });

  test('a report created with an earlier time than the series latest does not take its place', async () => {
    clock = new Date('2026-03-02T00:00:00Z');
    const newer = await store().create(newReport('api', 'series-x'));
    clock = new Date('2026-03-01T00:00:00Z');
    await store().create(newReport('api', 'series-x'));
    assert.equal((await store().listSeries())[0]?.latestReportId, newer.id);
  });

  test('the sweep drops an expired report from the source and series indexes and moves the series latest back', async () => {
    clock = new Date('2026-03-01T00:00:00Z');
    const older = await store().create(newReport('schedule', 'series-s'));
    clock = new Date('2026-03-01T00:01:00Z');
    const newer = await store().create(newReport('schedule', 'series-s'));
    clock = new Date('2026-03-01T00:02:00Z');
    const alone = await store().create(newReport('api', 'series-t'));
    const keys = redisKeys(prefix);
    await redis.del(keys.report.record(newer.id), keys.report.record(alone.id));
    clock = new Date(clock.getTime() + 31 * 86_400_000);
    assert.equal(await store().sweepIndexes(), 2);
    assert.deepEqual(
      (await store().query({ source: 'schedule', offset: 0, limit: 10 })).items.map((item) => item.id),
      [older.id],
    );
    assert.equal((await store().query({ source: 'api', offset: 0, limit: 10 })).total, 0);
    assert.deepEqual(await store().listSeries(), [{ seriesKey: 'series-s', reportCount: 1, latestReportId: older.id }]);
    assert.equal(await redis.hlen(keys.reports.seriesOf), 1);
  });
});
