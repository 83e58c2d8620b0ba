import assert from 'node:assert/strict';
import { createReadStream, readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, test } from 'node:test';
import { parse as parseSync } from 'csv-parse/sync';
import type { Redis } from 'ioredis';
import { summarizeReportCsv } from '../../src/csv/summarize-stream.js';
import { redisKeys } from '../../src/redis-keys.js';
import type { ReportSummary, ResourceFigures } from '../../src/summary/types.js';
import { createResourceHistory } from '../../src/usage/resource-history.js';
import { captureLogger } from '../helpers/logger.js';
import { deleteKeys, testRedis, uniquePrefix } from '../helpers/redis.js';

const LIMITS = { maxColumns: 2_000, maxFieldBytes: 1024 * 1024 };
const fixtureUrl = (name: string) => new URL(`../fixtures/csv/${name}`, import.meta.url);
const prefix = uniquePrefix('usage-history');
const DAY = 86_400;
let redis: Redis;
let clock = new Date('2026-03-01T00:00:00Z');
let log = captureLogger();
const history = (retentionSeconds = 30 * DAY) => createResourceHistory(redis, { prefix, retentionSeconds, logger: log.logger, now: () => clock });

async function summarizeWithResources(name: string): Promise<{ summary: ReportSummary; resources: ResourceFigures }> {
  let resources: ResourceFigures | null = null;
  const summary = await summarizeReportCsv(createReadStream(fixtureUrl(name)), LIMITS, { onResourceFigures: (figures) => (resources = figures) });
  assert.ok(resources);
  return { summary, resources };
}

/** A report of one day naming the given organizations with their payloads. */
function dayReport(day: string, organizations: Array<[id: string, name: string, payloads: number]>) {
  const summary = { period: { start: `${day}T00:00:00.000Z`, end: `${day}T23:59:59.999Z` }, grouping: { resource: 'organization', date: 'day' } };
  const resources: ResourceFigures = {
    columns: ['payloadBillableCount'],
    resources: organizations.map(([id, name, payloads]) => ({ id, name, figures: { payloadBillableCount: payloads }, tags: {} })),
    leftOut: 0,
  };
  // as: only the period and grouping are read from the summary when writing history
  return { summary: summary as ReportSummary, resources };
}

describe('resource history across reports', () => {
  before(() => {
    redis = testRedis();
  });
  beforeEach(async () => {
    await deleteKeys(redis, prefix);
    clock = new Date('2026-03-01T00:00:00Z');
    log = captureLogger();
  });
  after(async () => {
    await deleteKeys(redis, prefix);
    await redis.quit();
  });

  test("a report's figures per organization are each one's sum of flows, highest level and latest tags, as read from the CSV", async () => {
    const { summary, resources } = await summarizeWithResources('org-daily-tags.csv');
    assert.equal(await history().recordReport({ id: 'r1', createdAt: clock.toISOString() }, summary, resources), resources.resources.length);
    const rows = parseSync<Record<string, string>>(readFileSync(fixtureUrl('org-daily-tags.csv')), { columns: true, bom: true });
    const ids = [...new Set(rows.map((row) => row.resourceId!))];
    assert.ok(ids.length >= 3);
    for (const id of ids) {
      const own = rows.filter((row) => row.resourceId === id);
      const sum = (column: string) => Math.round(own.reduce((total, row) => total + Number(row[column]), 0) * 1e6) / 1e6;
      const points = await history().resourceHistory('organization', id);
      assert.equal(points.length, 1);
      const tags = Object.fromEntries(
        Object.keys(own[0]!)
          .filter((column) => column.startsWith('tag:') && own.at(-1)![column] !== '')
          .map((column) => [column.slice(4), own.at(-1)![column]!]),
      );
      assert.deepEqual(points[0], {
        reportId: 'r1',
        period: summary.period,
        dateGrouping: 'day',
        name: own.at(-1)!.resourceName,
        figures: {
          payloadBillableCount: sum('payloadBillableCount'),
          deviceCount: Math.max(...own.map((row) => Number(row.deviceCount))),
          notebookMinutesCount: sum('notebookMinutesCount'),
        },
        tags,
        writtenAt: clock.toISOString(),
      });
    }
  });

  test("one organization's points across reports come oldest period first, the newest `limit` of them; a report written again replaces its own", async () => {
    for (const [index, day] of ['2026-01-03', '2026-01-01', '2026-01-02'].entries()) {
      const { summary, resources } = dayReport(day, [['org-a', 'Acme', index + 1]]);
      await history().recordReport({ id: `r-${day}`, createdAt: clock.toISOString() }, summary, resources);
    }
    const again = dayReport('2026-01-02', [['org-a', 'Acme', 99]]);
    await history().recordReport({ id: 'r-2026-01-02', createdAt: clock.toISOString() }, again.summary, again.resources);
    const points = await history().resourceHistory('organization', 'org-a');
    assert.deepEqual(
      points.map((point) => [point.reportId, point.figures.payloadBillableCount]),
      [
        ['r-2026-01-01', 2],
        ['r-2026-01-02', 99],
        ['r-2026-01-03', 1],
      ],
    );
    assert.deepEqual(
      (await history().resourceHistory('organization', 'org-a', { limit: 2 })).map((point) => point.reportId),
      ['r-2026-01-02', 'r-2026-01-03'],
    );
    assert.deepEqual(await history().resourceHistory('application', 'org-a'), []);
  });

  test('an entry that is not what this version writes is skipped and logged, the others read', async () => {
    for (const day of ['2026-01-01', '2026-01-02']) {
      const { summary, resources } = dayReport(day, [['org-a', 'Acme', 1]]);
      await history().recordReport({ id: `r-${day}`, createdAt: clock.toISOString() }, summary, resources);
    }
    const keys = redisKeys(prefix).usage;
    await redis.hset(keys.resourcePoints('organization', 'org-a'), 'r-2026-01-01', '{"reportId":"r-2026-01-01","figures":"lots"}');
    const points = await history().resourceHistory('organization', 'org-a');
    assert.deepEqual(
      points.map((point) => point.reportId),
      ['r-2026-01-02'],
    );
    assert.match(log.text(), /skipped a usage entry/u);
    assert.match(log.text(), /figures/u);
  });

  test('the index lists organizations by name, finds them by id or name prefix, and keeps the name of the latest period', async () => {
    const first = dayReport('2026-01-02', [
      ['org-b', 'borealis Farms', 1],
      ['org-a', 'Acme Water', 2],
      ['org-c', 'Cobalt Labs', 3],
    ]);
    await history().recordReport({ id: 'r2', createdAt: clock.toISOString() }, first.summary, first.resources);
    // An older report with an older name does not take the name back; a newer one renames.
    const older = dayReport('2026-01-01', [['org-a', 'Zed Old Name', 1]]);
    await history().recordReport({ id: 'r1', createdAt: clock.toISOString() }, older.summary, older.resources);
    const newer = dayReport('2026-01-03', [['org-c', 'Aardvark Labs', 1]]);
    await history().recordReport({ id: 'r3', createdAt: clock.toISOString() }, newer.summary, newer.resources);

    const listed = await history().listResources('organization', { offset: 0, limit: 10 });
    assert.equal(listed.total, 3);
    assert.deepEqual(
      listed.items.map((item) => [item.id, item.name, item.latestReportId]),
      [
        ['org-c', 'Aardvark Labs', 'r3'],
        ['org-a', 'Acme Water', 'r2'],
        ['org-b', 'borealis Farms', 'r2'],
      ],
    );
    assert.deepEqual(
      (await history().listResources('organization', { offset: 1, limit: 1 })).items.map((item) => item.id),
      ['org-a'],
    );
    assert.deepEqual(
      (await history().searchResources('organization', 'a')).map((item) => item.id),
      ['org-c', 'org-a'],
    );
    assert.deepEqual(
      (await history().searchResources('organization', 'BOR')).map((item) => item.id),
      ['org-b'],
    );
    assert.deepEqual(
      (await history().searchResources('organization', 'org-b')).map((item) => item.name),
      ['borealis Farms'],
    );
    assert.equal((await history().resource('organization', 'org-a'))?.latestPeriodStart, '2026-01-02T00:00:00.000Z');
    assert.equal(await history().resource('organization', 'nobody'), null);
  });

  test('points written before the retention go at the next write; a resource whose points all expired leaves the index at the sweep', async () => {
    const old = dayReport('2026-01-01', [
      ['org-a', 'Acme', 1],
      ['org-b', 'Borealis', 1],
    ]);
    await history(10 * DAY).recordReport({ id: 'r-old', createdAt: clock.toISOString() }, old.summary, old.resources);
    const keys = redisKeys(prefix).usage;
    const ttl = await redis.ttl(keys.resourcePoints('organization', 'org-a'));
    assert.ok(ttl > 9 * DAY && ttl <= 10 * DAY, `ttl ${ttl}`);
    clock = new Date(clock.getTime() + 11 * DAY * 1000);
    const fresh = dayReport('2026-01-12', [['org-a', 'Acme', 2]]);
    await history(10 * DAY).recordReport({ id: 'r-new', createdAt: clock.toISOString() }, fresh.summary, fresh.resources);
    assert.deepEqual(
      (await history().resourceHistory('organization', 'org-a')).map((point) => point.reportId),
      ['r-new'],
    );
    // org-b's keys expire in Redis (here: deleted, as the TTL would).
    await redis.del(
      keys.resourcePoints('organization', 'org-b'),
      keys.resourceByPeriod('organization', 'org-b'),
      keys.resourceByWritten('organization', 'org-b'),
    );
    assert.equal(await history().sweepIndex('organization'), 1);
    assert.deepEqual(
      (await history().listResources('organization', { offset: 0, limit: 10 })).items.map((item) => item.id),
      ['org-a'],
    );
  });

  test('a report whose resources are neither organizations nor applications writes no history', async () => {
    const { summary, resources } = dayReport('2026-01-01', [['x', 'X', 1]]);
    const unknown = { ...summary, grouping: { resource: 'unknown' as const, date: 'day' as const } };
    assert.equal(await history().recordReport({ id: 'r1', createdAt: clock.toISOString() }, unknown, resources), 0);
    assert.equal((await history().listResources('organization', { offset: 0, limit: 10 })).total, 0);
  });
});
