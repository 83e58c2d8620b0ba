import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import type { KnownResource } from '../../src/usage/resource-history.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { startService, type RunningService } from '../helpers/service.js';
import { startTestSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { chartSeriesLengths, DESKTOP, launchBrowser, PHONE, signIn, withPage } from './helpers/browser.js';

/*
 * The organization pages and the overview's monthly usage in a real chromium, against the whole
 * service (web and worker), the Losant simulator and a real SMTP server: two reports naming the
 * same organizations are requested through the admin API and delivered by the worker, then the
 * organization is found in the list, searched, and its chart and table show both reports.
 */

const RANGES = [
  { start: '2026-01-01T00:00:00Z', end: '2026-01-08T00:00:00Z' },
  { start: '2026-02-01T00:00:00Z', end: '2026-02-08T00:00:00Z' },
];

let browser: Browser;
let sim: Simulator;
let smtp: TestSmtpServer;
let service: RunningService;
const reportIds: string[] = [];
let organization: KnownResource;

/** Asks for a week's report grouped by organization and day, and waits until it is delivered. */
async function deliveredReport(range: { start: string; end: string }): Promise<string> {
  const previous = sim.jobs.at(-1);
  if (previous) await sim.waitForJob(previous.jobId, 20_000);
  const response = await request(service.url)
    .post('/admin/reports')
    .set({ Authorization: `Bearer ${TEST_ADMIN_TOKEN}` })
    .send({ ...range, resourceGroupBy: 'organization', dateGroupBy: 'day', recipients: ['ops@example.com'] });
  assert.equal(response.status, 202, JSON.stringify(response.body));
  const id = response.body.report.id as string;
  const record = await service.waitForStatus(id, ['delivered', 'failed', 'unrecognized']);
  assert.equal(record.status, 'delivered', JSON.stringify(record.error));
  return id;
}

/**
 * The lengths of the data of each series of the ECharts chart drawn in `selector`, once drawn: read
 * from the page's ECharts instance (window.echarts, loaded from the own origin).
 */
describe('organization pages in a browser', () => {
  before(async () => {
    browser = await launchBrowser();
    sim = await startSimulator({ reportDelayMs: 10 });
    smtp = await startTestSmtpServer();
    service = await startService({
      name: 'ui-organizations',
      env: { LOSANT_API_URL: sim.url, LOSANT_API_TOKEN: sim.token, LOSANT_INSTANCE_ID: sim.instanceId, SMTP_URL: smtp.url },
    });
    for (const range of RANGES) reportIds.push(await deliveredReport(range));
    await smtp.waitForMessages(2);
    // An organization both reports name: the simulated instance has the same organizations throughout.
    const { items } = await service.usage.resources.listResources('organization', { offset: 0, limit: 50 });
    const named = await Promise.all(items.map(async (item) => ({ item, points: await service.usage.resources.resourceHistory('organization', item.id) })));
    const inBoth = named.find(({ points }) => points.length === 2);
    assert.ok(inBoth, 'an organization is named by both reports');
    organization = inBoth.item;
  });
  after(async () => {
    await browser?.close();
    await service?.stop();
    await smtp?.close();
    await sim?.close();
  });

  test('an organization found in the list and by search shows both reports: two points per chart series, a table row linking each report, its tags', async () => {
    await withPage(browser, DESKTOP, async (watched) => {
      const { page } = watched;
      await signIn(watched, service.url, TEST_ADMIN_TOKEN);
      await Promise.all([
        page.waitForURL(`${service.url}/ui/organizations`),
        page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Organizations' }).click(),
      ]);
      const list = page.getByRole('table', { name: /organizations named in kept reports/u });
      assert.ok(await list.getByRole('link', { name: organization.name, exact: true }).isVisible(), 'the list names the organization');
      await watched.screenshot('organizations-list');

      await page.getByLabel('Search organizations by name or id').fill(organization.name.slice(0, 4));
      await Promise.all([page.waitForURL(/\/ui\/organizations\?q=/u), page.getByRole('button', { name: 'Search' }).click()]);
      const found = page.getByRole('table', { name: /whose name starts with it/u }).getByRole('link', { name: organization.name, exact: true });
      await Promise.all([page.waitForURL(`${service.url}/ui/organizations/${encodeURIComponent(organization.id)}`), found.click()]);

      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), organization.name);
      assert.deepEqual(
        await chartSeriesLengths(page, '[aria-labelledby="usage-title"] [data-usage-chart]'),
        [2, 2, 2],
        'payloads, devices and minutes each drew both reports',
      );
      const table = page.getByRole('table', { name: /figures in each report that names it/u });
      assert.equal(await table.locator('tbody tr').count(), 2);
      for (const id of reportIds) assert.equal(await table.getByRole('link', { name: id }).getAttribute('href'), `/ui/reports/${id}`);
      const points = await service.usage.resources.resourceHistory('organization', organization.id);
      const payloads = points.at(-1)?.figures.payloadBillableCount;
      assert.ok(payloads !== undefined);
      assert.match(
        (await table
          .getByRole('row')
          .filter({ has: page.getByRole('link', { name: reportIds[1] ?? '' }) })
          .textContent()) ?? '',
        new RegExp(payloads.toLocaleString('en-US')),
      );
      for (const [name, value] of Object.entries(points.at(-1)?.tags ?? {}))
        assert.match((await page.locator('.tags').textContent()) ?? '', new RegExp(`${name}\\s+${value}`, 'u'));
      await watched.screenshot('organization-desktop');
      watched.assertClean();
    });
  });

  test('the organization page reads on a phone; an unknown organization is a 404 page', async () => {
    await withPage(browser, PHONE, async (watched) => {
      const { page } = watched;
      await signIn(watched, service.url, TEST_ADMIN_TOKEN);
      await page.goto(`${service.url}/ui/organizations/${encodeURIComponent(organization.id)}`);
      assert.deepEqual(await chartSeriesLengths(page, '[aria-labelledby="usage-title"] [data-usage-chart]'), [2, 2, 2]);
      assert.equal(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), true, 'nothing is wider than the phone');
      await watched.screenshot('organization-phone');

      const missing = await page.goto(`${service.url}/ui/organizations/no-such-organization`);
      assert.equal(missing?.status(), 404);
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Not found');
      const application = await page.goto(`${service.url}/ui/applications/${encodeURIComponent(organization.id)}`);
      assert.equal(application?.status(), 404, 'an organization is not an application');
      // The browser logs each 404 document it was sent to on purpose here.
      watched.assertClean(/status of 404 \(Not Found\) \(http:\/\/127\.0\.0\.1:\d+\/ui\/(organizations\/no-such-organization|applications\/[0-9a-f]+)\)$/u);
    });
  });

  test("the overview charts the instance's months: January and February of both reports, with the same figures in its table", async () => {
    for (const [viewport, name] of [
      [DESKTOP, 'overview-months-desktop'],
      [PHONE, 'overview-months-phone'],
    ] as const) {
      await withPage(browser, viewport, async (watched) => {
        const { page } = watched;
        await signIn(watched, service.url, TEST_ADMIN_TOKEN);
        assert.deepEqual(await chartSeriesLengths(page, '[data-usage-chart]'), [2, 2, 2]);
        const months = await service.usage.instance.monthlyTotals({ from: '2026-01', to: '2026-02' });
        const table = page.getByRole('table', { name: /usage month by month/u });
        for (const month of months) {
          const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: month.month }) });
          assert.match((await row.textContent()) ?? '', new RegExp((month.billablePayloads ?? -1).toLocaleString('en-US')));
        }
        assert.equal(months.length, 2);
        assert.equal(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), true, 'nothing is wider than the window');
        await watched.screenshot(name);
        watched.assertClean();
      });
    }
  });
});
