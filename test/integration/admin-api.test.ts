import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import type { Simulator } from '../../src/sim/index.js';
import { startAdminService, type AdminService } from '../helpers/admin-service.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { startService, type RunningService } from '../helpers/service.js';

let sim: Simulator;
let service: RunningService;
const auth = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

/** The rate limit counts per clock minute: start a counting test well inside one. */
async function awayFromMinuteBoundary(): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 57_000) await new Promise((resolve) => setTimeout(resolve, 60_500 - intoMinute));
}

describe('admin API', () => {
  let admin: AdminService;
  before(async () => {
    admin = await startAdminService('admin');
    ({ sim, service } = admin);
  });
  after(async () => {
    await admin.close();
  });

  test('requests without the token, with a wrong one, or with a token in the query string get 401', async () => {
    const cases = [
      request(service.url).get('/admin/reports'),
      request(service.url).get('/admin/reports').set('Authorization', 'Bearer wrong-token-wrong-token'),
      request(service.url).get('/admin/reports').set('Authorization', TEST_ADMIN_TOKEN),
      request(service.url).get(`/admin/reports?token=${TEST_ADMIN_TOKEN}`),
      request(service.url).get(`/admin/reports?access_token=${TEST_ADMIN_TOKEN}`).set(auth),
    ];
    for (const pending of cases) {
      const response = await pending;
      assert.equal(response.status, 401);
      assert.equal(response.body.error.code, 'unauthorized');
    }
  });

  test('answers carry helmet security headers and no X-Powered-By', async () => {
    const response = await request(service.url).get('/healthz');
    assert.equal(response.status, 200);
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    assert.ok(response.headers['content-security-policy']);
    // Plain http:// on loopback: HSTS is for a service reached over HTTPS (https.test.ts).
    assert.equal(response.headers['strict-transport-security'], undefined);
    assert.equal(response.headers['x-powered-by'], undefined);
  });

  test('a report request is validated and every problem named', async () => {
    const response = await request(service.url)
      .post('/admin/reports')
      .set(auth)
      .send({ resourceGroupBy: 'planet', start: '2026-02-01T00:00:00Z', end: '2026-01-01T00:00:00Z', color: 'red' });
    assert.equal(response.status, 400);
    assert.equal(response.body.error.code, 'validation_failed');
    assert.match(response.body.error.message, /resourceGroupBy/u);
    assert.match(response.body.error.message, /color/u);
    const invalidJson = await request(service.url).post('/admin/reports').set(auth).set('Content-Type', 'application/json').send('{oops');
    assert.equal(invalidJson.status, 400);
    assert.equal(invalidJson.body.error.code, 'invalid_json');
    const nothing = await request(service.url).post('/admin/reports').set(auth).send({ email: false, archive: false });
    assert.equal(nothing.status, 400);
    assert.match(nothing.body.error.message, /nothing to deliver/u);
  });

  test('a valid request calls generateReport with a callback URL to this service and answers 202 with the record', async () => {
    const before = sim.requests.length;
    const response = await request(service.url)
      .post('/admin/reports')
      .set(auth)
      .send({ start: '2026-01-01T00:00:00Z', end: '2026-02-01T00:00:00Z', resourceGroupBy: 'application', dateGroupBy: 'month' });
    assert.equal(response.status, 202, JSON.stringify(response.body));
    const report = response.body.report;
    assert.equal(report.status, 'accepted');
    assert.equal(report.losant.jobId.length, 21);
    assert.deepEqual(report.delivery, { email: true, archive: true, recipients: ['ops@example.com'] });
    assert.equal(report.secretHash, undefined);
    const sent = sim.requests.slice(before).find((entry) => entry.action === 'generateReport');
    const body = sent?.body as { callbackUrl: string; resourceGroupBy: string };
    assert.ok(body.callbackUrl?.startsWith(`${service.url}/callbacks/r/${report.id}/`));
    assert.equal(body.resourceGroupBy, 'application');
    assert.equal(JSON.stringify(report).includes(body.callbackUrl.split('/').pop()!), false, 'the secret is not in the answer');
  });

  test('reports are listed newest first, filtered by status, and read one by one', async () => {
    await sim.waitForJob(sim.jobs.at(-1)!.jobId);
    const created = await request(service.url).post('/admin/reports').set(auth).send({ archive: true, email: false });
    assert.equal(created.status, 202);
    const list = await request(service.url).get('/admin/reports?limit=1').set(auth);
    assert.equal(list.status, 200);
    assert.equal(list.body.items[0].id, created.body.report.id);
    assert.ok(list.body.total >= 2);
    assert.equal(list.body.nextOffset, 1);
    const accepted = await request(service.url).get('/admin/reports?status=accepted').set(auth);
    assert.ok(accepted.body.items.every((item: { status: string }) => item.status === 'accepted'));
    const one = await request(service.url).get(`/admin/reports/${created.body.report.id}`).set(auth);
    assert.equal(one.body.report.history[0].status, 'requested');
    assert.equal((await request(service.url).get('/admin/reports/r000000000aaaaaaaaaaaaaaaa').set(auth)).status, 404);
    assert.equal((await request(service.url).get('/admin/reports?status=bogus').set(auth)).status, 400);
  });

  test('Losant refusing the request gives a clear error and a failed record that says why', async () => {
    await sim.waitForJob(sim.jobs.at(-1)!.jobId);
    sim.injectFaults({ action: 'generateReport', status: 400, count: 1, body: { type: 'Validation', message: 'start is too far in the past' } });
    const refused = await request(service.url).post('/admin/reports').set(auth).send({});
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error.code, 'losant_rejected');
    assert.equal(refused.body.report.status, 'failed');
    assert.equal(refused.body.report.error.step, 'request');
    assert.match(refused.body.report.error.message, /too far in the past/u);

    sim.injectFaults({ action: 'generateReport', status: 429, count: 5 });
    const busy = await request(service.url).post('/admin/reports').set(auth).send({});
    assert.equal(busy.status, 503);
    assert.equal(busy.body.error.code, 'losant_busy');
    assert.equal(busy.body.report.status, 'failed');
  });

  test('retrying a report that never got a callback is refused with a reason', async () => {
    await sim.waitForJob(sim.jobs.at(-1)!.jobId);
    sim.injectFaults({ action: 'generateReport', status: 400, count: 1 });
    const refused = await request(service.url).post('/admin/reports').set(auth).send({});
    const retry = await request(service.url).post(`/admin/reports/${refused.body.report.id}/retry`).set(auth);
    assert.equal(retry.status, 409);
    assert.match(retry.body.error.message, /request a new report/u);
  });
});

describe('admin API rate limit', () => {
  let limited: RunningService;
  const BAD = 'Bearer nope-nope-nope-nope';
  const GOOD = `Bearer ${TEST_ADMIN_TOKEN}`;
  /** A request as a proxy one hop in front would pass it on: whatever the client wrote, then the client's real address. */
  const from = (client: string, authorization: string, spoofed?: string) =>
    request(limited.url)
      .get('/admin/reports')
      .set('Authorization', authorization)
      .set('X-Forwarded-For', spoofed ? `${spoofed}, ${client}` : client);

  before(async () => {
    limited = await startService({
      worker: false,
      name: 'ratelimit',
      env: { ADMIN_RATE_LIMIT_PER_MINUTE: '3', ADMIN_AUTH_FAILURES_PER_MINUTE: '5', TRUST_PROXY: '1' },
    });
  });
  after(async () => {
    await limited.stop();
  });

  test('more requests than the limit in a minute get 429 with Retry-After', async () => {
    await awayFromMinuteBoundary();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const response = await from('192.0.2.10', GOOD);
      statuses.push(response.status);
      if (response.status === 429) assert.ok(Number(response.headers['retry-after']) > 0);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
  });

  test('a forged X-Forwarded-For does not buy a new budget: the real client address (the last hop) is counted', async () => {
    await awayFromMinuteBoundary();
    const good: number[] = [];
    const bad: number[] = [];
    for (let i = 0; i < 8; i += 1) good.push((await from('192.0.2.20', GOOD, `198.51.100.${i + 1}`)).status);
    for (let i = 0; i < 8; i += 1) bad.push((await from('192.0.2.21', BAD, `198.51.100.${i + 1}`)).status);
    assert.deepEqual(good, [200, 200, 200, 429, 429, 429, 429, 429]);
    assert.deepEqual(bad, [401, 401, 401, 401, 401, 429, 429, 429]);
  });

  test('a flood of wrong tokens gets 429, then the flooding address is refused even with the token (which is not checked), but no other address is', async () => {
    await awayFromMinuteBoundary();
    const flood: number[] = [];
    for (let i = 0; i < 12; i += 1) flood.push((await from('192.0.2.30', BAD)).status);
    assert.deepEqual(flood, [...Array<number>(5).fill(401), ...Array<number>(7).fill(429)]);
    const limitedAnswer = await from('192.0.2.30', BAD);
    assert.equal(limitedAnswer.status, 429);
    assert.ok(Number(limitedAnswer.headers['retry-after']) > 0);
    assert.equal((await from('192.0.2.31', GOOD)).status, 200, 'another address');
    // Were the token checked here, a guesser over the limit would still learn which guess is right.
    assert.equal((await from('192.0.2.30', GOOD)).status, 429, 'the flooding address, with the token');
    assert.equal((await from('192.0.2.31', GOOD)).status, 200);
  });

  test('IPv6 clients in one /64 share a budget', async () => {
    await awayFromMinuteBoundary();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await from(`2001:db8:5:6::${i + 1}`, GOOD)).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    assert.equal((await from('2001:db8:5:7::1', GOOD)).status, 200, 'the next /64 has its own');
  });
});

describe('behind a proxy', () => {
  const limitedTo = (service: RunningService, forwardedFor: string) =>
    request(service.url).get('/admin/reports').set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`).set('X-Forwarded-For', forwardedFor);

  test('X-Forwarded-For is ignored unless TRUST_PROXY says a proxy is in front', async () => {
    const direct = await startService({ worker: false, name: 'noproxy', env: { ADMIN_RATE_LIMIT_PER_MINUTE: '1' } });
    const proxied = await startService({ worker: false, name: 'proxy', env: { ADMIN_RATE_LIMIT_PER_MINUTE: '1', TRUST_PROXY: '1' } });
    try {
      await awayFromMinuteBoundary();
      assert.equal((await limitedTo(direct, '203.0.113.1')).status, 200);
      assert.equal((await limitedTo(direct, '203.0.113.2')).status, 429, 'a forged header does not buy a new budget');
      assert.equal((await limitedTo(proxied, '203.0.113.1')).status, 200);
      assert.equal((await limitedTo(proxied, '203.0.113.2')).status, 200, 'each real client has its own budget');
      assert.equal((await limitedTo(proxied, '203.0.113.2')).status, 429);
    } finally {
      await direct.stop();
      await proxied.stop();
    }
  });
});
