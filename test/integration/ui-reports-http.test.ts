import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { createProgressStore } from '../../src/reports/progress.js';
import { generateId } from '../../src/reports/secrets.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { testRedis } from '../helpers/redis.js';
import { createAwaitingReport } from '../helpers/reports.js';
import { startService, type RunningService } from '../helpers/service.js';

/*
 * The Reports pages over HTTP: the JSON the list polls, the downloads (only for a session, always
 * as attachments), the retry's refusal, and the 404 of an unknown report. The browser tests in
 * test/browser/reports.test.ts cover the pages in a browser.
 */

let sim: Simulator;
let service: RunningService;
let cookie: string;
let delivered: string;

const get = (path: string) => request(service.url).get(path).set('Cookie', cookie);

async function csrfTokenOf(path: string): Promise<string> {
  const page = await get(path);
  const token = /name="_csrf" value="([^"]+)"/u.exec(page.text)?.[1];
  assert.ok(token, 'the page carries a CSRF field');
  return token;
}

describe('reports pages over HTTP', () => {
  before(async () => {
    sim = await startSimulator({ reportDelayMs: 10 });
    service = await startService({
      name: 'ui-reports-http',
      env: { LOSANT_API_URL: sim.url, LOSANT_API_TOKEN: sim.token, LOSANT_INSTANCE_ID: sim.instanceId },
    });
    const signIn = await request(service.url).post('/ui/sign-in').set('Origin', service.url).type('form').send({ token: TEST_ADMIN_TOKEN });
    assert.equal(signIn.status, 303);
    cookie = (signIn.headers['set-cookie'] as unknown as string[])[0]!.split(';')[0]!;
    const asked = await request(service.url)
      .post('/admin/reports')
      .set({ Authorization: `Bearer ${TEST_ADMIN_TOKEN}` })
      .send({ start: '2026-01-01T00:00:00Z', end: '2026-01-08T00:00:00Z', email: false });
    assert.equal(asked.status, 202, JSON.stringify(asked.body));
    delivered = String(asked.body.report.id);
    const record = await service.waitForStatus(delivered, ['delivered', 'failed', 'unrecognized']);
    assert.equal(record.status, 'delivered', JSON.stringify(record.error));
  });
  after(async () => {
    await service?.stop();
    await sim?.close();
  });

  test('the JSON route answers the status and progress of the ids asked; without a session it answers no data', async () => {
    const waiting = await createAwaitingReport(service.store, service.url);
    const answer = await get(`/ui/reports.json?ids=${delivered},${waiting.id}`);
    assert.equal(answer.status, 200);
    assert.match(String(answer.headers['content-type']), /^application\/json/u);
    const byId = new Map((answer.body.reports as Array<{ id: string }>).map((entry) => [entry.id, entry]));
    assert.deepEqual(
      { ...byId.get(delivered), updatedAt: undefined },
      { id: delivered, status: 'delivered', statusText: 'delivered', inFlight: false, value: 5, max: 5, stepText: 'delivered', updatedAt: undefined },
    );
    assert.deepEqual(byId.get(waiting.id), {
      id: waiting.id,
      status: 'requested',
      statusText: 'requested',
      inFlight: true,
      value: 0,
      max: 5,
      stepText: 'Waiting for the callback',
      updatedAt: (await service.store.get(waiting.id))?.updatedAt,
    });

    const bad = await get('/ui/reports.json?ids=not-an-id');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'validation_failed');

    const signedOut = await request(service.url).get(`/ui/reports.json?ids=${delivered}`);
    assert.equal(signedOut.status, 303);
    assert.equal(signedOut.headers.location, '/ui/sign-in');
    assert.doesNotMatch(signedOut.text, new RegExp(delivered, 'u'));
  });

  test('a report being parsed shows the share parsed and the rows so far, in the JSON, the list and its page', async () => {
    // Made in the store and moved to `downloaded` there, with no job: it stays in the parse step
    // until the progress below is read (maintenance requeues a report only after 30 s unmoved).
    const id = generateId('r');
    await service.store.create({
      id,
      source: 'api',
      scheduleId: null,
      request: {},
      delivery: { email: false, archive: false, recipients: [] },
      seriesKey: 'test-parsing',
      secretHash: null,
      status: 'callback_received',
      overdueAt: null,
      note: 'created by a test',
    });
    const moved = await service.store.markDownloaded(
      id,
      { interpretation: { kind: 'inline' }, download: { bytes: 4 * 1024 * 1024, sha256: 'a'.repeat(64), sources: 0, at: new Date().toISOString() } },
      'downloaded by a test',
    );
    assert.ok(moved.ok);
    const redis = testRedis();
    try {
      const progress = createProgressStore(redis, { prefix: service.config.redis.prefix, retentionSeconds: service.config.retention.reportSeconds });
      await progress.write(id, { step: 'parse', bytes: 1024 * 1024, totalBytes: 4 * 1024 * 1024, rows: 12_345, at: new Date().toISOString() });
    } finally {
      redis.disconnect();
    }
    // Without an archive the parse follows the download: the bar counts it within the archive's step.
    const stepText = 'Archive: 25% of 4.0 MB, 12,345 rows';

    const answer = await get(`/ui/reports.json?ids=${id}`);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body.reports, [
      {
        id,
        status: 'downloaded',
        statusText: 'downloaded',
        inFlight: true,
        value: 2.25,
        max: 5,
        stepText,
        updatedAt: (await service.store.get(id))?.updatedAt,
      },
    ]);
    for (const path of ['/ui/reports', `/ui/reports/${id}`]) {
      const page = await get(path);
      assert.equal(page.status, 200, path);
      assert.match(page.text, new RegExp(`<span class="live-step-text">${stepText}</span>`, 'u'), path);
    }
  });

  test("the archived CSV downloads for a session only, as an attachment, byte for byte the archive's", async () => {
    const record = (await service.store.get(delivered))!;
    const archived = await readFile(fileURLToPath(new URL(record.archive!.csv.location.replace(/^file:/u, 'file://'))), 'utf8');
    const download = await get(`/ui/reports/${delivered}/report.csv`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    assert.equal(download.status, 200);
    assert.equal(download.headers['content-disposition'], `attachment; filename="report-${delivered}.csv"`);
    assert.equal(download.headers['content-type'], 'text/csv; charset=utf-8');
    assert.equal(download.headers['x-content-type-options'], 'nosniff');
    assert.equal((download.body as Buffer).toString('utf8'), archived);

    for (const path of [`/ui/reports/${delivered}/report.csv`, `/ui/reports/${delivered}/callback.bin`]) {
      const refused = await request(service.url).get(path);
      assert.equal(refused.status, 303, path);
      assert.equal(refused.headers.location, '/ui/sign-in');
      const forged = await request(service.url).get(path).set('Cookie', 'report-relay-ui=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
      assert.equal(forged.status, 303, `${path} with a session id that is not one`);
    }
  });

  test('the kept callback downloads as the admin API serves it', async () => {
    const [ui, admin] = await Promise.all([
      get(`/ui/reports/${delivered}/callback.bin`).buffer(true),
      request(service.url)
        .get(`/admin/reports/${delivered}/callback`)
        .set({ Authorization: `Bearer ${TEST_ADMIN_TOKEN}` })
        .buffer(true),
    ]);
    assert.equal(ui.status, 200);
    assert.equal(ui.headers['content-disposition'], `attachment; filename="callback-${delivered}.bin"`);
    assert.equal(ui.headers['content-type'], 'application/octet-stream');
    assert.equal(ui.headers['x-original-content-type'], admin.headers['x-original-content-type']);
    assert.deepEqual(ui.body, admin.body);
  });

  test('a retry the service refuses shows why, with 409; an unknown report is a 404 page', async () => {
    const token = await csrfTokenOf('/ui/reports');
    const refused = await request(service.url)
      .post(`/ui/reports/${delivered}/retry`)
      .set('Cookie', cookie)
      .set('Origin', service.url)
      .type('form')
      .send({ _csrf: token });
    assert.equal(refused.status, 409);
    assert.match(refused.text, /The retry was refused: This report was delivered already; nothing to retry/u);

    for (const id of ['r000000000aaaaaaaaaaaaaaaa', 'nonsense']) {
      const missing = await get(`/ui/reports/${id}`);
      assert.equal(missing.status, 404, id);
      assert.match(missing.text, /There is no report/u);
    }
  });

  test('the list filters by status and source, pages, and refuses a status that is none', async () => {
    const waiting = await createAwaitingReport(service.store, service.url);
    const all = await get('/ui/reports?limit=1');
    assert.equal(all.status, 200);
    assert.match(all.text, /<caption>\s*Reports 1–1 of \d+, newest first/u);
    assert.match(all.text, /href="\/ui\/reports\?offset=1&amp;limit=1" rel="next"/u);

    const deliveredOnly = await get('/ui/reports?status=delivered&source=api');
    assert.match(deliveredOnly.text, new RegExp(`data-report-id="${delivered}"`, 'u'));
    assert.doesNotMatch(deliveredOnly.text, new RegExp(waiting.id, 'u'));
    assert.match(deliveredOnly.text, /<option value="delivered" selected>/u);

    const schedules = await get('/ui/reports?source=schedule');
    assert.match(schedules.text, /No report matches these filters/u);

    const future = await get('/ui/reports?from=2999-01-01');
    assert.match(future.text, /No report matches these filters/u);

    const today = new Date().toISOString().slice(0, 10);
    const inflight = await get(`/ui/reports?status=requested&from=${today}&to=${today}`);
    assert.match(inflight.text, new RegExp(`data-report-id="${waiting.id}" data-in-flight`, 'u'));
    assert.match(inflight.text, /<progress max="5" value="0.00"/u);

    assert.equal((await get('/ui/reports?status=lost')).status, 400);
    assert.equal((await get('/ui/reports?from=yesterday')).status, 400);
  });
});
