import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { createAwaitingReport } from '../helpers/reports.js';
import { readAll } from '../reliability/helpers/reports.js';
import { startService, type RunningService } from '../helpers/service.js';
import { DESKTOP, launchBrowser, PHONE, signIn, type WatchedPage, withPage } from './helpers/browser.js';

/*
 * The dashboard in a real chromium against the whole service (web and worker) and the Losant
 * simulator: sign-in and sign-out, the overview, and the guards (CSRF, cross-site forms, escaping).
 * Every page must load without a console error, page error or CSP violation.
 */

const HOSTILE = '<img src=x onerror=alert(1)>"><script>alert(2)</script>';

let browser: Browser;
let sim: Simulator;
let service: RunningService;

/** Opens a page, runs `body`, and always closes the page's context. */
/** A report that Losant says failed, with Losant's error message; the worker records the failure. */
async function failedReport(message: string): Promise<string> {
  const report = await createAwaitingReport(service.store, service.url);
  const response = await fetch(report.callbackUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ status: 'failed', error: { name: 'ReportError', message } }),
  });
  assert.ok(response.ok, `callback answered ${response.status}`);
  const record = await service.waitForStatus(report.id, ['failed']);
  assert.ok(record.error?.message.includes(message), JSON.stringify(record.error));
  return report.id;
}

const sessionCookieHeader = async (watched: WatchedPage) =>
  (await watched.context.cookies(`${service.url}/ui`)).map((cookie) => `${cookie.name}=${cookie.value}`).join('; ');

describe('dashboard in a browser', () => {
  before(async () => {
    browser = await launchBrowser();
    sim = await startSimulator({ reportDelayMs: 10, faults: { noCallback: true } });
    service = await startService({
      name: 'ui-browser',
      env: { LOSANT_API_URL: sim.url, LOSANT_API_TOKEN: sim.token, LOSANT_INSTANCE_ID: sim.instanceId, LOSANT_MAX_RETRIES: '1' },
    });
  });
  after(async () => {
    await browser?.close();
    await service?.stop();
    await sim?.close();
  });

  test('signing in with the admin token opens the overview; the session cookie is HttpOnly, SameSite=Strict, Path=/ui', async () => {
    await withPage(browser, DESKTOP, async (watched) => {
      await watched.page.goto(`${service.url}/ui`);
      await watched.screenshot('sign-in');
      await signIn(watched, service.url, TEST_ADMIN_TOKEN);
      assert.equal(await watched.page.getByRole('heading', { level: 1 }).textContent(), 'Overview');
      const [cookie, ...others] = await watched.context.cookies(`${service.url}/ui`);
      assert.equal(others.length, 0);
      assert.equal(cookie?.httpOnly, true);
      assert.equal(cookie?.sameSite, 'Strict');
      assert.equal(cookie?.path, '/ui');
      assert.match(cookie?.value ?? '', /^[A-Za-z0-9_-]{43}$/u);
      watched.assertClean();
    });
  });

  test('a wrong token is refused on the sign-in page, and no session is made', async () => {
    await withPage(browser, DESKTOP, async (watched) => {
      const { page } = watched;
      await page.goto(`${service.url}/ui/sign-in`);
      await page.getByLabel('Admin token').fill(`${TEST_ADMIN_TOKEN}x`);
      const [answer] = await Promise.all([page.waitForResponse(`${service.url}/ui/sign-in`), page.getByRole('button', { name: 'Sign in' }).click()]);
      assert.equal(answer.status(), 401);
      assert.equal(await page.getByRole('alert').textContent(), 'That is not the admin token.');
      assert.deepEqual(await watched.context.cookies(`${service.url}/ui`), []);
      await page.goto(`${service.url}/ui`);
      assert.equal(new URL(page.url()).pathname, '/ui/sign-in');
      await watched.screenshot('sign-in-refused');
      // Chrome logs the 401 answer to the form as a console error: that one is the point of the test.
      watched.assertClean(/status of 401/u);
    });
  });

  test('the overview lists a failed report and one whose callback was not understood, with links, at desktop and phone width', async () => {
    const id = await failedReport('Losant could not build the report: quota exceeded');
    const odd = await createAwaitingReport(service.store, service.url);
    const answer = await fetch(odd.callbackUrl, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<report/>' });
    assert.ok(answer.ok, `callback answered ${answer.status}`);
    await service.waitForStatus(odd.id, ['unrecognized']);
    for (const [name, viewport] of [
      ['overview-desktop', DESKTOP],
      ['overview-phone', PHONE],
    ] as const) {
      await withPage(browser, viewport, async (watched) => {
        await signIn(watched, service.url, TEST_ADMIN_TOKEN);
        const table = watched.page.getByRole('table', { name: /failed/u });
        const link = watched.page.getByRole('link', { name: id });
        assert.equal(await link.getAttribute('href'), `/ui/reports/${id}`);
        const row = table.getByRole('row').filter({ has: link });
        assert.match((await row.textContent()) ?? '', /failed[\s\S]*quota exceeded/u);
        const oddRow = table.getByRole('row').filter({ has: watched.page.getByRole('link', { name: odd.id }) });
        assert.match((await oddRow.textContent()) ?? '', /unrecognized[\s\S]*application\/xml/u);
        // The chart drew (ECharts from /ui/assets/vendor, under the CSP).
        await watched.page.locator('.chart svg').first().waitFor();
        await watched.screenshot(name);
        watched.assertClean();
      });
    }
  });

  test("hostile text in a report's error renders as text: no dialog, no element made from it", async () => {
    const id = await failedReport(HOSTILE);
    await withPage(browser, DESKTOP, async (watched) => {
      await signIn(watched, service.url, TEST_ADMIN_TOKEN);
      // The report is also the newest of its series, in that table: the row with its error is the attention table's.
      const attention = watched.page.getByRole('table', { name: /Reports that failed/u });
      const row = attention.getByRole('row').filter({ has: watched.page.getByRole('link', { name: id }) });
      assert.ok(((await row.textContent()) ?? '').includes(HOSTILE), 'the text is shown as it was sent');
      assert.equal(await watched.page.locator('main img').count(), 0, 'no <img> was made from the text');
      assert.equal(await watched.page.locator('main script').count(), 0, 'no <script> was made from the text');
      await watched.screenshot('overview-hostile');
      watched.assertClean();
    });
  });

  test('the latest delivered report of a series is listed with a link', async () => {
    const report = await createAwaitingReport(service.store, service.url);
    const csv = await readAll(sim.buildReportCsv({ start: '2026-10-01T00:00:00.000Z', end: '2026-11-01T00:00:00.000Z' }));
    const answer = await fetch(report.callbackUrl, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv });
    assert.ok(answer.ok, `callback answered ${answer.status}`);
    await service.waitForStatus(report.id, ['delivered']);
    await withPage(browser, DESKTOP, async (watched) => {
      await signIn(watched, service.url, TEST_ADMIN_TOKEN);
      const table = watched.page.getByRole('table', { name: /newest delivered report of each series/u });
      assert.equal(await table.getByRole('link', { name: report.id }).getAttribute('href'), `/ui/reports/${report.id}`);
      await watched.screenshot('overview-series');
      watched.assertClean();
    });
  });

  test('a missed run of a schedule with a hostile name is listed, the name shown as text', async () => {
    const created = await fetch(`${service.url}/admin/schedules`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: HOSTILE, cron: '0 4 1 * *', email: false, archive: true }),
    });
    assert.equal(created.status, 201, await created.clone().text());
    const { schedule } = (await created.json()) as { schedule: { id: string } };
    const fireTime = '2026-11-01T04:00:00.000Z';
    const added = await service.web!.missedRunStore.add({
      scheduleId: schedule.id,
      fireTime,
      period: { start: '2026-10-01T00:00:00.000Z', end: '2026-11-01T00:00:00.000Z' },
      detectedAt: '2026-11-01T10:00:00.000Z',
      state: 'missed',
      reRequestedReportId: null,
      reRequestedAt: null,
      arrivedAt: null,
      arrivedReportId: null,
    });
    assert.ok(added);
    await withPage(browser, DESKTOP, async (watched) => {
      await signIn(watched, service.url, TEST_ADMIN_TOKEN);
      const table = watched.page.getByRole('table', { name: /Schedule runs/u });
      const link = table.getByRole('link', { name: HOSTILE });
      assert.equal(await link.getAttribute('href'), `/ui/schedules/${schedule.id}`);
      assert.match(
        (await table
          .getByRole('row')
          .filter({ has: watched.page.getByRole('link', { name: HOSTILE }) })
          .textContent()) ?? '',
        /2026-11-01 04:00 UTC/u,
      );
      assert.equal(await watched.page.locator('main img, main script').count(), 0);
      await watched.screenshot('overview-missed-run');
      watched.assertClean();
    });
  });

  test('signing out ends the session: the old cookie, replayed, signs nobody in', async () => {
    await withPage(browser, DESKTOP, async (watched) => {
      await signIn(watched, service.url, TEST_ADMIN_TOKEN);
      const cookie = await sessionCookieHeader(watched);
      const before = await fetch(`${service.url}/ui`, { headers: { cookie }, redirect: 'manual' });
      assert.equal(before.status, 200, 'the cookie works before sign-out');

      await Promise.all([watched.page.waitForURL(`${service.url}/ui/sign-in`), watched.page.getByRole('button', { name: 'Sign out' }).click()]);
      assert.deepEqual(await watched.context.cookies(`${service.url}/ui`), [], 'the browser dropped the cookie');

      const replayed = await fetch(`${service.url}/ui`, { headers: { cookie }, redirect: 'manual' });
      assert.equal(replayed.status, 303);
      assert.equal(replayed.headers.get('location'), '/ui/sign-in');
      const post = await fetch(`${service.url}/ui/sign-out`, { method: 'POST', headers: { cookie, origin: service.url }, redirect: 'manual' });
      assert.equal(post.status, 401);
      watched.assertClean();
    });
  });

  test('a form posted from another site is refused (403) even though the browser sends the cookie, and the session lives on', async () => {
    // Another origin (same host, another port: the same site, so SameSite lets the cookie go along).
    const attacker: Server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><form method="post" action="${service.url}/ui/sign-out"><input name="_csrf" value="guess"><button>Win a prize</button></form>`);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    try {
      await withPage(browser, DESKTOP, async (watched) => {
        await signIn(watched, service.url, TEST_ADMIN_TOKEN);
        const { page } = watched;
        await page.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`);
        const [answer] = await Promise.all([page.waitForResponse(`${service.url}/ui/sign-out`), page.getByRole('button', { name: 'Win a prize' }).click()]);
        assert.equal(answer.status(), 403);
        assert.ok((await answer.request().allHeaders()).cookie, 'the browser did send the session cookie');
        assert.match((await page.getByRole('alert').textContent()) ?? '', /another site/u);
        await watched.screenshot('cross-site-refused');
        await page.goto(`${service.url}/ui`);
        assert.equal(new URL(page.url()).pathname, '/ui', 'still signed in: the sign-out was not carried out');
        watched.assertClean(/status of 403/u);
      });
    } finally {
      attacker.close();
    }
  });

  test('a POST from the dashboard itself without the CSRF token, or with a wrong one, is refused; with it, it is carried out', async () => {
    await withPage(browser, DESKTOP, async (watched) => {
      await signIn(watched, service.url, TEST_ADMIN_TOKEN);
      const { page } = watched;
      const post = (headers: Record<string, string>) =>
        page.evaluate(async (sent) => {
          const response = await fetch('/ui/sign-out', { method: 'POST', headers: sent, body: new URLSearchParams({ keep: 'this' }) });
          return { status: response.status, path: new URL(response.url).pathname, text: await response.text() };
        }, headers);
      const missing = await post({});
      assert.equal(missing.status, 403);
      assert.match(missing.text, /CSRF token/u);
      assert.equal((await post({ 'X-CSRF-Token': 'A'.repeat(43) })).status, 403);
      await page.reload();
      assert.equal(new URL(page.url()).pathname, '/ui', 'still signed in');

      const token = await page.locator('form.sign-out input[name="_csrf"]').getAttribute('value');
      assert.ok(token);
      const carried = await post({ 'X-CSRF-Token': token });
      assert.equal(carried.path, '/ui/sign-in', 'with the token the sign-out is carried out (303 to the sign-in page)');
      await page.goto(`${service.url}/ui`);
      assert.equal(new URL(page.url()).pathname, '/ui/sign-in');
      watched.assertClean(/status of 403/u);
    });
  });
});
