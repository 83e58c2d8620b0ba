import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { createLosantClient } from '../../src/losant/client.js';
import type { InstanceReportConfig } from '../../src/losant/response-schemas.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { startAdminService, type AdminService } from '../helpers/admin-service.js';
import { DESKTOP, launchBrowser, PHONE, signIn, type WatchedPage, withPage } from './helpers/browser.js';

/*
 * The schedules pages in chromium against the web side and the Losant simulator: a schedule
 * created, changed, re-keyed and deleted through the forms, each change checked against the report
 * configs the simulator stores; a config made elsewhere shown and never offered for change; a form
 * without its CSRF field refused.
 */

/** A config made outside report-relay, which the pages must show and leave alone. */
const FOREIGN = { cron: '15 3 * * *', timezone: 'Asia/Tokyo', emails: ['someone@example.com'], resourceGroupBy: 'application' as const, periods: 3 };

let browser: Browser;
let admin: AdminService;

async function losantConfigs(): Promise<InstanceReportConfig[]> {
  const client = createLosantClient({ baseUrl: admin.sim.url, token: admin.sim.token, instanceId: admin.sim.instanceId });
  return (await client.get()).reportConfigs ?? [];
}

const foreignConfig = async () => (await losantConfigs()).filter((config) => config.callbackUrl === undefined);
const configOf = async (scheduleId: string) => (await losantConfigs()).find((config) => config.callbackUrl?.includes(`/callbacks/s/${scheduleId}/`));

/** Clicks a button that posts a form and waits for the page it leads to; the POST's status. */
async function post(watched: WatchedPage, button: string): Promise<number> {
  const [answer] = await Promise.all([
    watched.page.waitForResponse((response) => response.request().method() === 'POST'),
    watched.page.getByRole('button', { name: button, exact: true }).click(),
  ]);
  await watched.page.waitForLoadState();
  return answer.status();
}

/** The admin API, for what a test sets up around the pages. */
async function adminApi(method: string, path: string, body?: unknown): Promise<{ id: string }> {
  const response = await fetch(`${admin.service.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  assert.ok(response.ok, `${method} ${path}: ${response.status}`);
  // as: the admin API's schedule answer (src/http/contract/schedule-view.ts), checked by the service's contract watch.
  return response.status === 204 ? { id: '' } : ((await response.json()) as { schedule: { id: string } }).schedule;
}

async function openSchedules(watched: WatchedPage): Promise<void> {
  await signIn(watched, admin.service.url, TEST_ADMIN_TOKEN);
  await Promise.all([watched.page.waitForURL(`${admin.service.url}/ui/schedules`), watched.page.getByRole('link', { name: 'Schedules' }).click()]);
}

describe('schedules pages in a browser', () => {
  before(async () => {
    browser = await launchBrowser();
    admin = await startAdminService('ui-schedules');
    const client = createLosantClient({ baseUrl: admin.sim.url, token: admin.sim.token, instanceId: admin.sim.instanceId });
    await client.patch({ reportConfigs: [FOREIGN] });
  });
  after(async () => {
    await browser?.close();
    await admin?.close();
  });

  test('a schedule is created, changed, re-keyed and deleted through the forms, and Losant sees each change', async () => {
    await withPage(browser, DESKTOP, async (watched) => {
      const { page } = watched;
      const foreignBefore = JSON.stringify(await foreignConfig());
      await openSchedules(watched);
      await Promise.all([page.waitForURL(`${admin.service.url}/ui/schedules/new`), page.getByRole('link', { name: 'New schedule' }).click()]);

      // A bad cron is named at its field; Losant is not asked.
      await page.getByLabel('Name', { exact: true }).fill('Weekly billing');
      await page.getByLabel('Cron expression').fill('0 6 * *');
      await page.getByLabel('Time zone').fill('America/Chicago');
      await page.getByLabel('Periods').fill('7');
      await page.getByLabel('Recipients').fill('billing@example.com');
      assert.equal(await post(watched, 'Create schedule'), 400);
      assert.match((await page.locator('#field-cron-error').textContent()) ?? '', /5 fields/u);
      assert.equal(await page.getByLabel('Cron expression').inputValue(), '0 6 * *');
      assert.equal(await page.getByLabel('Recipients').inputValue(), 'billing@example.com');
      assert.equal((await losantConfigs()).length, 1);
      await watched.screenshot('schedule-new-invalid');

      await page.getByLabel('Cron expression').fill('0 6 * * 1');
      assert.equal(await post(watched, 'Create schedule'), 303);
      const id = /^\/ui\/schedules\/(s[A-Za-z0-9_-]+)$/u.exec(new URL(page.url()).pathname)?.[1];
      assert.ok(id, page.url());
      assert.match((await page.getByRole('status').textContent()) ?? '', /created/u);
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Weekly billing');
      const created = await configOf(id);
      assert.deepEqual([created?.cron, created?.timezone, created?.periods], ['0 6 * * 1', 'America/Chicago', 7]);
      // Next runs read on the schedule's own clock: Mondays at 06:00 in Chicago.
      const nextRuns = page.getByRole('region', { name: 'Next runs' }).getByRole('listitem');
      assert.equal(await nextRuns.count(), 5);
      assert.match((await nextRuns.first().textContent()) ?? '', /^Mon, .* 06:00 GMT-[56]$/u);
      await watched.screenshot('schedule-detail-desktop');

      // A change.
      await page.getByLabel('Cron expression').fill('30 5 1 * *');
      await page.getByLabel('Time zone').fill('Europe/Berlin');
      await page.getByLabel('Columns per').selectOption('month');
      await page.getByLabel('Periods').fill('1');
      assert.equal(await post(watched, 'Save changes'), 303);
      assert.match((await page.getByRole('status').textContent()) ?? '', /saved/u);
      const changed = await configOf(id);
      assert.deepEqual([changed?.cron, changed?.timezone, changed?.dateGroupBy, changed?.periods], ['30 5 1 * *', 'Europe/Berlin', 'month', 1]);
      assert.equal(changed?.callbackUrl, created?.callbackUrl, 'a change keeps the callback URL');

      // A new secret.
      await page.getByLabel('Previous secret keeps working for').fill('0');
      assert.equal(await post(watched, 'Rotate the secret'), 303);
      assert.match((await page.getByRole('status').textContent()) ?? '', /rotated/u);
      const rotated = await configOf(id);
      assert.ok(rotated?.callbackUrl?.startsWith(`${admin.service.url}/callbacks/s/${id}/`));
      assert.notEqual(rotated?.callbackUrl, changed?.callbackUrl, 'Losant holds a new callback URL');

      // Deleting asks first, with a button that says what it does.
      await Promise.all([page.waitForURL(`${admin.service.url}/ui/schedules/${id}/delete`), page.getByRole('link', { name: 'Delete this schedule…' }).click()]);
      await watched.screenshot('schedule-delete-confirm');
      assert.equal(await configOf(id).then(Boolean), true, 'nothing is deleted before the confirmation');
      assert.equal(await post(watched, 'Delete schedule “Weekly billing”'), 303);
      assert.equal(new URL(page.url()).pathname, '/ui/schedules');
      assert.match((await page.getByRole('status').textContent()) ?? '', /deleted/u);
      assert.equal(await configOf(id), undefined);
      assert.equal(JSON.stringify(await foreignConfig()), foreignBefore, 'the foreign config went back to Losant exactly as it was');
      watched.assertClean(/status of 400/u);
    });
  });

  test('the list shows schedules with their next runs, and the foreign config read-only; at desktop and phone width', async () => {
    const created = await adminApi('POST', '/admin/schedules', {
      name: 'Daily ops',
      cron: '0 7 * * *',
      timezone: 'Asia/Kolkata',
      recipients: ['ops@example.com', 'cfo@example.com'],
    });
    try {
      for (const [name, viewport] of [
        ['schedules-desktop', DESKTOP],
        ['schedules-phone', PHONE],
      ] as const) {
        await withPage(browser, viewport, async (watched) => {
          const { page } = watched;
          await openSchedules(watched);
          const ours = page.getByRole('table', { name: /Schedules report-relay manages/u });
          const row = ours.getByRole('row').filter({ has: page.getByRole('link', { name: 'Daily ops' }) });
          const text = (await row.textContent()) ?? '';
          assert.match(text, /0 7 \* \* \*/u);
          assert.match(text, /Asia\/Kolkata/u);
          assert.match(text, /ops@example\.com[\s\S]*cfo@example\.com/u);
          assert.match(text, /07:00 (IST|GMT\+5:30)/u, 'next runs on the schedule’s clock');
          assert.equal(await row.getByRole('link', { name: 'Daily ops' }).getAttribute('href'), `/ui/schedules/${created.id}`);

          const others = page.getByRole('table', { name: /made outside report-relay/u });
          const foreign = others.getByRole('row').filter({ hasText: FOREIGN.cron });
          assert.equal(await foreign.count(), 1);
          assert.match((await foreign.textContent()) ?? '', /Asia\/Tokyo[\s\S]*per application, 3[\s\S]*someone@example\.com/u);
          assert.equal(await others.locator('a, button, input, select, textarea, form').count(), 0, 'nothing in it can be changed');
          await watched.screenshot(name);
          watched.assertClean();
        });
      }
      await withPage(browser, PHONE, async (watched) => {
        await signIn(watched, admin.service.url, TEST_ADMIN_TOKEN);
        await watched.page.goto(`${admin.service.url}/ui/schedules/${created.id}`);
        await watched.screenshot('schedule-detail-phone');
        watched.assertClean();
      });
    } finally {
      await adminApi('DELETE', `/admin/schedules/${created.id}`);
    }
  });

  test('a form posted without its CSRF field is refused and Losant sees no change', async () => {
    await withPage(browser, DESKTOP, async (watched) => {
      const { page } = watched;
      await signIn(watched, admin.service.url, TEST_ADMIN_TOKEN);
      await page.goto(`${admin.service.url}/ui/schedules/new`);
      await page.getByLabel('Cron expression').fill('0 9 * * *');
      await page.locator('main form input[name="_csrf"]').evaluate((input) => {
        input.remove();
      });
      const before = JSON.stringify(await losantConfigs());
      assert.equal(await post(watched, 'Create schedule'), 403);
      assert.match((await page.getByRole('alert').textContent()) ?? '', /CSRF token/u);
      assert.equal(JSON.stringify(await losantConfigs()), before);
      await watched.screenshot('schedule-csrf-refused');
      watched.assertClean(/status of 403/u);
    });
  });
});
