import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import request from 'supertest';
import { z } from 'zod';
import { adminRouters, type AppDeps } from '../../src/http/app.js';
import { ADMIN_ROUTES } from '../../src/http/contract/admin-answers.js';
import { reportListQuerySchema } from '../../src/http/contract/admin-requests.js';
import { openApiPath } from '../../src/http/contract/openapi.js';
import { packageVersion } from '../../src/package-version.js';
import { reportRequestSchema } from '../../src/reports/request-report.js';
import { redisKeys } from '../../src/redis-keys.js';
import { runPeriod } from '../../src/schedules/run-period.js';
import type { Simulator } from '../../src/sim/index.js';
import { answerSchemaPointer, apiDocument, documentProblemsOfBody, documentProblemsWith } from '../helpers/admin-api-document.js';
import { startAdminService, type AdminService } from '../helpers/admin-service.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { createAwaitingReport } from '../helpers/reports.js';
import type { RunningService } from '../helpers/service.js';

/**
 * The admin API's contract (src/http/contract/): every route answers every listed status with its
 * schema and as the API document says (the test helpers check each answer as it is sent; stop()
 * fails on a violation), the document is valid OpenAPI 3.1 and names every route the routers
 * hold, and the stored record's bookkeeping never reaches an answer.
 */

let sim: Simulator;
let service: RunningService;
const auth = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
const CSV = 'resourceType,resourceId,resourceName,deviceCount\norganization,o1,Acme,3\n';

/** A report with a stored callback (no worker runs here, so it stays callback_received). */
async function reportWithCallback(headers: Record<string, string> = {}): Promise<string> {
  const { id, path } = await createAwaitingReport(service.store, service.url);
  const answer = await request(service.url).post(path).set('Content-Type', 'text/csv').set(headers).send(CSV);
  assert.equal(answer.status, 202, answer.text);
  return id;
}

describe('admin API contract', () => {
  let admin: AdminService;
  before(async () => {
    admin = await startAdminService('contract');
    ({ sim, service } = admin);
  });
  after(async () => {
    await admin.close();
  });

  test('every route answers each status it lists with the body its schema describes', async () => {
    const admin = (method: 'get' | 'post' | 'put' | 'delete', path: string) => request(service.url)[method](path).set(auth);

    assert.equal((await request(service.url).get('/admin/reports')).status, 401);
    const created = await admin('post', '/admin/reports').send({});
    assert.equal(created.status, 202);
    await sim.waitForJob(created.body.report.losant.jobId);
    assert.equal((await admin('post', '/admin/reports').send({ start: 'yesterday' })).status, 400);
    sim.injectFaults({ action: 'generateReport', status: 400, count: 1, body: { type: 'Validation', message: 'refused' } });
    const refused = await admin('post', '/admin/reports').send({});
    assert.equal(refused.status, 400);
    assert.equal(refused.body.report.status, 'failed');

    assert.equal((await admin('get', '/admin/reports?limit=2')).status, 200);
    assert.equal((await admin('get', '/admin/reports?status=bogus')).status, 400);
    assert.equal((await admin('get', `/admin/reports/${created.body.report.id}`)).status, 200);
    assert.equal((await admin('get', '/admin/reports/r0000000000000000000000000')).status, 404);

    const id = await reportWithCallback();
    assert.equal((await admin('get', `/admin/reports/${id}/callback`)).status, 200);
    assert.equal((await admin('get', `/admin/reports/${created.body.report.id}/callback`)).status, 404);
    assert.equal((await admin('get', `/admin/reports/${id}/rejected-callbacks`)).status, 200);
    const awaiting = await createAwaitingReport(service.store, service.url);
    await service.store.markAccepted(awaiting.id, { jobId: 'job-A', acceptedAt: null, legacy: false }, 'queued');
    assert.equal((await request(service.url).post(awaiting.path).send({ jobId: 'job-B' })).status, 409);
    const [refusedCallback] = (await admin('get', `/admin/reports/${awaiting.id}/rejected-callbacks`)).body.items;
    assert.equal((await admin('get', refusedCallback.bodyUrl)).status, 200);
    const running = await admin('post', `/admin/reports/${id}/retry`);
    assert.deepEqual([running.status, running.body.started], [200, false], 'still in the pipeline: nothing started');
    const failed = await service.store.markFailed(
      id,
      { error: { step: 'download', code: 'download_timeout', message: 'timed out', permanent: false, at: new Date().toISOString() } },
      'failed by the test',
    );
    assert.ok(failed.ok);
    const retried = await admin('post', `/admin/reports/${id}/retry`);
    assert.deepEqual([retried.status, retried.body.started], [202, true]);
    assert.equal((await admin('post', `/admin/reports/${refused.body.report.id}/retry`)).status, 409);
    await sim.waitForJob(created.body.report.losant.jobId);
    assert.ok((await service.store.markOverdue(created.body.report.id, 'overdue, for the test')).ok);
    const askedAgain = await admin('post', `/admin/reports/${created.body.report.id}/re-request`);
    assert.equal(askedAgain.status, 202, askedAgain.text);
    await sim.waitForJob(askedAgain.body.report.losant.jobId);
    assert.equal((await admin('post', `/admin/reports/${created.body.report.id}/re-request`)).status, 409);

    const schedule = await admin('post', '/admin/schedules').send({ cron: '0 6 1 * *', timezone: 'UTC', resourceGroupBy: 'organization', dateGroupBy: 'day' });
    assert.equal(schedule.status, 201, schedule.text);
    const scheduleId = schedule.body.schedule.id as string;
    assert.equal((await admin('get', '/admin/schedules')).status, 200);
    assert.equal((await admin('get', `/admin/schedules/${scheduleId}`)).status, 200);
    assert.equal((await admin('put', `/admin/schedules/${scheduleId}`).send({ name: 'monthly by organization' })).status, 200);
    assert.equal((await admin('post', `/admin/schedules/${scheduleId}/rotate-secret`).send({})).status, 200);
    // A missed run as the check records it, then listed and re-requested (once: the second is a conflict).
    const fireTime = '2026-01-01T06:00:00.000Z';
    await service.web!.missedRunStore.add({
      scheduleId,
      fireTime,
      period: runPeriod({ dateGroupBy: 'day', periods: 1 }, new Date(fireTime)),
      detectedAt: new Date().toISOString(),
      state: 'missed',
      reRequestedReportId: null,
      reRequestedAt: null,
      arrivedAt: null,
      arrivedReportId: null,
    });
    assert.equal((await admin('get', `/admin/schedules/${scheduleId}/missed-runs`)).status, 200);
    const reRequested = await admin('post', `/admin/schedules/${scheduleId}/missed-runs/${fireTime}/re-request`);
    assert.equal(reRequested.status, 202, reRequested.text);
    await sim.waitForJob(reRequested.body.report.losant.jobId);
    assert.equal((await admin('post', `/admin/schedules/${scheduleId}/missed-runs/${fireTime}/re-request`)).status, 409);
    assert.equal((await admin('post', `/admin/schedules/${scheduleId}/missed-runs/yesterday/re-request`)).status, 400);
    assert.equal((await admin('delete', `/admin/schedules/${scheduleId}`)).status, 204);
    assert.equal((await admin('get', `/admin/schedules/${scheduleId}`)).status, 404);

    const backfilled = await admin('post', '/admin/insights/backfill').send({ months: 2 });
    assert.equal(backfilled.status, 200, backfilled.text);
    assert.equal((await admin('post', '/admin/insights/backfill').send({ months: 0 })).status, 400);
    sim.injectFaults({ action: 'historicalSummaries', status: 500, count: 2 });
    assert.equal((await admin('post', '/admin/insights/backfill').send({ months: 1 })).status, 502);

    assert.equal((await admin('get', '/admin/openapi.json')).status, 200);

    const listed = ADMIN_ROUTES.flatMap((route) => Object.keys(route.answers).map((status) => `${route.method} ${route.path} ${status}`));
    assert.deepEqual(
      listed.filter((answer) => !service.answers.seen.has(answer)),
      [],
      'every listed answer was seen',
    );
    assert.deepEqual(service.answers.violations, []);
  });

  test("a stored record's bookkeeping never reaches an answer", async () => {
    const id = await reportWithCallback({ 'X-Forwarded-For': '203.0.113.77', Authorization: 'Bearer a-credential-of-the-sender' });
    const key = redisKeys(service.config.redis.prefix).report.record(id);
    const at = new Date().toISOString();
    await service.redis.hset(key, {
      runs: '7',
      emailAttempts: '3',
      losant: JSON.stringify({ jobId: 'job-1', acceptedAt: at, legacy: true }),
      interpretation: JSON.stringify({ kind: 'download', hosts: ['files.internal.example'], urlCount: 1 }),
      archive: JSON.stringify({
        csv: { key: 'hidden-archive-key', location: 'file:/archive/report.csv', sha256: 'a'.repeat(64), bytes: 10 },
        summary: null,
        at,
      }),
      email: JSON.stringify({
        messageId: '<m@x>',
        accepted: ['ops@example.com'],
        rejected: [],
        outboxPath: '/srv/outbox/hidden.eml',
        sentAt: at,
        attachment: 'report.csv',
      }),
      internalNote: 'a field this version does not know',
    });
    assert.equal((await service.store.get(id))?.callback?.headers['x-forwarded-for'], '203.0.113.77', 'the header is kept in the store');

    const answer = await request(service.url).get(`/admin/reports/${id}`).set(auth);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.report.archive.csv.location, 'file:/archive/report.csv', 'what the view names is there');
    assert.equal(answer.body.report.callback.headers['x-forwarded-for'], '203.0.113.77', 'the callback is shown as received');
    for (const hidden of [
      'a-credential-of-the-sender',
      'files.internal.example',
      'hidden-archive-key',
      '/srv/outbox',
      'emailAttempts',
      '"runs"',
      'legacy',
      'internalNote',
    ])
      assert.ok(!answer.text.includes(hidden), `${hidden} reached the answer`);

    const list = await request(service.url).get('/admin/reports?limit=200').set(auth);
    assert.ok(!list.text.includes('"summary"'), 'the list carries no summaries');
    assert.deepEqual(service.answers.violations, []);
  });

  test('GET /admin/openapi.json serves the document the answers are checked against, to the admin token only', async () => {
    assert.equal((await request(service.url).get('/admin/openapi.json')).status, 401);
    const served = await request(service.url).get('/admin/openapi.json').set(auth);
    assert.equal(served.status, 200);
    assert.match(served.headers['content-type'] ?? '', /^application\/json/u);
    assert.deepEqual(served.body, apiDocument);
    const { info, servers } = served.body as { info: { version: string }; servers: unknown };
    assert.equal(info.version, packageVersion());
    assert.deepEqual(servers, [{ url: '/', description: 'The service this document was read from' }]);
    assert.deepEqual(service.answers.violations, []);
  });
});

describe('the admin API document', () => {
  test('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(apiDocument);
    assert.deepEqual(result, { valid: true });
    assert.equal(apiDocument.openapi, '3.1.0');
  });

  test("names every route the admin routers hold, with the contract's operation, and nothing else", () => {
    // as: the routers only keep their dependencies for the handlers, which this test never calls.
    const deps = { schedules: {}, missedRuns: {}, trends: {} } as unknown as AppDeps;
    const registered = adminRouters(deps).flatMap((router) =>
      // as: Express 5's router keeps its layers in `stack`, each route's path and methods on `route`.
      (router as unknown as { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> }).stack.flatMap((layer) =>
        layer.route ? Object.keys(layer.route.methods).map((method) => `${method.toUpperCase()} ${layer.route?.path ?? ''}`) : [],
      ),
    );
    const contract = ADMIN_ROUTES.map((route) => `${route.method} ${route.path}`);
    assert.deepEqual([...registered].sort(), [...contract].sort());

    const paths = apiDocument.paths as Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>;
    const documented = Object.entries(paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));
    assert.deepEqual(documented.sort(), ADMIN_ROUTES.map((route) => `${route.method} ${openApiPath(route.path)}`).sort());
    const operationIds = ADMIN_ROUTES.map((route) => paths[openApiPath(route.path)]?.[route.method.toLowerCase()]?.operationId);
    assert.deepEqual(
      operationIds,
      ADMIN_ROUTES.map((route) => route.operationId),
    );
    assert.equal(new Set(operationIds).size, ADMIN_ROUTES.length, 'operation ids are unique');
    for (const route of ADMIN_ROUTES) {
      const responses = Object.keys(paths[openApiPath(route.path)]?.[route.method.toLowerCase()]?.responses ?? {});
      for (const status of [...Object.keys(route.answers), ...route.failures.map(String), '401', '429', '500', '503', 'default'])
        assert.ok(responses.includes(status), `${route.method} ${route.path} documents ${status}`);
    }
  });

  test('describes requests with the schemas the routes parse with', () => {
    const paths = apiDocument.paths as Record<string, Record<string, Record<string, unknown>>>;
    const plain = (schema: z.ZodType) => {
      const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input' });
      return rest;
    };
    const requestBody = paths['/admin/reports']?.post?.requestBody as { required: boolean; content: Record<string, { schema: unknown }> };
    assert.deepEqual(requestBody.content['application/json']?.schema, plain(reportRequestSchema));
    assert.equal(requestBody.required, false, 'an empty body asks for the default report');
    const listParameters = paths['/admin/reports']?.get?.parameters as Array<{ name: string; in: string; required: boolean; schema: unknown }>;
    const query = plain(reportListQuerySchema) as { properties: Record<string, unknown> };
    assert.deepEqual(
      listParameters.map(({ name, in: where, required, schema }) => ({ name, where, required, schema })),
      Object.entries(query.properties).map(([name, schema]) => ({ name, where: 'query', required: false, schema })),
    );
    const reportParameters = paths['/admin/reports/{id}']?.get?.parameters as Array<{
      name: string;
      in: string;
      required: boolean;
      schema: { pattern?: string };
    }>;
    assert.deepEqual(
      reportParameters.map(({ name, in: where, required }) => ({ name, where, required })),
      [{ name: 'id', where: 'path', required: true }],
    );
    assert.ok(new RegExp(reportParameters[0]?.schema.pattern ?? '^$', 'u').test('r0000000000000000000000000'));
    for (const [path, method] of [
      ['/admin/schedules', 'post'],
      ['/admin/schedules/{id}', 'put'],
      ['/admin/schedules/{id}/rotate-secret', 'post'],
    ] as const)
      assert.ok(paths[path]?.[method]?.requestBody, `${method.toUpperCase()} ${path} documents its body`);
  });

  test('catches an answer that is not what it says', () => {
    const list = { items: [], total: 0, offset: 0, limit: 50, nextOffset: null };
    const listAnswer = answerSchemaPointer('GET', '/admin/reports', 200);
    assert.deepEqual(documentProblemsOfBody(listAnswer, list), [], 'a right answer passes');
    const { nextOffset: _left, ...missing } = list;
    assert.match(documentProblemsOfBody(listAnswer, missing).join('; '), /nextOffset/u, 'a required field left out');
    assert.notDeepEqual(documentProblemsOfBody(listAnswer, { ...list, secretHash: 'x' }), [], 'a field the document does not name');
    assert.notDeepEqual(documentProblemsOfBody(listAnswer, { ...list, total: -1 }), [], 'a value out of range');
    // Through the check every answer of the tests goes through: an error without its code, and a 200 with no body.
    const json = 'application/json; charset=utf-8';
    assert.notDeepEqual(documentProblemsWith('GET', '/admin/reports/r0000000000000000000000000', 404, json, Buffer.from('{"error":{"message":"x"}}')), []);
    assert.notDeepEqual(documentProblemsWith('GET', '/admin/reports', 200, json, Buffer.from('{}')), []);
    assert.notDeepEqual(documentProblemsWith('DELETE', '/admin/schedules/s0000000000000000000000000', 204, json, Buffer.from('{}')), []);
    assert.notDeepEqual(documentProblemsWith('GET', '/admin/reports/r0000000000000000000000000/callback', 200, json, Buffer.from('{}')), []);
  });
});
