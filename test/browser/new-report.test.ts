import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { startAdminService, type AdminService } from '../helpers/admin-service.js';
import { DESKTOP, launchBrowser, PHONE, signIn, type WatchedPage, withPage } from './helpers/browser.js';

/*
 * The new report form in chromium against the web side and the Losant simulator: a field's error
 * shown at the field with what was typed, a valid request landing on the report's page, and
 * Losant's refusal said plainly.
 */

let browser: Browser;
let admin: AdminService;

/** Signs in and opens the form through the nav, as a person would. */
async function openForm(watched: WatchedPage): Promise<void> {
  await signIn(watched, admin.service.url, TEST_ADMIN_TOKEN);
  await Promise.all([watched.page.waitForURL(`${admin.service.url}/ui/reports/new`), watched.page.getByRole('link', { name: 'New report' }).click()]);
  assert.equal(await watched.page.getByRole('heading', { level: 1 }).textContent(), 'New report');
}

async function submit(watched: WatchedPage): Promise<number> {
  const [answer] = await Promise.all([
    watched.page.waitForResponse((response) => response.request().method() === 'POST'),
    watched.page.getByRole('button', { name: 'Request report' }).click(),
  ]);
  await watched.page.waitForLoadState();
  return answer.status();
}

describe('new report form in a browser', () => {
  before(async () => {
    browser = await launchBrowser();
    admin = await startAdminService('ui-new-report');
  });
  after(async () => {
    await browser?.close();
    await admin?.close();
  });

  test('an invalid field is named at the field, keeps what was typed, and the summary link leads to it; at desktop and phone width', async () => {
    for (const [name, viewport] of [
      ['new-report-invalid-desktop', DESKTOP],
      ['new-report-invalid-phone', PHONE],
    ] as const) {
      await withPage(browser, viewport, async (watched) => {
        const { page } = watched;
        await openForm(watched);
        await watched.screenshot(name.replace('-invalid', ''));
        await page.getByLabel('Start', { exact: true }).fill('last tuesday');
        await page.getByLabel('Recipients').fill('billing@example.com\nnobody');
        assert.equal(await submit(watched), 400);
        const start = page.getByLabel('Start', { exact: true });
        assert.equal(await start.inputValue(), 'last tuesday');
        assert.equal(await start.getAttribute('aria-invalid'), 'true');
        assert.equal(await page.locator('#field-start-error').textContent(), 'must be an ISO 8601 date-time');
        assert.equal(await page.locator('#field-recipients-error').textContent(), 'entry 2: must be a valid email address');
        assert.equal(await page.getByLabel('Recipients').inputValue(), 'billing@example.com\nnobody');
        // The error is announced, and a keyboard reaches the field from the summary.
        await page.getByRole('alert').getByRole('link', { name: 'Start' }).focus();
        await page.keyboard.press('Enter');
        assert.equal(await page.locator('#field-start:focus').count(), 1, 'the field has the focus');
        await watched.screenshot(name);
        // Chrome logs the 400 answer to the form as a console error: it is the point of the test.
        watched.assertClean(/status of 400/u);
      });
    }
  });

  test('a valid request is asked of Losant and lands on the report’s page', async () => {
    await withPage(browser, DESKTOP, async (watched) => {
      const { page } = watched;
      await openForm(watched);
      await page.getByLabel('Start', { exact: true }).fill('2026-01-01T00:00:00Z');
      await page.getByLabel('End', { exact: true }).fill('2026-02-01T00:00:00Z');
      await page.getByLabel('Rows per').selectOption('application');
      await page.getByLabel('Columns per').selectOption('month');
      await page.getByLabel('Include sandbox users').check();
      await page.getByLabel('Archive').selectOption('false');
      const generated = admin.sim.requests.filter((entry) => entry.action === 'generateReport').length;
      await submit(watched);
      const id = /^\/ui\/reports\/(r[A-Za-z0-9_-]+)$/u.exec(new URL(page.url()).pathname)?.[1];
      assert.ok(id, page.url());
      const record = await admin.service.store.get(id);
      assert.equal(record?.status, 'accepted');
      assert.deepEqual(record.request, {
        start: '2026-01-01T00:00:00Z',
        end: '2026-02-01T00:00:00Z',
        resourceGroupBy: 'application',
        dateGroupBy: 'month',
        includeSandbox: true,
      });
      assert.deepEqual(record.delivery, { email: true, archive: false, recipients: ['ops@example.com'] }, 'REPORT_EMAIL_TO when no recipients are given');
      assert.equal(admin.sim.requests.filter((entry) => entry.action === 'generateReport').length, generated + 1);
      // The report page is another page module: without it, /ui/reports/<id> is the dashboard's 404.
      watched.assertClean(/status of 404/u);
    });
  });

  test('Losant’s refusal is shown with its code and message, and a link to the report as recorded', async () => {
    await withPage(browser, DESKTOP, async (watched) => {
      const { page } = watched;
      await openForm(watched);
      admin.sim.injectFaults({ action: 'generateReport', status: 400, count: 1, body: { type: 'Validation', message: 'start is too far in the past' } });
      await page.getByLabel('Start', { exact: true }).fill('2019-01-01T00:00:00Z');
      await page.getByLabel('End', { exact: true }).fill('2019-02-01T00:00:00Z');
      assert.equal(await submit(watched), 400);
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Losant refused the report');
      const alert = page.getByRole('alert');
      assert.match((await alert.textContent()) ?? '', /losant_rejected[\s\S]*start is too far in the past/u);
      const link = alert.getByRole('link', { name: /as recorded/u });
      const id = /^\/ui\/reports\/(r[A-Za-z0-9_-]+)$/u.exec((await link.getAttribute('href')) ?? '')?.[1];
      assert.ok(id);
      assert.equal((await admin.service.store.get(id))?.status, 'failed');
      assert.equal(await page.getByLabel('Start', { exact: true }).inputValue(), '2019-01-01T00:00:00Z', 'the form is there to try again');
      await watched.screenshot('new-report-refused');
      watched.assertClean(/status of 400/u);
    });
  });
});
