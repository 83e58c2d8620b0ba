import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { text } from 'node:stream/consumers';
import type {
  DeviceCounts,
  HistoricalSummaries,
  HistoricalSummary,
  Instance,
  LosantErrorBody,
  NotebookMinuteCounts,
  PayloadCountsBreakdown,
  PayloadStats,
} from '../../src/losant/response-schemas.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { validateLosant, type LosantSchemaName } from '../helpers/losant-schemas.js';

const JAN_1 = Date.UTC(2026, 0, 1);
const JAN_31_END = Date.UTC(2026, 1, 1) - 1;
const NOW = new Date('2026-02-15T10:00:00.000Z');

let sim: Simulator;

before(async () => {
  sim = await startSimulator({ seed: 3, now: () => NOW });
  sim.addToken('read-token', ['all.Instance.read']);
  sim.addToken('user-read-token', ['all.User.read']);
  sim.addToken('narrow-token', ['instance.deviceCounts']);
  sim.addToken('bounded-token', ['all.User.bounded']);
  sim.addToken('other-token', ['all.Application']);
});
after(async () => {
  await sim.close();
});

// The caller names the answer's shape it expects; assertSchema then checks the body against Losant's schema.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- see above
async function call<T = LosantErrorBody>(
  path: string,
  init: { method?: string; token?: string | null; body?: unknown; rawBody?: string; contentType?: string; instanceId?: string } = {},
) {
  const headers: Record<string, string> = { 'accept-version': '^1.30.0' };
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? sim.token}`;
  let body: string | undefined;
  if (init.rawBody !== undefined) body = init.rawBody;
  else if (init.body !== undefined) body = JSON.stringify(init.body);
  if (body !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
  const response = await fetch(`${sim.url}/instances/${init.instanceId ?? sim.instanceId}${path}`, {
    method: init.method ?? 'GET',
    headers,
    ...(body === undefined ? {} : { body }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

function assertSchema(schema: LosantSchemaName, value: unknown): void {
  assert.equal(validateLosant(schema, value), null, `${schema}: ${JSON.stringify(validateLosant(schema, value))}`);
}

async function expectError(promise: Promise<{ status: number; body: LosantErrorBody }>, status: number, type: string, message?: RegExp) {
  const answer = await promise;
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  assert.equal(answer.body.type, type);
  assert.equal(typeof answer.body.message, 'string');
  if (message) assert.match(answer.body.message ?? '', message);
  assertSchema('error', answer.body);
}

describe('simulator auth and errors', () => {
  test('without a bearer token every action answers 401 Unauthorized', async () => {
    await expectError(call('', { token: null }), 401, 'Unauthorized');
    await expectError(call('/deviceCounts', { token: null }), 401, 'Unauthorized');
    await expectError(call('/generateReport', { method: 'POST', token: null, body: {} }), 401, 'Unauthorized');
  });

  test('an unknown token answers 401', async () => {
    await expectError(call('', { token: 'nope' }), 401, 'Unauthorized');
  });

  test('a read-only token may read but not patch (403 Unauthorized)', async () => {
    assert.equal((await call('', { token: 'read-token' })).status, 200);
    await expectError(call('', { method: 'PATCH', token: 'read-token', body: {} }), 403, 'Unauthorized', /patch/u);
    await expectError(call('', { method: 'PATCH', token: 'user-read-token', body: {} }), 403, 'Unauthorized');
    assert.equal((await call('', { method: 'PATCH', token: 'bounded-token', body: {} })).status, 200);
  });

  test('an action scope allows that action only; a foreign scope allows nothing', async () => {
    assert.equal((await call('/deviceCounts', { token: 'narrow-token' })).status, 200);
    await expectError(call('/payloadCounts', { token: 'narrow-token' }), 403, 'Unauthorized');
    await expectError(call('', { token: 'other-token' }), 403, 'Unauthorized');
  });

  test('an unknown instance id is 404 NotFound and a malformed one is 400 Validation', async () => {
    await expectError(call('', { instanceId: 'aaaaaaaaaaaaaaaaaaaaaaaa' }), 404, 'NotFound');
    await expectError(call('/payloadCounts', { instanceId: 'bbbbbbbbbbbbbbbbbbbbbbbb' }), 404, 'NotFound');
    await expectError(call('', { instanceId: 'not-an-id' }), 400, 'Validation', /instanceId/u);
  });

  test('an unknown route under the instance is 404', async () => {
    await expectError(call('/nothingHere'), 404, 'NotFound');
    await expectError(call('/deviceCounts', { method: 'DELETE' }), 404, 'NotFound');
  });

  test('bad query values are 400 Validation naming the parameter', async () => {
    await expectError(call('/deviceCounts?start=yesterday'), 400, 'Validation', /start/u);
    await expectError(call(`/deviceCounts?start=${JAN_31_END}&end=${JAN_1}`), 400, 'Validation', /start/u);
    await expectError(call('/payloadCounts?asBytes=maybe'), 400, 'Validation', /asBytes/u);
    await expectError(call('/payloadCountsBreakdown?resolution=60000'), 400, 'Validation', /resolution/u);
    await expectError(call('/historicalSummaries?sortField=name'), 400, 'Validation', /sortField/u);
    await expectError(call('/historicalSummaries?sortDirection=up'), 400, 'Validation', /sortDirection/u);
    await expectError(call('/historicalSummaries?page=-1'), 400, 'Validation', /page/u);
    await expectError(call('/historicalSummaries?perPage=0'), 400, 'Validation', /perPage/u);
    await expectError(call('/historicalSummaries?filterField=name&filter=x'), 400, 'Validation', /filterField/u);
  });

  test('bad bodies are 400 Validation naming the problem', async () => {
    await expectError(call('/generateReport', { method: 'POST', body: { resourceGroupBy: 'device' } }), 400, 'Validation', /resourceGroupBy/u);
    await expectError(call('/generateReport', { method: 'POST', body: { extra: 1 } }), 400, 'Validation', /extra/u);
    await expectError(call('/generateReport', { method: 'POST', body: { callbackUrl: 'not a url' } }), 400, 'Validation', /callbackUrl/u);
    await expectError(call('/generateReport', { method: 'POST', body: { start: '2026-01-01' } }), 400, 'Validation', /start/u);
    await expectError(call('/generateReport', { method: 'POST', rawBody: '{"start":' }), 400, 'Validation', /JSON/u);
    await expectError(
      call('/generateReport', { method: 'POST', rawBody: 'a=b', contentType: 'application/x-www-form-urlencoded' }),
      400,
      'Validation',
      /Content-Type/u,
    );
    await expectError(call('', { method: 'PATCH', body: { name: 'x' } }), 400, 'Validation', /name/u);
    await expectError(call('', { method: 'PATCH' }), 400, 'Validation', /body/u);
    await expectError(call('', { method: 'PATCH', body: { mfaMode: 'sometimes' } }), 400, 'Validation', /mfaMode/u);
    await expectError(call('', { method: 'PATCH', body: { orgDefaultLimitConfig: { dataTTL: 10 } } }), 400, 'Validation', /dataTTL/u);
    await expectError(call('', { method: 'PATCH', body: { reportConfigs: [{ cron: '0 4 1 * *', periods: 91 }] } }), 400, 'Validation', /periods/u);
    await expectError(
      call('', { method: 'PATCH', body: { reportConfigs: Array.from({ length: 11 }, () => ({ cron: '0 4 1 * *' })) } }),
      400,
      'Validation',
      /reportConfigs/u,
    );
  });

  test('every request is recorded with its action', async () => {
    const before = sim.requests.length;
    await call('/payloadCounts?asBytes=true');
    const recorded = sim.requests[before]!;
    assert.equal(recorded.action, 'payloadCounts');
    assert.equal(recorded.method, 'GET');
    assert.equal(recorded.path, `/instances/${sim.instanceId}/payloadCounts`);
    assert.deepEqual(recorded.query, { asBytes: 'true' });
    assert.equal(recorded.headers['accept-version'], '^1.30.0');
  });
});

describe('simulator actions answer in Losant shapes', () => {
  test('get: an Instance with limits, members and report configs', async () => {
    const { status, body } = await call<Instance>('');
    assert.equal(status, 200);
    assertSchema('instance', body);
    assert.equal(body.id, sim.instanceId);
    assert.equal(body.instanceId, sim.instanceId);
    assert.equal(Object.keys(body.limits ?? {}).length, 38);
    assert.equal(Object.keys(body.orgDefaultLimitConfig ?? {}).length, 34);
    assert.ok((body.members ?? []).length > 0);
    assert.ok(Array.isArray(body.reportConfigs));
  });

  test('deviceCounts and notebookMinuteCounts: one entry per UTC day, start and end echoed', async () => {
    for (const action of ['deviceCounts', 'notebookMinuteCounts'] as const) {
      const { status, body } = await call<DeviceCounts | NotebookMinuteCounts>(`/${action}?start=${JAN_1 + 3_600_000}&end=${JAN_1 + 3 * 86_400_000}`);
      assert.equal(status, 200);
      assertSchema(action, body);
      assert.equal(body.start, '2026-01-01T01:00:00.000Z');
      assert.equal(body.end, '2026-01-04T00:00:00.000Z');
      assert.deepEqual(
        body.counts.map((c) => c.date),
        ['2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z', '2026-01-04T00:00:00.000Z'],
      );
    }
  });

  test('without start and end the count actions cover the 30 days up to now', async () => {
    const { body } = await call<DeviceCounts>('/deviceCounts');
    assertSchema('deviceCounts', body);
    assert.equal(body.end, NOW.toISOString());
    assert.equal(body.counts.length, 31);
  });

  test('start=0 means "from the beginning": counts start on the day the instance was created', async () => {
    const created = Date.parse('2021-01-08T18:10:00.054Z');
    const { status, body } = await call<DeviceCounts>(`/deviceCounts?start=0&end=${created + 2 * 86_400_000}`);
    assert.equal(status, 200);
    assertSchema('deviceCounts', body);
    assert.equal(body.start, '1970-01-01T00:00:00.000Z');
    assert.deepEqual(
      body.counts.map((c) => c.date),
      ['2021-01-08T00:00:00.000Z', '2021-01-09T00:00:00.000Z', '2021-01-10T00:00:00.000Z'],
    );
  });

  test('payloadCounts: Payload Stats by type and source, in bytes with asBytes', async () => {
    const counts = await call<PayloadStats>(`/payloadCounts?start=${JAN_1}&end=${JAN_31_END}`);
    const bytes = await call<PayloadStats>(`/payloadCounts?start=${JAN_1}&end=${JAN_31_END}&asBytes=true`);
    assertSchema('payloadStats', counts.body);
    assertSchema('payloadStats', bytes.body);
    const countOf = (stats: PayloadStats) => stats.deviceState?.['device.mqtt'] ?? 0;
    assert.ok(countOf(counts.body) > 0);
    assert.ok(countOf(bytes.body) > countOf(counts.body));
    assert.deepEqual(Object.keys(bytes.body).sort(), Object.keys(counts.body).sort());
  });

  test('payloadCountsBreakdown: per day by default, per hour with resolution 3600000', async () => {
    const daily = await call<PayloadCountsBreakdown>(`/payloadCountsBreakdown?start=${JAN_1}&end=${JAN_1 + 86_400_000 - 1}`);
    const hourly = await call<PayloadCountsBreakdown>(`/payloadCountsBreakdown?start=${JAN_1}&end=${JAN_1 + 86_400_000 - 1}&resolution=3600000`);
    assertSchema('payloadCountsBreakdown', daily.body);
    assertSchema('payloadCountsBreakdown', hourly.body);
    assert.equal(daily.body.counts.length, 1);
    assert.equal(hourly.body.counts.length, 24);
    assert.equal(hourly.body.counts[5]?.date, '2026-01-01T05:00:00.000Z');
    const hourSum = hourly.body.counts.reduce((sum, c) => sum + c.value, 0);
    assert.equal(hourSum, daily.body.counts[0]?.value);
  });

  test('historicalSummaries: the month of `month`, paged, sorted and filtered', async () => {
    const all = await call<HistoricalSummaries>(`/historicalSummaries?month=${Date.UTC(2026, 0, 15)}`);
    assert.equal(all.status, 200);
    assertSchema('historicalSummaries', all.body);
    assert.equal(all.body.items[0]?.currentPeriodStart, '2026-01-01T00:00:00.000Z');
    assert.equal(all.body.items[0]?.currentPeriodEnd, '2026-01-31T23:59:59.999Z');
    assert.equal(all.body.sortField, 'currentPeriodStart');
    assert.equal(all.body.sortDirection, 'asc');
    assert.equal(all.body.perPage, 100);
    assert.equal(all.body.count, all.body.items.length);
    const ids = all.body.items.map((item) => item.resourceId);
    assert.deepEqual(ids, [...ids].sort());

    const orgs = await call<HistoricalSummaries>(
      `/historicalSummaries?month=${Date.UTC(2026, 0, 15)}&filterField=resourceType&filter=organization&perPage=2&page=1&sortField=resourceId&sortDirection=desc`,
    );
    assertSchema('historicalSummaries', orgs.body);
    assert.equal(orgs.body.totalCount, 6);
    assert.equal(orgs.body.count, 2);
    assert.equal(orgs.body.filterField, 'resourceType');
    assert.ok(orgs.body.items.every((item) => item.resourceType === 'organization'));
    const orgIds = all.body.items.filter((item) => item.resourceType === 'organization').map((item) => item.resourceId);
    assert.deepEqual(
      orgs.body.items.map((item) => item.resourceId),
      [...orgIds].reverse().slice(2, 4),
    );

    const sandbox = await call<HistoricalSummaries>(`/historicalSummaries?month=${Date.UTC(2026, 0, 15)}&filterField=ownerType&filter=user`);
    assert.ok(sandbox.body.items.length > 0);
    assert.ok(sandbox.body.items.every((item) => item.resourceType === 'application'));
  });

  test('historicalSummaries defaults to the month of now', async () => {
    const { body } = await call<HistoricalSummaries>('/historicalSummaries');
    assertSchema('historicalSummaries', body);
    assert.equal(body.items[0]?.currentPeriodStart, '2026-02-01T00:00:00.000Z');
  });

  test('patch answers the Instance', async () => {
    const { status, body } = await call<Instance>('', { method: 'PATCH', body: { mfaMode: 'adminRequired' } });
    assert.equal(status, 200);
    assertSchema('instance', body);
    assert.equal(body.mfaMode, 'adminRequired');
    assert.equal(body.lastUpdated, NOW.toISOString());
  });
});

describe('simulator numbers agree between actions and the report', () => {
  const range = `start=${JAN_1}&end=${JAN_31_END}`;

  async function januaryCsv(options: Record<string, unknown>) {
    const csv = await text(sim.buildReportCsv({ start: '2026-01-01T00:00:00.000Z', end: '2026-01-31T23:59:59.999Z', includeSandbox: true, ...options }));
    const records: Array<Record<string, string>> = parse(csv, { columns: true });
    const sum = (column: string, filter: (row: Record<string, string>) => boolean = () => true) =>
      records.filter(filter).reduce((total, row) => total + Number(row[column]), 0);
    return { records, sum };
  }

  test('deviceCounts totals equal the daily report device counts (sandbox included)', async () => {
    const { body } = await call<DeviceCounts>(`/deviceCounts?${range}`);
    const { sum } = await januaryCsv({ dateGroupBy: 'day' });
    for (const day of body.counts) {
      assert.equal(
        sum('deviceCount', (row) => row.currentPeriodStart === day.date),
        day.total,
        day.date,
      );
    }
  });

  test('notebookMinuteCounts equal the report notebook minutes and runs', async () => {
    const { body } = await call<NotebookMinuteCounts>(`/notebookMinuteCounts?${range}`);
    const { sum } = await januaryCsv({ dateGroupBy: 'month', resourceGroupBy: 'application' });
    const minutes = body.counts.reduce((total, c) => total + c.minutes, 0);
    const runs = body.counts.reduce((total, c) => total + c.completed + c.canceled + c.errored + c.timeout, 0);
    assert.equal(sum('notebookMinutesCount'), minutes);
    assert.equal(sum('notebookRunCount'), runs);
  });

  test('payloadCounts and payloadCountsBreakdown equal the report payload counts', async () => {
    const stats = (await call<PayloadStats>(`/payloadCounts?${range}`)).body;
    const everything = Object.values(stats).reduce((total, bySource) => total + Object.values(bySource).reduce((a, b) => a + b, 0), 0);
    const billable = (await call<PayloadCountsBreakdown>(`/payloadCountsBreakdown?${range}`)).body;
    const all = (await call<PayloadCountsBreakdown>(`/payloadCountsBreakdown?${range}&includeNonBillable=true`)).body;
    const { sum } = await januaryCsv({ dateGroupBy: 'day' });
    assert.equal(sum('payloadBillableCount') + sum('payloadNonbillableCount'), everything);
    assert.equal(
      all.counts.reduce((total, c) => total + c.value, 0),
      everything,
    );
    for (const day of billable.counts) {
      assert.equal(
        sum('payloadBillableCount', (row) => row.currentPeriodStart === day.date),
        day.value,
        day.date,
      );
    }
  });

  test('historicalSummaries match the monthly report rows of the same resources', async () => {
    const { body } = await call<HistoricalSummaries>(`/historicalSummaries?month=${Date.UTC(2026, 0, 10)}&perPage=1000`);
    const byOrg = await januaryCsv({ dateGroupBy: 'month' });
    const byApp = await januaryCsv({ dateGroupBy: 'month', resourceGroupBy: 'application' });
    const columns = [
      'deviceCount',
      'payloadBillableCount',
      'payloadNonbillableCount',
      'payloadBillableSizeMb',
      'notebookMinutesCount',
      'workflowCount',
      'fileTotalSizeMb',
      'applicationCount',
      'userCount',
    ] as const satisfies ReadonlyArray<keyof HistoricalSummary>;
    assert.ok(body.items.length > 6);
    for (const item of body.items) {
      const rows = item.resourceType === 'organization' ? byOrg.records : byApp.records;
      const row = rows.find((candidate) => candidate.resourceId === item.resourceId);
      assert.ok(row, `${item.resourceType} ${item.resourceId} is in the report`);
      for (const column of columns) assert.equal(Number(row[column]), item[column], `${item.resourceName} ${column}`);
      assert.equal(row.resourceName, item.resourceName);
      const detailSum = Object.values(item.payloadCountDetails ?? {}).reduce(
        (total, bySource) => total + Object.values(bySource).reduce((a, b) => a + b, 0),
        0,
      );
      assert.equal(detailSum, (item.payloadBillableCount ?? 0) + (item.payloadNonbillableCount ?? 0));
    }
  });
});
