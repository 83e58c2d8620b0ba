import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { aggregate } from '../../src/sim/aggregate.js';
import { reportCsvString, reportRowCount } from '../../src/sim/csv.js';
import { bucketsBetween, countBuckets, lastFullBuckets, previousMonth } from '../../src/sim/periods.js';
import { createRandom, hash32, hexId, splitByWeights } from '../../src/sim/prng.js';
import { resolveReportOptions, type ResolvedReport } from '../../src/sim/report-options.js';
import { REPORT_COLUMNS } from '../../src/sim/report-rows.js';
import { createUsage } from '../../src/sim/usage.js';
import { createWorld } from '../../src/sim/world.js';

const world = createWorld({ seed: 7, organizations: 6 });
const usage = createUsage(7);
const JAN_2026 = Date.UTC(2026, 0, 1);

function report(overrides: Partial<ResolvedReport> = {}): ResolvedReport {
  return {
    start: '2026-01-01T00:00:00.000Z',
    end: '2026-01-03T23:59:59.999Z',
    resourceGroupBy: 'organization',
    dateGroupBy: 'day',
    includeSandbox: false,
    ...overrides,
  };
}

function parseCsv(text: string): { header: string[]; rows: Array<Record<string, string>> } {
  const records: string[][] = parse(text);
  const header = records[0] ?? [];
  return { header, rows: records.slice(1).map((record) => Object.fromEntries(header.map((name, i) => [name, record[i] ?? '']))) };
}

describe('simulator data', () => {
  test('the same seed gives the same ids, names and numbers; another seed gives others', () => {
    assert.deepEqual(createWorld({ seed: 7, organizations: 6 }), world);
    assert.equal(hash32([7, 'x']), hash32([7, 'x']));
    assert.notEqual(createWorld({ seed: 8, organizations: 6 }).instanceId, world.instanceId);
    assert.deepEqual(usage.daily(world.applications[0]!.id, 20_000), createUsage(7).daily(world.applications[0]!.id, 20_000));
    const a = createRandom(3);
    const b = createRandom(3);
    assert.deepEqual([a(), a(), a()], [b(), b(), b()]);
  });

  test('ids are 24 hex digits and every resource id is unique', () => {
    const ids = [world.instanceId, ...world.organizations.map((o) => o.id), ...world.sandboxUsers.map((u) => u.id), ...world.applications.map((a) => a.id)];
    for (const id of ids) assert.match(id, /^[a-f\d]{24}$/u);
    assert.equal(new Set(ids).size, ids.length);
    assert.match(hexId(['k']), /^[a-f\d]{24}$/u);
  });

  test('organization names include a comma and a double quote, and organizations carry tags', () => {
    assert.ok(world.organizations.some((org) => org.name.includes(',')));
    assert.ok(world.organizations.some((org) => org.name.includes('"')));
    for (const org of world.organizations) {
      assert.ok(org.tags.region && org.tags.tier, 'region and tier on every organization');
      assert.ok(org.applicationIds.length >= 1);
    }
    assert.deepEqual(world.tagKeys, [...world.tagKeys].sort());
    assert.ok(world.sandboxUsers.length >= 1 && world.applications.some((app) => app.sandbox));
  });

  test('organizationNames name the first organizations as given, in the report rows too; the rest are generated', () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const named = createWorld({ seed: 7, organizations: 6, organizationNames: [hostile] });
    assert.equal(named.organizations[0]?.name, hostile);
    assert.deepEqual(
      named.organizations.slice(1).map((org) => org.name),
      world.organizations.slice(1).map((org) => org.name),
    );
    assert.ok(named.applications.some((app) => app.ownerName === hostile));
    const { rows } = parseCsv(reportCsvString(named, usage, report()));
    assert.ok(rows.some((row) => row.resourceName === hostile));
  });

  test('a large world keeps names unique', () => {
    const big = createWorld({ seed: 1, organizations: 60 });
    assert.equal(new Set(big.organizations.map((org) => org.name)).size, 60);
  });

  test('splitting by weights always sums to the total', () => {
    for (const total of [0, 1, 7, 1000, 123_457]) {
      const parts = splitByWeights(total, [0.3, 2, 0, 1.7, 5]);
      assert.equal(
        parts.reduce((x, y) => x + y, 0),
        total,
      );
      assert.ok(parts.every((part) => part >= 0));
    }
    assert.deepEqual(splitByWeights(5, [0, 0]), [0, 5]);
  });

  test('device totals follow from created and deleted day to day', () => {
    const app = world.applications[1]!.id;
    for (let day = 20_450; day < 20_460; day += 1) {
      const today = usage.devices(app, day);
      assert.equal(today.total, usage.devices(app, day - 1).total + today.created - today.deleted);
    }
  });

  test('periods are whole UTC days and months', () => {
    const days = bucketsBetween(JAN_2026 + 5, JAN_2026 + 2 * 86_400_000, 'day');
    assert.equal(days.length, 3);
    assert.equal(new Date(days[2]!.end).toISOString(), '2026-01-03T23:59:59.999Z');
    const months = bucketsBetween(Date.UTC(2025, 11, 15), Date.UTC(2026, 1, 2), 'month');
    assert.deepEqual(
      months.map((m) => new Date(m.start).toISOString().slice(0, 7)),
      ['2025-12', '2026-01', '2026-02'],
    );
    assert.equal(countBuckets(Date.UTC(2025, 11, 15), Date.UTC(2026, 1, 2), 'month'), 3);
    assert.equal(new Date(previousMonth(Date.UTC(2026, 2, 10)).end).toISOString(), '2026-02-28T23:59:59.999Z');
    const last = lastFullBuckets(Date.UTC(2026, 2, 1, 4), 'month', 3);
    assert.equal(new Date(last.start).toISOString(), '2025-12-01T00:00:00.000Z');
    assert.equal(new Date(last.end).toISOString(), '2026-02-28T23:59:59.999Z');
  });

  test('report defaults: no dates means the previous UTC month, grouped by organization and day, without sandbox', () => {
    const resolved = resolveReportOptions({}, new Date('2026-03-10T12:00:00Z'));
    assert.deepEqual(resolved, {
      start: '2026-02-01T00:00:00.000Z',
      end: '2026-02-28T23:59:59.999Z',
      resourceGroupBy: 'organization',
      dateGroupBy: 'day',
      includeSandbox: false,
    });
    assert.throws(() => resolveReportOptions({ start: '2026-02-02T00:00:00Z', end: '2026-02-01T00:00:00Z' }, new Date()), /start/u);
  });
});

describe('simulator report CSV', () => {
  test('grouped by organization: the contract columns, then sorted tag columns, one row per organization per day', () => {
    const text = reportCsvString(world, usage, report());
    assert.ok(!text.startsWith('\uFEFF'), 'no BOM');
    assert.ok(!text.includes('\r'), 'LF line ends');
    assert.ok(text.endsWith('\n'));
    const { header, rows } = parseCsv(text);
    assert.deepEqual(header, [...REPORT_COLUMNS, ...world.tagKeys.map((key) => `tag:${key}`)]);
    assert.equal(header[0], 'resourceType');
    assert.equal(rows.length, 3 * world.organizations.length);
    assert.equal(rows.length, reportRowCount(world, report()));
    for (const row of rows) {
      assert.equal(row.resourceType, 'organization');
      assert.equal(row.ownerType, 'organization');
      assert.equal(row.ownerId, row.resourceId);
      assert.equal(row.sandbox, 'false');
    }
    const sortKeys = rows.map((row) => `${row.currentPeriodStart}|${row.resourceId}`);
    assert.deepEqual(sortKeys, [...sortKeys].sort());
    assert.equal(rows[0]!.currentPeriodStart, '2026-01-01T00:00:00.000Z');
    assert.equal(rows[0]!.currentPeriodEnd, '2026-01-01T23:59:59.999Z');
    const org = world.organizations[0]!;
    const orgRow = rows.find((row) => row.resourceId === org.id)!;
    for (const key of world.tagKeys) assert.equal(orgRow[`tag:${key}`], org.tags[key] ?? '');
  });

  test('names with commas and quotes are quoted as RFC 4180 says', () => {
    const text = reportCsvString(world, usage, report());
    const quoted = world.organizations.find((org) => org.name.includes('"'))!;
    assert.ok(text.includes(`"${quoted.name.replaceAll('"', '""')}"`));
    const { rows } = parseCsv(text);
    assert.ok(rows.some((row) => row.resourceName === quoted.name));
    assert.ok(rows.some((row) => row.resourceName?.includes(',')));
  });

  test('sandbox users appear only with includeSandbox, as resourceType user with sandbox=true and empty tags', () => {
    const without = parseCsv(reportCsvString(world, usage, report())).rows;
    assert.ok(without.every((row) => row.sandbox === 'false'));
    const withSandbox = parseCsv(reportCsvString(world, usage, report({ includeSandbox: true }))).rows;
    const sandboxRows = withSandbox.filter((row) => row.sandbox === 'true');
    assert.equal(sandboxRows.length, 3 * world.sandboxUsers.length);
    for (const row of sandboxRows) {
      assert.equal(row.resourceType, 'user');
      assert.equal(row.ownerType, 'user');
      for (const key of world.tagKeys) assert.equal(row[`tag:${key}`], '');
    }
  });

  test('grouped by application: no tag columns, owners are organizations or (with sandbox) users', () => {
    const { header, rows } = parseCsv(reportCsvString(world, usage, report({ resourceGroupBy: 'application', dateGroupBy: 'month', includeSandbox: true })));
    assert.deepEqual(header, [...REPORT_COLUMNS]);
    assert.equal(rows.length, world.applications.length);
    assert.ok(rows.every((row) => row.resourceType === 'application'));
    assert.ok(rows.some((row) => row.ownerType === 'user' && row.sandbox === 'true'));
    assert.ok(rows.some((row) => row.ownerType === 'organization' && row.sandbox === 'false'));
    assert.equal(rows[0]!.currentPeriodStart, '2026-01-01T00:00:00.000Z');
    assert.equal(rows[0]!.currentPeriodEnd, '2026-01-31T23:59:59.999Z');
  });

  test('an organization row is the sum of its application rows', () => {
    const orgRows = parseCsv(reportCsvString(world, usage, report({ dateGroupBy: 'month' }))).rows;
    const appRows = parseCsv(reportCsvString(world, usage, report({ dateGroupBy: 'month', resourceGroupBy: 'application' }))).rows;
    for (const org of world.organizations) {
      const orgRow = orgRows.find((row) => row.resourceId === org.id)!;
      const apps = appRows.filter((row) => row.ownerId === org.id);
      assert.equal(apps.length, org.applicationIds.length);
      for (const column of [
        'deviceCount',
        'payloadBillableCount',
        'payloadNonbillableCount',
        'notebookMinutesCount',
        'workflowCount',
        'dashboardCount',
      ] as const) {
        assert.equal(
          Number(orgRow[column]),
          apps.reduce((sum, row) => sum + Number(row[column]), 0),
          `${org.name} ${column}`,
        );
      }
      assert.equal(Number(orgRow.applicationCount), org.applicationIds.length);
    }
  });

  test('a month row sums the flows of its days and takes levels from its last day', () => {
    const org = world.organizations[2]!;
    const month = { start: JAN_2026, end: Date.UTC(2026, 1, 1) - 1 };
    const monthTotals = aggregate(usage, org.applicationIds, month);
    let payloads = 0;
    for (const day of bucketsBetween(month.start, month.end, 'day')) payloads += aggregate(usage, org.applicationIds, day).payloadBillableCount;
    assert.equal(monthTotals.payloadBillableCount, payloads);
    const lastDay = aggregate(usage, org.applicationIds, { start: Date.UTC(2026, 0, 31), end: month.end });
    assert.equal(monthTotals.deviceCount, lastDay.deviceCount);
  });
});
