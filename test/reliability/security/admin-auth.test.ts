import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { generateId } from '../../../src/reports/secrets.js';
import { TEST_ADMIN_TOKEN } from '../../helpers/config.js';
import { AUTH, rawRequest, startHarness, type Harness, type RawResponse } from './harness.js';

/*
 * Item 9: the admin API lets nobody in without the bearer token, whatever the route or method,
 * reads no body before the token is checked, limits every client's rate, and every answer of the
 * service carries helmet's headers. The GET /admin/reports basics (no token, wrong token, token in
 * the query) and a first rate-limit check are in test/integration/admin-api.test.ts.
 */

let harness: Harness;
let scheduleId: string;
const ROUTES: Array<[method: string, path: () => string]> = [
  ['GET', () => '/admin/reports'],
  ['POST', () => '/admin/reports'],
  ['GET', () => `/admin/reports/${generateId('r')}`],
  ['GET', () => `/admin/reports/${generateId('r')}/callback`],
  ['POST', () => `/admin/reports/${generateId('r')}/retry`],
  ['GET', () => '/admin/schedules'],
  ['POST', () => '/admin/schedules'],
  ['GET', () => `/admin/schedules/${scheduleId}`],
  ['PUT', () => `/admin/schedules/${scheduleId}`],
  ['DELETE', () => `/admin/schedules/${scheduleId}`],
  ['POST', () => `/admin/schedules/${scheduleId}/rotate-secret`],
  ['GET', () => '/admin'],
  ['GET', () => '/admin/no-such-route'],
];

const WRONG_CREDENTIALS: Array<[name: string, headers: Record<string, string>, query?: string]> = [
  ['no credentials', {}],
  ['a wrong bearer token', { authorization: 'Bearer wrong-token-wrong-token-wrong' }],
  ['the token with one more character', { authorization: `Bearer ${TEST_ADMIN_TOKEN}x` }],
  ['the token less its last character', { authorization: `Bearer ${TEST_ADMIN_TOKEN.slice(0, -1)}` }],
  ['the token without the Bearer scheme', { authorization: TEST_ADMIN_TOKEN }],
  ['the token as Basic credentials', { authorization: `Basic ${Buffer.from(`admin:${TEST_ADMIN_TOKEN}`).toString('base64')}` }],
  ['the token in another header', { 'x-admin-token': TEST_ADMIN_TOKEN, 'x-api-key': TEST_ADMIN_TOKEN }],
  ['the token in a cookie', { cookie: `token=${TEST_ADMIN_TOKEN}` }],
  ['the token in the query string alone', {}, `?token=${TEST_ADMIN_TOKEN}`],
  ['the token in the query string beside a valid header', { ...AUTH }, `?access_token=${TEST_ADMIN_TOKEN}`],
  ['an API key in the query string beside a valid header', { ...AUTH }, `?api_key=${TEST_ADMIN_TOKEN}`],
];

function send(method: string, path: string, headers: Record<string, string> = {}, body = '{}'): Promise<RawResponse> {
  return rawRequest(`${harness.service.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(method === 'GET' ? {} : { body }),
  });
}

const json = (response: RawResponse): { error?: { code?: string } } => JSON.parse(response.body.toString('utf8') || '{}');

/** Helmet's headers, which every answer must carry. */
function assertHelmet(response: { headers: Record<string, string | string[] | undefined> }, what: string): void {
  const h = response.headers;
  assert.match(String(h['content-security-policy']), /default-src 'self'/u, `${what}: CSP`);
  assert.match(String(h['content-security-policy']), /frame-ancestors 'self'/u, `${what}: CSP frame-ancestors`);
  assert.equal(h['x-content-type-options'], 'nosniff', `${what}: nosniff`);
  assert.equal(h['x-frame-options'], 'SAMEORIGIN', `${what}: X-Frame-Options`);
  // PUBLIC_URL is plain http:// on loopback here: no HSTS (https.test.ts checks it where it belongs).
  assert.equal(h['strict-transport-security'], undefined, `${what}: HSTS on plain HTTP`);
  assert.equal(h['referrer-policy'], 'no-referrer', `${what}: Referrer-Policy`);
  assert.equal(h['cross-origin-opener-policy'], 'same-origin', `${what}: COOP`);
  assert.equal(h['cross-origin-resource-policy'], 'same-origin', `${what}: CORP`);
  assert.equal(h['x-powered-by'], undefined, `${what}: X-Powered-By`);
}

describe('admin API authentication', () => {
  before(async () => {
    // These tests send hundreds of wrong credentials on purpose; the failure bucket is tested below.
    harness = await startHarness({ name: 'sec-admin', worker: false, env: { CALLBACK_MAX_BYTES: '65536', ADMIN_AUTH_FAILURES_PER_MINUTE: '100000' } });
    const created = await request(harness.service.url).post('/admin/schedules').set(AUTH).send({ cron: '0 4 1 * *', email: false, archive: true });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    scheduleId = created.body.schedule.id as string;
  });
  after(async () => {
    await harness.close();
  });

  for (const [name, headers, query = ''] of WRONG_CREDENTIALS) {
    test(`every admin route and method answers 401 to ${name}`, async () => {
      for (const [method, path] of ROUTES) {
        const response = await send(method, `${path()}${query}`, headers);
        assert.equal(response.status, 401, `${method} ${path()}${query}`);
        assert.equal(json(response).error?.code, 'unauthorized');
        assertHelmet(response, `${method} ${path()} 401`);
      }
    });
  }

  test('with the token every route is reachable, so the 401s above are about the token', async () => {
    for (const [method, path] of ROUTES) {
      if (method === 'DELETE') continue; // kept for the state checks below
      const response = await send(method, path(), { ...AUTH }, method === 'PUT' ? '{"name":"renamed"}' : '{}');
      assert.notEqual(response.status, 401, `${method} ${path()}`);
      assert.ok(response.status < 500, `${method} ${path()}: ${response.status} ${response.body.toString('utf8')}`);
    }
  });

  test('no body is read before the token is checked: invalid or oversized JSON without it is a 401, not a 400 or 413', async () => {
    for (const body of ['{oops', `{"x":"${'a'.repeat(200_000)}"}`, '\u0000\u00ff']) {
      const response = await send('POST', '/admin/reports', {}, body);
      assert.equal(response.status, 401);
    }
    assert.equal((await send('POST', '/admin/reports', { ...AUTH }, '{oops')).status, 400, 'with the token the same body is parsed');
  });

  test('refused requests change nothing: no report requested from Losant, the schedule neither deleted nor rotated', async () => {
    const stored = await harness.service.web!.schedules.get(scheduleId);
    const losantCalls = harness.sim.requests.length;
    const reports = (await harness.service.store.list({ offset: 0, limit: 1 })).total;
    const wrong = { authorization: 'Bearer wrong-token-wrong-token-wrong' };
    assert.equal((await send('POST', '/admin/reports', wrong, '{"email":false}')).status, 401);
    assert.equal((await send('POST', '/admin/schedules', wrong, '{"cron":"0 5 1 * *","email":false}')).status, 401);
    assert.equal((await send('DELETE', `/admin/schedules/${scheduleId}`, wrong)).status, 401);
    assert.equal((await send('POST', `/admin/schedules/${scheduleId}/rotate-secret`, wrong, '{"graceSeconds":0}')).status, 401);
    assert.equal(harness.sim.requests.length, losantCalls, 'Losant was not called');
    assert.equal((await harness.service.store.list({ offset: 0, limit: 1 })).total, reports);
    const after = await request(harness.service.url).get(`/admin/schedules/${scheduleId}`).set(AUTH);
    assert.equal(after.status, 200);
    assert.equal(after.body.schedule.previousSecretValidUntil, stored.previousSecretValidUntil, 'the secret was not rotated');
    assert.equal(after.body.schedule.updatedAt, stored.updatedAt);
  });

  test('paths that only look like /admin in another case or with extra slashes never reach a handler', async () => {
    for (const path of ['/ADMIN/reports', '/Admin/reports', '//admin/reports', '/admin//reports', '/%61dmin/reports', '/admin%2Freports']) {
      const response = await send('GET', path, {});
      assert.ok([401, 404].includes(response.status), `${path}: ${response.status}`);
      assert.equal(response.body.toString('utf8').includes('"items"'), false, `${path} listed reports`);
    }
  });

  test('answers of the admin API never carry a callback secret', async () => {
    const report = await harness.newReport();
    const schedule = harness.sim.requests
      .filter((entry) => entry.action === 'patch')
      .flatMap((entry) => (entry.body as { reportConfigs: Array<{ callbackUrl: string }> }).reportConfigs)
      .map((config) => config.callbackUrl.split('/').at(-1)!);
    const answers = await Promise.all(
      [`/admin/reports/${report.id}`, '/admin/reports', '/admin/schedules', `/admin/schedules/${scheduleId}`].map((path) =>
        request(harness.service.url).get(path).set(AUTH),
      ),
    );
    const text = answers.map((answer) => JSON.stringify(answer.body)).join('\n');
    assert.ok(text.includes(report.id) && text.includes(scheduleId));
    for (const secret of [report.secret, ...schedule]) assert.equal(text.includes(secret), false, 'a secret is in an admin answer');
    assert.equal(text.includes('secretHash'), false, 'a secret hash is in an admin answer');
  });

  test('a kept callback body is served as an inert download, never as a page', async () => {
    const report = await harness.newReport();
    const body = '<html><body><script>alert(document.cookie)</script></body></html>';
    assert.equal((await rawRequest(report.callbackUrl, { headers: { 'content-type': 'text/html; charset=utf-8' }, body })).status, 202);
    const kept = await request(harness.service.url).get(`/admin/reports/${report.id}/callback`).set(AUTH).buffer(true);
    assert.equal(kept.status, 200);
    assert.equal(kept.headers['content-type'], 'application/octet-stream');
    assert.match(kept.headers['content-disposition'] ?? '', /^attachment;/u);
    assert.equal(kept.headers['x-original-content-type'], 'text/html; charset=utf-8');
    assert.equal(Buffer.from(kept.body as Buffer).toString('utf8'), body);
    assertHelmet(kept, 'kept callback');
  });

  test('helmet headers are on every kind of answer: admin 200, 404, callbacks 202, 404 and 413, health', async () => {
    const report = await harness.newReport();
    const answers: Array<[string, RawResponse]> = [
      ['admin 200', await send('GET', '/admin/reports', { ...AUTH })],
      ['unknown route', await send('GET', '/nothing-here')],
      ['callback 404', await rawRequest(`${harness.service.url}/callbacks/r/${report.id}/nope`, { body: 'x' })],
      ['callback 413', await rawRequest(report.callbackUrl, { headers: { 'content-type': 'text/csv' }, body: 'x'.repeat(100_000) })],
      ['callback 202', await rawRequest(report.callbackUrl, { headers: { 'content-type': 'text/csv' }, body: 'a,b\n1,2\n' })],
      ['healthz', await send('GET', '/healthz')],
    ];
    assert.deepEqual(
      answers.map(([name, response]) => [name, response.status]),
      [
        ['admin 200', 200],
        ['unknown route', 404],
        ['callback 404', 404],
        ['callback 413', 413],
        ['callback 202', 202],
        ['healthz', 200],
      ],
    );
    for (const [name, response] of answers) assertHelmet(response, name);
  });
});

describe('admin API rate limit', () => {
  let limited: Harness;
  before(async () => {
    limited = await startHarness({ name: 'sec-ratelimit', worker: false, env: { ADMIN_RATE_LIMIT_PER_MINUTE: '4', ADMIN_AUTH_FAILURES_PER_MINUTE: '3' } });
  });
  after(async () => {
    await limited.close();
  });

  test('a client cannot escape the limit with X-Forwarded-For or another route; 429s carry Retry-After and helmet headers', async () => {
    // The window is one wall-clock minute: start well inside one so it cannot reset midway.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 55_000) await sleep(60_000 - intoMinute + 50);
    const send = async (i: number, authorized: boolean) => {
      const path = ['/admin/reports', '/admin/schedules', `/admin/reports/${generateId('r')}`, '/admin/nope'][i % 4]!;
      const response = await rawRequest(`${limited.service.url}${path}`, {
        method: 'GET',
        headers: {
          'x-forwarded-for': `203.0.113.${i + 1}`,
          'x-real-ip': `198.51.100.${i + 1}`,
          ...(authorized ? AUTH : { authorization: 'Bearer wrong-wrong-wrong' }),
        },
      });
      if (response.status === 429) {
        assert.ok(Number(response.headers['retry-after']) > 0);
        assert.equal(json(response).error?.code, 'rate_limited');
        assertHelmet(response, '429');
      }
      return response.status;
    };
    // Requests that present the token have their budget...
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) statuses.push(await send(i, true));
    assert.deepEqual(statuses.slice(4), [429, 429, 429, 429]);
    assert.ok(
      statuses.slice(0, 4).every((status) => status !== 429),
      `first four: ${statuses.slice(0, 4).join(',')}`,
    );
    // ...and wrong tokens count in their own, smaller bucket, which that budget did not use up: guessing is capped.
    const guesses: number[] = [];
    for (let i = 0; i < 6; i += 1) guesses.push(await send(i, false));
    assert.deepEqual(guesses, [401, 401, 401, 429, 429, 429]);
    // The budget is the admin API's: health checks and Losant's callbacks are not held back by it.
    assert.equal((await rawRequest(`${limited.service.url}/healthz`, { method: 'GET' })).status, 200);
    assert.equal((await rawRequest(`${limited.service.url}/callbacks/r/${generateId('r')}/x`, { body: 'x' })).status, 404);
  });
});
