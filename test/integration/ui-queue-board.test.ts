import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { processJobId } from '../../src/jobs/queue.js';
import { inlineStyleHashes } from '../../src/ui/queue-board-page.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { failedJob } from '../helpers/queue-jobs.js';
import { startService, type RunningService } from '../helpers/service.js';

/*
 * The queue board (bull-board at /ui/queues) over plain HTTP: it is behind the dashboard's sign-in
 * and CSRF checks, it has a CSP of its own while every other page keeps the strict one, it shows
 * the report queue, and it changes nothing unless UI_QUEUE_ACTIONS allows retries and removals.
 * test/browser/queue-board.test.ts loads it in chromium.
 */

const STRICT_CSP =
  "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data:;connect-src 'self';font-src 'self';object-src 'none';base-uri 'none';form-action 'self';frame-ancestors 'none'";

interface SignedIn {
  cookie: string;
  csrfToken: string;
}

/** Signs in with the admin token and reads the CSRF token from the overview's sign-out form. */
async function signIn(service: RunningService): Promise<SignedIn> {
  const answer = await request(service.url).post('/ui/sign-in').set('Origin', service.url).type('form').send({ token: TEST_ADMIN_TOKEN });
  assert.equal(answer.status, 303);
  const [setCookie] = answer.headers['set-cookie'] as unknown as string[];
  const cookie = setCookie!.split(';')[0]!;
  const overview = await request(service.url).get('/ui').set('Cookie', cookie);
  const csrfToken = /name="_csrf" value="([^"]+)"/u.exec(overview.text)?.[1];
  assert.ok(csrfToken, 'the overview holds the CSRF token');
  return { cookie, csrfToken };
}

/** A state-changing request of the board's client: PUT, from the service's own origin, with the session's CSRF token as axios sends it. */
const boardAction = (service: RunningService, path: string, session: SignedIn, token: string | null = session.csrfToken) => {
  const put = request(service.url).put(`/ui/queues/api/queues/reports${path}`).set('Cookie', session.cookie).set('Origin', service.url);
  return token === null ? put : put.set('X-XSRF-Token', token);
};

const stateOf = async (service: RunningService, jobId: string) => (await service.queue.queue.getJob(jobId))?.getState();

describe('queue board over HTTP, read-only (the default)', () => {
  let service: RunningService;
  let session: SignedIn;
  let failed: string;

  before(async () => {
    service = await startService({ worker: false, name: 'ui-queues' });
    failed = await failedJob(service, 'r-failed');
    await service.queue.enqueue('r-waiting', 1);
    session = await signIn(service);
  });
  after(async () => {
    await service?.stop();
  });

  test('signed out: the board is sent to the sign-in page, its API and its actions are refused (401)', async () => {
    const page = await request(service.url).get('/ui/queues');
    assert.equal(page.status, 303);
    assert.equal(page.headers.location, '/ui/sign-in');
    assert.equal((await request(service.url).get('/ui/queues/queue/reports')).headers.location, '/ui/sign-in');
    const api = await request(service.url).get('/ui/queues/api/queues');
    assert.equal(api.status, 401);
    assert.doesNotMatch(api.text, /r-waiting|r-failed/u);
    const retry = await request(service.url).put(`/ui/queues/api/queues/reports/${failed}/retry`).set('Origin', service.url);
    assert.equal(retry.status, 401);
    assert.equal(await stateOf(service, failed), 'failed');
  });

  test('signed in: the API lists the report queue with its counts, read-only', async () => {
    const answer = await request(service.url).get('/ui/queues/api/queues').set('Cookie', session.cookie);
    assert.equal(answer.status, 200);
    const { queues } = answer.body as { queues: Array<{ name: string; readOnlyMode: boolean; counts: Record<string, number> }> };
    assert.deepEqual(
      queues.map((queue) => queue.name),
      ['reports'],
    );
    assert.equal(queues[0]!.readOnlyMode, true);
    assert.equal(queues[0]!.counts.failed, 1);
    assert.equal(queues[0]!.counts.waiting, 1);
  });

  test("the board's page has its own CSP: the template's inline styles by hash, <base> to 'self', no inline script, no eval, no outside fonts", async () => {
    const page = await request(service.url).get('/ui/queues').set('Cookie', session.cookie);
    assert.equal(page.status, 200);
    assert.match(page.text, /<title>report-relay queues<\/title>/u);
    assert.match(page.text, /<base href="\/ui\/queues\/"/u);
    assert.doesNotMatch(page.text, /fonts\.googleapis\.com/u, 'the Google Fonts stylesheet is taken out');
    const hashes = inlineStyleHashes();
    assert.ok(hashes.elements.length > 0 && hashes.attributes.length > 0, "the template's inline styles were found");
    const csp = String(page.headers['content-security-policy']);
    assert.equal(
      csp,
      "default-src 'self';script-src 'self';style-src 'self';" +
        `style-src-elem 'self' ${hashes.elements.join(' ')};style-src-attr 'unsafe-hashes' ${hashes.attributes.join(' ')};` +
        "img-src 'self' data:;connect-src 'self';font-src 'self';object-src 'none';base-uri 'self';form-action 'self';frame-ancestors 'none'",
    );
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/u);
    assert.equal(page.headers['x-frame-options'], 'DENY');
    assert.equal(page.headers['x-powered-by'], undefined);
    assert.equal(page.headers['cache-control'], 'no-store');
    assert.equal(page.headers['set-cookie'], undefined, 'read-only: no CSRF cookie for the board client');
    const api = await request(service.url).get('/ui/queues/api/queues').set('Cookie', session.cookie);
    assert.equal(api.headers['content-security-policy'], csp);
    assert.equal(api.headers['x-powered-by'], undefined);
  });

  test('every other dashboard page keeps the strict CSP, and its nav links to the board', async () => {
    for (const path of ['/ui', '/ui/sign-in', '/ui/queuesx', '/ui/assets/app.css']) {
      const answer = await request(service.url).get(path).set('Cookie', session.cookie);
      assert.equal(answer.headers['content-security-policy'], STRICT_CSP, path);
    }
    const overview = await request(service.url).get('/ui').set('Cookie', session.cookie);
    assert.match(overview.text, /<a href="\/ui\/queues">Queues<\/a>/u);
  });

  test('read-only: a retry or a clean is refused (403) even with the CSRF token, and the jobs stay as they were', async () => {
    for (const path of [`/${failed}/retry`, '/retry/failed', `/${failed}/clean`, '/clean/failed']) {
      const answer = await boardAction(service, path, session);
      assert.equal(answer.status, 403, path);
      assert.match(answer.text, /read-only/u, path);
    }
    assert.equal(await stateOf(service, failed), 'failed');
    assert.equal(await stateOf(service, processJobId('r-waiting', 1)), 'waiting');
  });
});

describe('queue board over HTTP, with UI_QUEUE_ACTIONS=true', () => {
  let service: RunningService;
  let session: SignedIn;

  before(async () => {
    service = await startService({ worker: false, name: 'ui-queue-actions', env: { UI_QUEUE_ACTIONS: 'true' } });
    session = await signIn(service);
  });
  after(async () => {
    await service?.stop();
  });

  test("the board's page gives its client the session's CSRF token in the XSRF-TOKEN cookie, for the board's path only", async () => {
    const page = await request(service.url).get('/ui/queues').set('Cookie', session.cookie);
    assert.deepEqual(page.headers['set-cookie'], [`XSRF-TOKEN=${session.csrfToken}; Path=/ui/queues; SameSite=Strict`]);
    const api = await request(service.url).get('/ui/queues/api/queues').set('Cookie', session.cookie);
    assert.equal(api.headers['set-cookie'], undefined);
  });

  test('a retry passes the CSRF checks like any other action: refused without the token or from another site, carried out with it', async () => {
    const jobId = await failedJob(service, 'r-retry');
    assert.equal((await boardAction(service, `/${jobId}/retry`, session, null)).status, 403);
    assert.equal((await boardAction(service, `/${jobId}/retry`, session, 'A'.repeat(43))).status, 403);
    const foreign = await request(service.url)
      .put(`/ui/queues/api/queues/reports/${jobId}/retry`)
      .set('Cookie', session.cookie)
      .set('Origin', 'https://evil.example')
      .set('X-XSRF-Token', session.csrfToken);
    assert.equal(foreign.status, 403);
    assert.equal(await stateOf(service, jobId), 'failed');

    const retried = await boardAction(service, `/${jobId}/retry`, session);
    assert.equal(retried.status, 204, retried.text);
    assert.equal(await stateOf(service, jobId), 'waiting');
  });

  test('a job is removed with clean; adding jobs, editing data, emptying or pausing the queue stay refused', async () => {
    const jobId = processJobId('r-remove', 1);
    await service.queue.enqueue('r-remove', 1);
    for (const [path, body] of [
      ['/add', { name: 'process-report', data: { reportId: 'r-forged' } }],
      ['/empty', {}],
      ['/pause', {}],
      ['/obliterate', {}],
    ] as const) {
      const answer = await boardAction(service, path, session).send(body);
      assert.equal(answer.status, 403, path);
      assert.match(answer.text, /retries and removals only/u, path);
    }
    const edit = await request(service.url)
      .patch(`/ui/queues/api/queues/reports/${jobId}/update-data`)
      .set('Cookie', session.cookie)
      .set('Origin', service.url)
      .set('X-XSRF-Token', session.csrfToken)
      .send({ data: { reportId: 'r-forged' } });
    assert.equal(edit.status, 403);
    assert.equal(await service.queue.queue.isPaused(), false);
    assert.equal((await service.queue.queue.getJob(jobId))?.data.reportId, 'r-remove');

    const removed = await boardAction(service, `/${jobId}/clean`, session);
    assert.equal(removed.status, 204, removed.text);
    assert.equal(await service.queue.queue.getJob(jobId), undefined);
  });
});
