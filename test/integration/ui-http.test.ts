import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { ECHARTS_FILE } from '../../src/ui/assets.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { startService, type RunningService } from '../helpers/service.js';

/*
 * The dashboard over plain HTTP: its headers, its assets, and the guards of sign-in (the failure
 * limit comes before the token; a sign-in from another site is refused). The browser tests in
 * test/browser/ cover the pages themselves.
 */

const STRICT_CSP =
  "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data:;connect-src 'self';font-src 'self';object-src 'none';base-uri 'none';form-action 'self';frame-ancestors 'none'";

/** The failure window is a wall-clock minute: start well inside one so it cannot turn over midway. */
async function awayFromMinuteBoundary(): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 57_000) await new Promise((resolve) => setTimeout(resolve, 60_500 - intoMinute));
}

let service: RunningService;

const signIn = (token: string, client: string, origin = service.url) =>
  request(service.url).post('/ui/sign-in').set('Origin', origin).set('X-Forwarded-For', client).type('form').send({ token });

describe('dashboard over HTTP', () => {
  before(async () => {
    service = await startService({ worker: false, name: 'ui-http', env: { UI_SIGN_IN_FAILURES_PER_MINUTE: '3', TRUST_PROXY: '1' } });
  });
  after(async () => {
    await service?.stop();
  });

  test('pages get the strict CSP, no-store and DENY framing; the admin API keeps its own headers', async () => {
    for (const path of ['/ui/sign-in', '/ui', '/ui/no-such-page', '/ui/assets/app.css']) {
      const response = await request(service.url).get(path);
      assert.equal(response.headers['content-security-policy'], STRICT_CSP, path);
      assert.equal(response.headers['x-frame-options'], 'DENY', path);
      assert.equal(response.headers['referrer-policy'], 'same-origin', path);
    }
    assert.equal((await request(service.url).get('/ui/sign-in')).headers['cache-control'], 'no-store');
    const admin = await request(service.url).get('/admin/reports');
    assert.match(String(admin.headers['content-security-policy']), /frame-ancestors 'self'/u);
  });

  test('signed out: a page GET is sent to the sign-in page, anything else is refused without a redirect', async () => {
    const page = await request(service.url).get('/ui');
    assert.equal(page.status, 303);
    assert.equal(page.headers.location, '/ui/sign-in');
    assert.equal((await request(service.url).get('/ui/reports/r123')).headers.location, '/ui/sign-in');
    const post = await request(service.url).post('/ui/sign-out').set('Origin', service.url).type('form').send({ _csrf: 'x' });
    assert.equal(post.status, 401);
    assert.match(post.text, /Not signed in/u);
  });

  test('assets are public and cached for a while; ECharts is served from this origin, byte for byte', async () => {
    const css = await request(service.url).get('/ui/assets/app.css');
    assert.equal(css.status, 200);
    assert.match(String(css.headers['content-type']), /text\/css/u);
    assert.match(String(css.headers['cache-control']), /max-age=600/u);
    assert.ok(css.headers.etag);
    const echarts = await request(service.url)
      .get('/ui/assets/vendor/echarts.min.js')
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    assert.equal(echarts.status, 200);
    assert.match(String(echarts.headers['content-type']), /javascript/u);
    assert.ok(Buffer.compare(echarts.body as Buffer, readFileSync(ECHARTS_FILE)) === 0);
    assert.equal((await request(service.url).get('/ui/assets/nope.js')).status, 404);
    for (const path of ['/ui/assets/../../package.json', '/ui/assets/%2e%2e/%2e%2e/package.json', '/ui/assets/..%2f..%2fpackage.json']) {
      const escape = await request(service.url).get(path);
      assert.notEqual(escape.status, 200, path);
      assert.doesNotMatch(escape.text, /"report-relay"/u, `${path}: no way out of the assets folder`);
    }
  });

  test('a sign-in sets the session cookie and sends the browser to /ui; the cookie opens the overview', async () => {
    await awayFromMinuteBoundary();
    const response = await signIn(TEST_ADMIN_TOKEN, '198.51.100.1');
    assert.equal(response.status, 303);
    assert.equal(response.headers.location, '/ui');
    const [cookie] = response.headers['set-cookie'] as unknown as string[];
    assert.match(cookie ?? '', /^report-relay-ui=[A-Za-z0-9_-]{43}; Path=\/ui; HttpOnly; SameSite=Strict$/u);
    const overview = await request(service.url).get('/ui').set('Cookie', cookie!.split(';')[0]!);
    assert.equal(overview.status, 200);
    assert.match(overview.text, /<h1>Overview<\/h1>/u);
  });

  test('past the failure limit the right token is refused too (429), without being checked, and only for that address', async () => {
    await awayFromMinuteBoundary();
    const client = '198.51.100.2';
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await signIn(`wrong-token-${i}`, client)).status);
    assert.deepEqual(statuses, [401, 401, 401]);
    const right = await signIn(TEST_ADMIN_TOKEN, client);
    assert.equal(right.status, 429);
    assert.equal(right.headers['set-cookie'], undefined, 'no session for a client over the limit');
    assert.ok(Number(right.headers['retry-after']) > 0);
    assert.match(right.text, /Too many failed sign-ins/u);
    assert.equal((await signIn(TEST_ADMIN_TOKEN, '198.51.100.3')).status, 303, 'another address signs in');
  });

  test('a sign-in posted from another site, or without any sign of where it comes from, is refused (403)', async () => {
    const foreign = await signIn(TEST_ADMIN_TOKEN, '198.51.100.4', 'https://evil.example');
    assert.equal(foreign.status, 403);
    assert.equal(foreign.headers['set-cookie'], undefined);
    assert.match(foreign.text, /another site/u);
    const unknown = await request(service.url).post('/ui/sign-in').type('form').send({ token: TEST_ADMIN_TOKEN });
    assert.equal(unknown.status, 403);
    const fetchMetadata = await request(service.url).post('/ui/sign-in').set('Sec-Fetch-Site', 'same-origin').type('form').send({ token: TEST_ADMIN_TOKEN });
    assert.equal(fetchMetadata.status, 303, 'Sec-Fetch-Site: same-origin stands in for a missing Origin');
    const host = `localhost:${new URL(service.url).port}`;
    const ownHost = await request(service.url)
      .post('/ui/sign-in')
      .set('Host', host)
      .set('Origin', `http://${host}`)
      .type('form')
      .send({ token: TEST_ADMIN_TOKEN });
    assert.equal(ownHost.status, 303, 'the origin of the host the browser reached the service by counts as its own');
    const crossFetch = await request(service.url)
      .post('/ui/sign-in')
      .set('Origin', 'null')
      .set('Sec-Fetch-Site', 'cross-site')
      .type('form')
      .send({ token: TEST_ADMIN_TOKEN });
    assert.equal(crossFetch.status, 403);
  });
});
