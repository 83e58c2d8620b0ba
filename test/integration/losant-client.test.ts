import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { httpStatusOf } from '../../src/http/error-status.js';
import { createLogger } from '../../src/log.js';
import {
  createLosantClient,
  deviceCountsSchema,
  errorSchema,
  historicalSummariesSchema,
  instanceSchema,
  jobEnqueuedApiResultSchema,
  LosantApiError,
  LosantValidationError,
  notebookMinuteCountsSchema,
  payloadCountsBreakdownSchema,
  payloadStatsSchema,
  successSchema,
  type LosantClientOptions,
} from '../../src/losant/index.js';
import { startSimulator, type SimRequest, type Simulator } from '../../src/sim/index.js';

const OTHER_INSTANCE_ID = 'abcdefabcdefabcdefabcdef';
const DAY = 86_400_000;
const END = Date.UTC(2026, 1, 28, 23, 59, 59, 999);
const START = Date.UTC(2026, 1, 1);

let sim: Simulator;
let sleeps: number[];

function client(overrides: Partial<LosantClientOptions> = {}) {
  return createLosantClient({
    baseUrl: sim.url,
    token: sim.token,
    instanceId: sim.instanceId,
    timeoutMs: 2_000,
    maxRetries: 3,
    baseDelayMs: 10,
    maxDelayMs: 60_000,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    ...overrides,
  });
}

/** The requests the simulator received while `run` ran. */
async function requestsDuring<T>(run: () => Promise<T>): Promise<{ requests: SimRequest[]; error: unknown; value: T | undefined }> {
  const before = sim.requests.length;
  let error: unknown;
  let value: T | undefined;
  try {
    value = await run();
  } catch (caught) {
    error = caught;
  }
  return { requests: sim.requests.slice(before), error, value };
}

/** `status` is what this service answers for the error (its code's HTTP status); the rest are the error's own fields. */
function assertApiError(
  error: unknown,
  expected: Partial<Pick<LosantApiError, 'code' | 'httpStatus' | 'losantType' | 'action' | 'attempts'>> & { status?: number },
) {
  assert.ok(error instanceof LosantApiError, `expected a LosantApiError, got ${String(error)}`);
  const { status, ...fields } = expected;
  if (status !== undefined) assert.equal(httpStatusOf(error.code), status, `status of ${error.message}`);
  for (const [key, value] of Object.entries(fields)) {
    assert.equal(error[key as keyof typeof fields], value, `${key} of ${error.message}`);
  }
}

async function settleJobs() {
  await Promise.all(sim.jobs.filter((job) => job.state !== 'done').map((job) => sim.waitForJob(job.jobId)));
}

before(async () => {
  sim = await startSimulator({ port: 0, seed: 1, reportDelayMs: 50 });
});
after(async () => {
  await sim.close();
});
beforeEach(async () => {
  sleeps = [];
  await settleJobs();
});

void describe('every action succeeds against the simulator and its answer parses', () => {
  void test('get returns the instance', async () => {
    const { requests, value } = await requestsDuring(() => client().get());
    assert.equal(value?.id, sim.instanceId);
    assert.equal(typeof value?.name, 'string');
    assert.equal(requests.length, 1);
    assert.equal(requests[0]?.method, 'GET');
    assert.equal(requests[0]?.path, `/instances/${sim.instanceId}`);
  });

  void test('every request carries the bearer token, Accept-Version ^1.30.0 and Accept: application/json', async () => {
    const { requests } = await requestsDuring(() => client().deviceCounts({ start: START, end: END }));
    const headers = requests[0]?.headers ?? {};
    assert.equal(headers.authorization, `Bearer ${sim.token}`);
    assert.equal(headers['accept-version'], '^1.30.0');
    assert.equal(headers.accept, 'application/json');
    assert.equal(headers['content-type'], undefined);
  });

  void test('patch sends the report configs as JSON and returns the updated instance with their ids', async () => {
    const configs = [
      { cron: '0 4 1 * *', timezone: 'America/New_York', emails: ['ops@example.com'], dateGroupBy: 'month' as const, periods: 1 },
      { cron: '0 4 * * 1', resourceGroupBy: 'application' as const },
    ];
    const { requests, value } = await requestsDuring(() => client().patch({ reportConfigs: configs }));
    const instance = value!;
    assert.deepEqual(requests[0]?.body, { reportConfigs: configs });
    assert.equal(requests[0]?.method, 'PATCH');
    assert.match(String(requests[0]?.headers['content-type']), /^application\/json/u);
    assert.deepEqual(
      instance.reportConfigs?.map((config) => config.cron),
      ['0 4 1 * *', '0 4 * * 1'],
    );
    assert.ok(instance.reportConfigs?.every((config) => typeof config.id === 'string' && config.id !== ''));
    await client().patch({ reportConfigs: [] });
  });

  void test('generateReport sends Dates as ISO date-times and returns the queued job id', async () => {
    const { requests, value } = await requestsDuring(() =>
      client().generateReport({ start: new Date(START), end: new Date(END), dateGroupBy: 'month', resourceGroupBy: 'application', includeSandbox: true }),
    );
    assert.deepEqual(requests[0]?.body, {
      start: '2026-02-01T00:00:00.000Z',
      end: '2026-02-28T23:59:59.999Z',
      dateGroupBy: 'month',
      resourceGroupBy: 'application',
      includeSandbox: true,
    });
    const result = value!;
    assert.equal(result.legacy, false);
    assert.ok(result.jobId !== null && sim.jobs.some((job) => job.jobId === result.jobId));
    await sim.waitForJob(result.jobId);
  });

  void test('generateReport without options sends no body and is accepted', async () => {
    const { requests, value } = await requestsDuring(() => client().generateReport());
    assert.equal(requests[0]?.body, undefined);
    assert.equal(typeof value?.jobId, 'string');
  });

  void test('deviceCounts sends start and end as milliseconds since the epoch', async () => {
    const { requests, value } = await requestsDuring(() => client().deviceCounts({ start: new Date(START), end: END }));
    assert.deepEqual(requests[0]?.query, { start: String(START), end: String(END) });
    assert.equal(value?.counts.length, 28);
    assert.ok(value.counts.every((day) => Number.isInteger(day.total)));
  });

  void test('notebookMinuteCounts answers one entry per day', async () => {
    const value = await client().notebookMinuteCounts({ start: START, end: START + 7 * DAY - 1 });
    assert.equal(value.counts.length, 7);
    assert.ok(value.counts.every((day) => Number.isInteger(day.minutes) && Number.isInteger(day.completed)));
  });

  void test('payloadCounts sends asBytes as a string and returns counts per type and source', async () => {
    const { requests, value } = await requestsDuring(() => client().payloadCounts({ start: START, end: END, asBytes: true }));
    assert.deepEqual(requests[0]?.query, { start: String(START), end: String(END), asBytes: 'true' });
    const stats = value!;
    assert.ok(Object.keys(stats).length > 0);
    assert.ok(Object.values(stats).every((sources) => Object.values(sources).every((n) => typeof n === 'number')));
  });

  void test('payloadCountsBreakdown with hourly resolution answers one entry per hour', async () => {
    const { requests, value } = await requestsDuring(() =>
      client().payloadCountsBreakdown({ start: START, end: START + DAY - 1, resolution: 3600000, includeNonBillable: false }),
    );
    assert.deepEqual(requests[0]?.query, { start: String(START), end: String(START + DAY - 1), resolution: '3600000', includeNonBillable: 'false' });
    assert.equal(value?.counts.length, 24);
  });

  void test('historicalSummaries sends its paging and sorting and returns a page of items', async () => {
    const { requests, value } = await requestsDuring(() =>
      client().historicalSummaries({
        month: START,
        sortField: 'resourceId',
        sortDirection: 'desc',
        page: 0,
        perPage: 5,
        filterField: 'resourceType',
        filter: 'organization',
      }),
    );
    assert.deepEqual(requests[0]?.query, {
      month: String(START),
      sortField: 'resourceId',
      sortDirection: 'desc',
      page: '0',
      perPage: '5',
      filterField: 'resourceType',
      filter: 'organization',
    });
    const page = value!;
    assert.equal(page.perPage, 5);
    assert.ok(page.items.length > 0 && page.items.length <= 5);
    assert.ok(page.items.every((item) => item.resourceType === 'organization'));
  });

  void test('historicalSummaries without a query sends no parameters', async () => {
    const { requests, value } = await requestsDuring(() => client().historicalSummaries());
    assert.deepEqual(requests[0]?.query, {});
    assert.ok(Array.isArray(value?.items));
  });
});

void describe('Losant refusals become typed errors and are never retried', () => {
  void test('a bad token is losant_unauthorized (502) after one request', async () => {
    const { requests, error } = await requestsDuring(() => client({ token: 'not-a-token' }).get());
    assertApiError(error, { code: 'losant_unauthorized', status: 502, httpStatus: 401, losantType: 'Unauthorized', action: 'get', attempts: 1 });
    assert.equal(requests.length, 1);
  });

  void test('a read-only token may not patch, but may read and generate reports', async () => {
    const readOnly = 'read-only-token-for-client-tests';
    sim.addToken(readOnly, ['all.Instance.read']);
    const reader = client({ token: readOnly });
    const { requests, error } = await requestsDuring(() => reader.patch({ mfaMode: 'required' }));
    assertApiError(error, { code: 'losant_unauthorized', status: 502, losantType: 'Unauthorized', action: 'patch' });
    assert.ok(error instanceof LosantApiError && (error.httpStatus === 401 || error.httpStatus === 403));
    assert.equal(requests.length, 1);
    assert.equal((await reader.get()).mfaMode, 'notRequired');
    const { jobId } = await reader.generateReport({});
    assert.ok(jobId !== null);
    await sim.waitForJob(jobId);
  });

  void test('an unknown instance id is losant_not_found (502: our configuration is wrong) after one request', async () => {
    const { requests, error } = await requestsDuring(() => client({ instanceId: OTHER_INSTANCE_ID }).deviceCounts({ start: START, end: END }));
    assertApiError(error, { code: 'losant_not_found', status: 502, httpStatus: 404, losantType: 'NotFound', action: 'deviceCounts', attempts: 1 });
    assert.equal(requests.length, 1);
    assert.equal(requests[0]?.path, `/instances/${OTHER_INSTANCE_ID}/deviceCounts`);
  });

  void test('a body Losant refuses where local validation passes is losant_rejected (400) with Losant’s message', async () => {
    // Losant's schema puts no format on timezone; only Losant (here the simulator) knows the names.
    const { requests, error } = await requestsDuring(() => client().patch({ reportConfigs: [{ cron: '0 4 1 * *', timezone: 'Mars/Olympus' }] }));
    assertApiError(error, { code: 'losant_rejected', status: 400, httpStatus: 400, losantType: 'Validation', action: 'patch', attempts: 1 });
    assert.match((error as LosantApiError).losantMessage ?? '', /reportConfigs\.0\.timezone/u);
    assert.equal(requests.length, 1);
  });

  void test('a cron expression Losant cannot read is refused by Losant, once', async () => {
    const { requests, error } = await requestsDuring(() => client().patch({ reportConfigs: [{ cron: 'every full moon' }] }));
    assertApiError(error, { code: 'losant_rejected', losantType: 'Validation' });
    assert.match((error as LosantApiError).losantMessage ?? '', /reportConfigs\.0\.cron/u);
    assert.equal(requests.length, 1);
  });

  void test('a 400 is not retried even if the client allows retries', async () => {
    // One injected 400: a retry would succeed, so only a client that does not retry fails here.
    sim.injectFaults({ action: 'get', status: 400, count: 1 });
    const { requests, error } = await requestsDuring(() => client({ maxRetries: 5 }).get());
    assertApiError(error, { code: 'losant_rejected', httpStatus: 400, losantType: 'Validation', attempts: 1 });
    assert.equal(requests.length, 1);
    assert.deepEqual(sleeps, []);
  });
});

void describe('local validation refuses before anything is sent', () => {
  const refusals: Array<{ name: string; run: () => Promise<unknown>; problems: RegExp[] }> = [
    {
      name: 'generateReport with an unknown key and a bad email',
      run: () => client().generateReport({ email: 'nobody', format: 'pdf' } as never),
      problems: [/email/u, /format/u],
    },
    {
      name: 'generateReport with start after end',
      run: () => client().generateReport({ start: new Date(END), end: new Date(START) }),
      problems: [/end: must not be before start/u],
    },
    {
      name: 'patch with more than 10 report configs',
      run: () => client().patch({ reportConfigs: Array.from({ length: 11 }, () => ({ cron: '0 4 1 * *' })) }),
      problems: [/at most 10/u],
    },
    {
      // The instance's configs go back as Losant gave them (a newer Losant's fields included), so the
      // client checks only that each is a config; this version's rules for the configs report-relay
      // makes are checked where they are made (test/unit/losant-request-schemas.test.ts).
      name: 'patch with a report config that has no cron',
      run: () => client().patch({ reportConfigs: [{ periods: 3 } as never] }),
      problems: [/reportConfigs\.0\.cron/u],
    },
    {
      name: 'patch with a key Losant does not accept',
      run: () => client().patch({ name: 'renamed' } as never),
      problems: [/name/u],
    },
    {
      name: 'deviceCounts with an invalid Date and a negative end',
      run: () => client().deviceCounts({ start: new Date('not a date'), end: -1 }),
      problems: [/start/u, /end/u],
    },
    {
      name: 'payloadCountsBreakdown with an unknown resolution',
      run: () => client().payloadCountsBreakdown({ start: START, end: END, resolution: 60000 as never }),
      problems: [/resolution/u],
    },
    {
      name: 'historicalSummaries with a bad sort field and perPage of 0',
      run: () => client().historicalSummaries({ sortField: 'name' as never, perPage: 0 }),
      problems: [/sortField/u, /perPage/u],
    },
  ];

  for (const refusal of refusals) {
    void test(`${refusal.name} is refused with losant_request_invalid naming each problem`, async () => {
      const { requests, error } = await requestsDuring(refusal.run);
      assert.ok(error instanceof LosantValidationError, String(error));
      assert.equal(error.code, 'losant_request_invalid');
      assert.equal(httpStatusOf(error.code), 400);
      for (const problem of refusal.problems) assert.match(error.message, problem);
      assert.equal(requests.length, 0);
    });
  }

  void test('a malformed instance id is refused when the client is created', () => {
    assert.throws(
      () => createLosantClient({ baseUrl: sim.url, token: sim.token, instanceId: 'instance-1' }),
      (error: unknown) => error instanceof LosantValidationError && error.message.includes('instanceId'),
    );
  });
});

void describe('transient failures are retried with backoff', () => {
  void test('503 twice then success takes three requests and two waits', async () => {
    sim.injectFaults({ action: 'payloadCounts', status: 503, count: 2 });
    const { requests, error } = await requestsDuring(() => client().payloadCounts({ start: START, end: END }));
    assert.equal(error, undefined);
    assert.equal(requests.length, 3);
    assert.equal(sleeps.length, 2);
    assert.ok(sleeps[0]! < 10 && sleeps[1]! < 20, `jittered waits within the backoff ceilings: ${sleeps.join(', ')}`);
  });

  void test('429 with Retry-After waits as long as Losant asked', async () => {
    sim.injectFaults({ action: 'get', status: 429, count: 1, retryAfterSeconds: 2 });
    const { requests, error } = await requestsDuring(() => client().get());
    assert.equal(error, undefined);
    assert.equal(requests.length, 2);
    assert.deepEqual(sleeps, [2_000]);
  });

  void test('a Retry-After longer than maxDelayMs is capped', async () => {
    sim.injectFaults({ action: 'get', status: 429, count: 1, retryAfterSeconds: 3_600 });
    await client({ maxDelayMs: 500 }).get();
    assert.deepEqual(sleeps, [500]);
  });

  void test('when retries run out the last failure is thrown: losant_unavailable (502) after maxRetries + 1 requests', async () => {
    sim.injectFaults({ action: 'historicalSummaries', status: 500, count: 3 });
    const { requests, error } = await requestsDuring(() => client({ maxRetries: 2 }).historicalSummaries());
    assertApiError(error, { code: 'losant_unavailable', status: 502, httpStatus: 500, attempts: 3 });
    assert.equal(requests.length, 3);
    assert.equal(sleeps.length, 2);
  });

  void test('429s that never stop end as losant_busy (503)', async () => {
    sim.injectFaults({ action: 'get', status: 429, count: 2 });
    const { error } = await requestsDuring(() => client({ maxRetries: 1 }).get());
    assertApiError(error, { code: 'losant_busy', status: 503, httpStatus: 429, losantType: 'TooManyRequests', attempts: 2 });
  });

  void test('a GET that times out is retried and then succeeds', async () => {
    sim.injectFaults({ action: 'get', status: 200, count: 1, delayMs: 400 });
    const { requests, error, value } = await requestsDuring(() => client({ timeoutMs: 150 }).get());
    assert.equal(error, undefined);
    assert.equal(value?.id, sim.instanceId);
    assert.equal(requests.length, 2);
  });

  void test('GETs that keep timing out end as losant_timeout', async () => {
    sim.injectFaults({ action: 'deviceCounts', status: 200, count: 2, delayMs: 400 });
    const { requests, error } = await requestsDuring(() => client({ timeoutMs: 100, maxRetries: 1 }).deviceCounts({ start: START, end: END }));
    assertApiError(error, { code: 'losant_timeout', httpStatus: undefined, attempts: 2 });
    assert.equal(requests.length, 2);
  });

  void test('a connection dropped mid-request is retried for a GET', async () => {
    sim.injectFaults({ action: 'notebookMinuteCounts', status: 0, count: 1 });
    const { requests, error } = await requestsDuring(() => client().notebookMinuteCounts({ start: START, end: END }));
    assert.equal(error, undefined);
    assert.equal(requests.length, 2);
  });

  void test('a patch that answered 503 is retried (setting the same fields twice is harmless)', async () => {
    sim.injectFaults({ action: 'patch', status: 503, count: 1 });
    const { requests, value } = await requestsDuring(() => client().patch({ mfaMode: 'notRequired' }));
    assert.equal(requests.length, 2);
    assert.equal(value?.mfaMode, 'notRequired');
  });
});

void describe('generateReport is retried only when no job can have been queued', () => {
  void test('a 503 answer is retried and the report is queued once', async () => {
    sim.injectFaults({ action: 'generateReport', status: 503, count: 1 });
    const jobsBefore = sim.jobs.length;
    const { requests, value } = await requestsDuring(() => client().generateReport({ dateGroupBy: 'month' }));
    assert.equal(requests.length, 2);
    assert.equal(sim.jobs.length, jobsBefore + 1);
    assert.equal(value?.jobId, sim.jobs.at(-1)?.jobId);
  });

  void test('a 429 (a report already running) is retried after the wait Losant asks for', async () => {
    sim.injectFaults({ action: 'generateReport', status: 429, count: 1, retryAfterSeconds: 1 });
    const { requests, value } = await requestsDuring(() => client().generateReport());
    assert.equal(requests.length, 2);
    assert.deepEqual(sleeps, [1_000]);
    assert.equal(value?.legacy, false);
  });

  void test('a timeout is not retried: losant_outcome_unknown, and the job may indeed exist', async () => {
    sim.injectFaults({ action: 'generateReport', status: 202, count: 1, delayMs: 300 });
    const jobsBefore = sim.jobs.length;
    const { requests, error } = await requestsDuring(() => client({ timeoutMs: 100 }).generateReport({ dateGroupBy: 'day' }));
    assertApiError(error, { code: 'losant_outcome_unknown', action: 'generateReport', httpStatus: undefined, attempts: 1 });
    assert.equal(requests.length, 1);
    assert.deepEqual(sleeps, []);
    // The simulator goes on and queues the job after its delay: exactly why a retry would be unsafe.
    const deadline = Date.now() + 60_000;
    while (sim.jobs.length === jobsBefore && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(sim.jobs.length, jobsBefore + 1);
  });

  void test('a connection dropped after the request was sent is not retried: losant_outcome_unknown', async () => {
    sim.injectFaults({ action: 'generateReport', status: 0, count: 1 });
    const { requests, error } = await requestsDuring(() => client().generateReport());
    assertApiError(error, { code: 'losant_outcome_unknown', attempts: 1 });
    assert.equal(requests.length, 1);
  });

  void test('a refused connection proves nothing was sent, so it is retried', async () => {
    const closedPort = await freePort();
    const { error } = await requestsDuring(() => client({ baseUrl: `http://127.0.0.1:${closedPort}`, maxRetries: 2 }).generateReport());
    assertApiError(error, { code: 'losant_unreachable', status: 503, httpStatus: undefined, attempts: 3 });
    assert.equal(sleeps.length, 2);
  });

  void test('the old 200 {success: true} answer is accepted as a legacy result without a job id', async () => {
    sim.injectFaults({ action: 'generateReport', status: 200, count: 1, body: { success: true } });
    const result = await client().generateReport();
    assert.deepEqual(result, { jobId: null, legacy: true });
  });
});

void describe('malformed answers are errors at the edge', () => {
  void test('a count answer missing its counts is losant_bad_response (502), not retried', async () => {
    sim.injectFaults({ action: 'deviceCounts', status: 200, count: 1, body: { start: '2026-02-01T00:00:00.000Z', end: 'yesterday' } });
    const { requests, error } = await requestsDuring(() => client().deviceCounts({ start: START, end: END }));
    assertApiError(error, { code: 'losant_bad_response', status: 502, httpStatus: 200, attempts: 1 });
    assert.match((error as Error).message, /counts/u);
    assert.match((error as Error).message, /end/u);
    assert.equal(requests.length, 1);
  });

  void test('an instance whose id is a number is losant_bad_response', async () => {
    sim.injectFaults({ action: 'get', status: 200, count: 1, body: { id: 42, instanceId: sim.instanceId, name: 'x' } });
    const { error } = await requestsDuring(() => client().get());
    assertApiError(error, { code: 'losant_bad_response', action: 'get' });
    assert.match((error as Error).message, /id/u);
  });

  void test('a 202 whose job id is longer than 21 characters is losant_bad_response', async () => {
    sim.injectFaults({ action: 'generateReport', status: 202, count: 1, body: { jobQueued: true, jobId: 'x'.repeat(22), success: true } });
    const { error } = await requestsDuring(() => client().generateReport());
    assertApiError(error, { code: 'losant_bad_response', action: 'generateReport', httpStatus: 202 });
  });

  void test('Losant’s own published example of every answer is accepted', () => {
    const examples: Array<[string, { safeParse: (value: unknown) => { success: boolean } }]> = [
      ['instance', instanceSchema],
      ['deviceCounts', deviceCountsSchema],
      ['notebookMinuteCounts', notebookMinuteCountsSchema],
      ['payloadStats', payloadStatsSchema],
      ['payloadCountsBreakdown', payloadCountsBreakdownSchema],
      ['historicalSummaries', historicalSummariesSchema],
      ['jobEnqueuedApiResult', jobEnqueuedApiResultSchema],
      ['success', successSchema],
      ['error', errorSchema],
    ];
    for (const [name, schema] of examples) {
      const example: unknown = JSON.parse(readFileSync(new URL(`../fixtures/losant/examples/${name}.json`, import.meta.url), 'utf8'));
      assert.ok(schema.safeParse(example).success, `examples/${name}.json`);
    }
  });

  void test('extra fields in an answer are kept, not refused', async () => {
    sim.injectFaults({
      action: 'payloadCountsBreakdown',
      status: 200,
      count: 1,
      body: {
        start: '2026-02-01T00:00:00.000Z',
        end: '2026-02-01T23:59:59.999Z',
        counts: [{ date: '2026-02-01T00:00:00.000Z', value: 3, extra: 'kept' }],
        next: 1,
      },
    });
    const value = await client().payloadCountsBreakdown({ start: START, end: START + DAY - 1 });
    assert.equal(value.counts[0]?.value, 3);
    assert.equal((value as Record<string, unknown>).next, 1);
  });
});

void describe('edges the simulator has no switch for (a small local server)', () => {
  let server: Server;
  let base: string;
  let hits: Array<{ url: string; authorization: string | undefined }>;
  let answer: (req: IncomingMessage, res: ServerResponse) => void;

  before(async () => {
    server = createServer((req, res) => {
      hits.push({ url: req.url ?? '', authorization: req.headers.authorization });
      req.resume();
      req.on('end', () => answer(req, res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    hits = [];
  });

  const local = (overrides: Partial<LosantClientOptions> = {}) => client({ baseUrl: base, instanceId: OTHER_INSTANCE_ID, token: 'local-token', ...overrides });

  void test('a Retry-After given as an HTTP date is honoured', async () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    let first = true;
    answer = (_req, res) => {
      if (first) {
        first = false;
        res
          .writeHead(503, { 'retry-after': 'Sun, 01 Mar 2026 12:00:07 GMT', 'content-type': 'application/json' })
          .end('{"type":"Unavailable","message":"later"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: [], count: 0, totalCount: 0, perPage: 100, page: 0 }));
    };
    const page = await local({ now: () => now }).historicalSummaries();
    assert.equal(page.totalCount, 0);
    assert.deepEqual(sleeps, [7_000]);
  });

  void test('a redirect is not followed, so the token never goes elsewhere', async () => {
    answer = (_req, res) => res.writeHead(302, { location: 'http://127.0.0.1:1/steal' }).end();
    const { error } = await requestsDuring(() => local().get());
    assertApiError(error, { code: 'losant_unexpected_status', httpStatus: 302, attempts: 1 });
    assert.equal(hits.length, 1);
  });

  void test('a 2xx body that is not JSON is losant_bad_response', async () => {
    answer = (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
    const { error } = await requestsDuring(() => local().get());
    assertApiError(error, { code: 'losant_bad_response', httpStatus: 200 });
  });

  void test('an error answer that is not Losant-shaped still maps by its status', async () => {
    answer = (_req, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html>bad gateway</html>');
    const { error } = await requestsDuring(() => local({ maxRetries: 1 }).get());
    assertApiError(error, { code: 'losant_unavailable', httpStatus: 502, losantType: undefined, attempts: 2 });
    assert.equal(hits.length, 2);
  });

  void test('retries are logged without the token', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logger = createLogger({ level: 'debug', destination });
    let calls = 0;
    answer = (_req, res) => {
      calls += 1;
      if (calls === 1) res.writeHead(500, { 'content-type': 'application/json' }).end('{"type":"Internal","message":"oops"}');
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: OTHER_INSTANCE_ID, instanceId: OTHER_INSTANCE_ID, name: 'L' }));
    };
    await local({ logger, token: 'secret-token-never-logged' }).get();
    const log = lines.join('');
    assert.match(log, /retrying/u);
    assert.match(log, /"httpStatus":500/u);
    assert.doesNotMatch(log, /secret-token-never-logged/u);
    assert.equal(hits[0]?.authorization, 'Bearer secret-token-never-logged');
  });
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
