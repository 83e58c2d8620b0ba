import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { addMonths, comparedMonths, monthOf } from '../../src/insights/movers.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { expectedMovers, losantMonth } from '../helpers/losant-months.js';
import { startService, type RunningService } from '../helpers/service.js';
import { chartSeriesLengths, DESKTOP, launchBrowser, PHONE, signIn, withPage } from './helpers/browser.js';

/*
 * The organizations' trends in a real chromium, against the web side and the Losant simulator: the
 * backfill button on the organizations page (a refused month count first), its outcome, the top
 * movers, and an organization's page with its 12 months, their chart and the month-over-month
 * change, every figure held to the simulator's historicalSummaries read here on their own. The
 * first organization's name is markup that would open a dialog if it were run.
 */

const HOSTILE = `<img src=x onerror="alert('relay')"> & <b>Co</b>`;

let browser: Browser;
let sim: Simulator;
let service: RunningService;

const figure = (value: number | null) => (value === null ? '—' : value.toLocaleString('en-US', { maximumFractionDigits: 2 }));
const signed = (change: number) => (change > 0 ? `+${figure(change)}` : change < 0 ? `−${figure(-change)}` : '0');
const cellTexts = async (page: Page, row: ReturnType<Page['getByRole']>) =>
  (await row.locator('th, td').allInnerTexts()).map((text) => text.replace(/\s+/gu, ' ').trim());

describe('organizations’ trends in a browser', () => {
  before(async () => {
    browser = await launchBrowser();
    sim = await startSimulator({ reportDelayMs: 10, faults: { noCallback: true }, organizationNames: [HOSTILE] });
    service = await startService({
      worker: false,
      name: 'ui-trends-browser',
      env: { LOSANT_API_URL: sim.url, LOSANT_API_TOKEN: sim.token, LOSANT_INSTANCE_ID: sim.instanceId },
    });
  });
  after(async () => {
    await browser?.close();
    await service?.stop();
    await sim?.close();
  });

  test('the backfill button fills 12 months; the movers link to an organization whose page shows its 12 months and their change as Losant gives them', async () => {
    await withPage(browser, DESKTOP, async (watched) => {
      const { page } = watched;
      await signIn(watched, service.url, TEST_ADMIN_TOKEN);
      await Promise.all([
        page.waitForURL(`${service.url}/ui/organizations`),
        page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Organizations' }).click(),
      ]);
      const months = page.getByLabel('Months');
      assert.equal(await months.inputValue(), '12', 'twelve months unless changed');

      await months.fill('25');
      await Promise.all([page.waitForURL(`${service.url}/ui/organizations/backfill`), page.getByRole('button', { name: 'Backfill from Losant' }).click()]);
      assert.equal(await page.locator('#field-months-error').textContent(), 'must be from 1 to 24');
      assert.equal(await page.getByLabel('Months').getAttribute('aria-invalid'), 'true');
      assert.equal(await service.usage.organizations.allTrends().then((trends) => trends.length), 0, 'nothing was written');

      await page.getByLabel('Months').fill('12');
      await Promise.all([page.waitForURL(/\/ui\/organizations\?backfilled=12&/u), page.getByRole('button', { name: 'Backfill from Losant' }).click()]);
      const lastMonths = Array.from({ length: 12 }, (_, index) => addMonths(monthOf(new Date()), index - 12));
      assert.equal(
        (await page.getByRole('status').textContent())?.replace(/\s+/gu, ' ').trim(),
        `Backfilled 12 months from Losant (${lastMonths[0] ?? ''} to ${lastMonths.at(-1) ?? ''}): 6 organizations, 72 points written.`,
      );
      await watched.screenshot('trends-backfilled');

      const { latestMonth, previousMonth } = comparedMonths(new Date());
      const expected = await expectedMovers(sim, latestMonth);
      const direction = expected.up.length > 0 ? 'rose' : 'fell';
      const movers = expected.up.length > 0 ? expected.up : expected.down;
      const table = page.getByRole('table', { name: new RegExp(`billable payloads ${direction} most from ${previousMonth} to ${latestMonth}`, 'u') });
      assert.deepEqual(
        await table.locator('tbody th').allInnerTexts(),
        movers.slice(0, 5).map((mover) => mover.name),
      );
      const [mover] = movers;
      assert.ok(mover !== undefined);
      await Promise.all([page.waitForURL(`${service.url}/ui/organizations/${mover.id}`), table.getByRole('link', { name: mover.name, exact: true }).click()]);

      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), mover.name);
      const monthsTable = page.getByRole('table', { name: /usage month by month/u });
      assert.equal(await monthsTable.locator('tbody tr').count(), 12);
      const newestFirst = [...lastMonths].reverse();
      assert.deepEqual(await monthsTable.locator('tbody th').allInnerTexts(), newestFirst);
      for (const month of newestFirst) {
        const figures = (await losantMonth(sim, month)).get(mover.id);
        assert.ok(figures !== undefined, `Losant has ${mover.id} in ${month}`);
        const cells = await cellTexts(page, monthsTable.getByRole('row').filter({ has: page.getByRole('rowheader', { name: month, exact: true }) }));
        assert.deepEqual(cells.slice(0, 5), [
          month,
          figure(figures.billablePayloads),
          figure(figures.devices),
          figure(figures.notebookMinutes),
          "Losant's historicalSummaries",
        ]);
        assert.match(cells[5] ?? '', /^whole month \(\d\d days\)$/u);
      }
      assert.deepEqual(await chartSeriesLengths(page, '[aria-labelledby="months-title"] [data-usage-chart]'), [12, 12, 12]);

      const [latest, previous] = await Promise.all([losantMonth(sim, latestMonth), losantMonth(sim, previousMonth)]);
      const changes = page.getByRole('table', { name: `Month over month: ${latestMonth} against ${previousMonth} (whole months only)` });
      for (const [name, key] of [
        ['Billable payloads', 'billablePayloads'],
        ['Devices', 'devices'],
        ['Notebook minutes', 'notebookMinutes'],
      ] as const) {
        const was: number | null = previous.get(mover.id)?.[key] ?? null;
        const now: number | null = latest.get(mover.id)?.[key] ?? null;
        assert.ok(was !== null && now !== null);
        const cells = await cellTexts(page, changes.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) }));
        const percent: string = was === 0 ? '—' : `${signed(Math.round(((now - was) / was) * 1000) / 10)}%`;
        assert.deepEqual(cells, [name, figure(was), figure(now), signed(now - was), percent]);
      }
      assert.equal(mover.change, (latest.get(mover.id)?.billablePayloads ?? 0) - (previous.get(mover.id)?.billablePayloads ?? 0));
      await watched.screenshot('trends-organization-desktop');
      // The browser logs the 400 answer to the refused month count, asked for on purpose above.
      watched.assertClean(/status of 400 \(Bad Request\) \(http:\/\/127\.0\.0\.1:\d+\/ui\/organizations\/backfill\)$/u);
    });
  });

  test('an organization whose name is markup shows it as text, and its months read on a phone', async () => {
    const { latestMonth } = comparedMonths(new Date());
    const id = [...(await losantMonth(sim, latestMonth))].find(([, figures]) => figures.name === HOSTILE)?.[0];
    assert.ok(id !== undefined, 'the simulator gives the first organization the hostile name');
    await withPage(browser, PHONE, async (watched) => {
      const { page } = watched;
      await signIn(watched, service.url, TEST_ADMIN_TOKEN);
      await page.goto(`${service.url}/ui/organizations/${id}`);
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), HOSTILE);
      assert.equal(await page.locator('main img, main b').count(), 0, 'no element came from the name');
      assert.equal(
        await page
          .getByRole('table', { name: /usage month by month/u })
          .locator('tbody tr')
          .count(),
        12,
      );
      assert.deepEqual(await chartSeriesLengths(page, '[aria-labelledby="months-title"] [data-usage-chart]'), [12, 12, 12]);
      assert.equal(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), true, 'nothing is wider than the phone');
      await watched.screenshot('trends-organization-phone');

      await page.goto(`${service.url}/ui/organizations`);
      assert.equal(await page.locator('main img, main b').count(), 0, 'no element came from a name in the movers');
      assert.equal(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), true, 'nothing is wider than the phone');
      await watched.screenshot('trends-organizations-phone');
      watched.assertClean();
    });
  });
});
