import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { startService, type RunningService } from '../helpers/service.js';
import { startTestSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { DESKTOP, launchBrowser, PHONE, signIn, withPage } from './helpers/browser.js';

/*
 * The Reports list and a report's page in a real chromium, against the whole service (web and
 * worker), the Losant simulator and a real SMTP server: a report followed to delivered without a
 * reload, its charts, its CSV download, a failed report retried from its page, and an
 * organization whose name is markup.
 */

const HOSTILE = '<img src=x onerror=alert(1)>';
const RANGE = { start: '2026-01-01T00:00:00Z', end: '2026-01-15T00:00:00Z' };

let browser: Browser;
let sim: Simulator;
let smtp: TestSmtpServer;
let service: RunningService;

/** Asks for a report through the admin API (one Losant job at a time, as on Losant). */
async function requestReport(body: Record<string, unknown> = {}): Promise<string> {
  const previous = sim.jobs.at(-1);
  if (previous) await sim.waitForJob(previous.jobId, 20_000);
  const response = await request(service.url)
    .post('/admin/reports')
    .set({ Authorization: `Bearer ${TEST_ADMIN_TOKEN}` })
    .send({ ...RANGE, recipients: ['ops@example.com'], ...body });
  assert.equal(response.status, 202, JSON.stringify(response.body));
  return String(response.body.report.id);
}

/** The callback Losant would have sent for the report's job (the simulator was told not to send it), delivered now. */
async function deliverCallback(reportId: string): Promise<void> {
  const record = (await service.store.get(reportId))!;
  const job = await sim.waitForJob(record.losant.jobId!, 20_000);
  const asked = sim.requests.find((entry) => entry.action === 'generateReport' && JSON.stringify(entry.body).includes(reportId));
  const callbackUrl = (asked?.body as { callbackUrl?: string } | undefined)?.callbackUrl;
  assert.ok(callbackUrl, 'the report asked Losant with a callback URL');
  const response = await fetch(callbackUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jobId: job.jobId, status: 'completed', success: true, url: job.downloadUrl }),
  });
  assert.ok(response.ok, `callback answered ${response.status}`);
}

let delivered = '';

describe('reports pages in a browser', () => {
  before(async () => {
    browser = await launchBrowser();
    sim = await startSimulator({ reportDelayMs: 10, organizationNames: [HOSTILE] });
    smtp = await startTestSmtpServer();
    service = await startService({
      name: 'ui-reports-browser',
      env: { LOSANT_API_URL: sim.url, LOSANT_API_TOKEN: sim.token, LOSANT_INSTANCE_ID: sim.instanceId, SMTP_URL: smtp.url, JOB_ATTEMPTS: '2' },
    });
  });
  after(async () => {
    await browser?.close();
    await service?.stop();
    await smtp?.close();
    await sim?.close();
  });

  test('a requested report shows on the list in flight, with its step, and reaches delivered there without a reload', async () => {
    // The callback is held back until the list shows the report waiting for it.
    sim.setFaults({ noCallback: true });
    const id = await requestReport();
    sim.setFaults({ noCallback: false });
    await withPage(browser, DESKTOP, async (watched) => {
      const { page } = watched;
      await signIn(watched, service.url, TEST_ADMIN_TOKEN);
      await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Reports' }).click();
      await page.waitForURL(`${service.url}/ui/reports`);
      const row = page.locator(`tr[data-report-id="${id}"]`);
      assert.equal(await row.getAttribute('data-in-flight'), '', 'the report is in flight when the list loads');
      assert.match((await row.locator('.live-step-text').textContent()) ?? '', /Waiting for the callback/u);
      assert.equal(await row.locator('progress').count(), 1);
      await watched.screenshot('reports-in-flight-desktop');

      let loads = 0;
      page.on('load', () => (loads += 1));
      await deliverCallback(id);
      await row.locator('[data-live-badge]', { hasText: 'delivered' }).waitFor({ timeout: 60_000 });
      assert.equal(loads, 0, 'the page was not reloaded');
      assert.equal(await row.locator('progress').count(), 0, 'the progress bar goes once the report is delivered');
      assert.equal(await row.getAttribute('data-in-flight'), null);
      await watched.screenshot('reports-delivered-desktop');
      watched.assertClean();
    });
    delivered = id;
  });

  test("the report's page draws its charts from the summary, names organizations as text and downloads the CSV Losant served", async () => {
    assert.ok(delivered, 'the previous test delivered a report');
    const record = (await service.store.get(delivered))!;
    const job = sim.jobs.find((entry) => entry.jobId === record.losant.jobId)!;
    const served = Buffer.from(await (await fetch(job.downloadUrl!)).arrayBuffer());
    await withPage(browser, DESKTOP, async (watched) => {
      const { page } = watched;
      await signIn(watched, service.url, TEST_ADMIN_TOKEN);
      await page.goto(`${service.url}/ui/reports/${delivered}`);
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), `Report ${delivered}`);
      await page.locator('.report-chart svg').first().waitFor();
      // In the page: each chart's ECharts instance, and what its first series holds.
      interface ChartElement {
        getAttribute(name: string): string | null;
      }
      interface ECharts {
        getInstanceByDom(element: ChartElement): { getOption(): { series: Array<{ type: string; data: unknown[] }> } } | undefined;
      }
      const drawn = await page.locator('[data-chart]').evaluateAll((elements: ChartElement[]) => {
        const { echarts } = globalThis as unknown as { echarts: ECharts };
        return elements.map((element) => {
          const series = echarts.getInstanceByDom(element)?.getOption().series[0];
          return { label: element.getAttribute('aria-label'), type: series?.type, points: series?.data.length ?? 0 };
        });
      });
      const lines = drawn.filter((chart) => chart.type === 'line');
      const bars = drawn.filter((chart) => chart.type === 'bar');
      assert.ok(lines.length >= 1 && lines.every((chart) => chart.points === record.summary!.periodSeries!.starts.length), JSON.stringify(drawn));
      assert.equal(bars.length, 1);
      assert.equal(bars[0]!.points, record.summary!.top[0]!.entries.length);
      assert.ok(
        drawn.every((chart) => (chart.label ?? '').length > 0),
        'every chart is labelled',
      );

      // The organization named with markup is shown as its text, linked to its page.
      const hostile = page.getByRole('link', { name: HOSTILE }).first();
      assert.match((await hostile.getAttribute('href')) ?? '', /^\/ui\/organizations\/[a-f\d]{24}$/u);
      assert.equal(await page.locator('main img').count(), 0, 'no <img> was made from the name');
      assert.ok((await page.getByRole('row').filter({ hasText: 'Billable payloads' }).count()) > 0, 'the totals table');
      await page.getByText('Every change of status and note').waitFor();

      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download the CSV' }).click()]);
      assert.equal(download.suggestedFilename(), `report-${delivered}.csv`);
      assert.deepEqual(await readFile(await download.path()), served);
      await watched.screenshot('report-desktop');
      watched.assertClean();
    });
    await withPage(browser, PHONE, async (watched) => {
      await signIn(watched, service.url, TEST_ADMIN_TOKEN);
      await watched.page.goto(`${service.url}/ui/reports/${delivered}`);
      await watched.page.locator('.report-chart svg').first().waitFor();
      await watched.screenshot('report-phone');
      await watched.page.goto(`${service.url}/ui/reports`);
      await watched.screenshot('reports-phone');
      assert.deepEqual(watched.dialogs, []);
      watched.assertClean();
    });
  });

  test('a report whose email the server refused fails; retried from its page it is delivered', async () => {
    smtp.failNext({ type: 'reply', code: 550 });
    const before = smtp.messages.length;
    const id = await requestReport();
    const failed = await service.waitForStatus(id, ['failed', 'delivered']);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.error?.step, 'email');
    await withPage(browser, DESKTOP, async (watched) => {
      const { page } = watched;
      await signIn(watched, service.url, TEST_ADMIN_TOKEN);
      await page.goto(`${service.url}/ui/reports/${id}`);
      await page.locator('.notice-error', { hasText: 'email failed' }).waitFor();
      await watched.screenshot('report-failed-desktop');
      await Promise.all([page.waitForURL(`${service.url}/ui/reports/${id}?retried=started`), page.getByRole('button', { name: 'Retry this report' }).click()]);
      await page.getByRole('status').filter({ hasText: 'A new run of this report was started.' }).waitFor();
      // The page follows the new run by itself and says when it has ended.
      await page.locator('[data-when-settled]').waitFor({ state: 'visible', timeout: 60_000 });
      assert.equal(await page.locator('.report-status [data-live-badge]').textContent(), 'delivered');
      await watched.screenshot('report-retried-desktop');
      watched.assertClean();
    });
    const messages = await smtp.waitForMessages(before + 1);
    assert.ok(messages.slice(before).some((message) => message.parsed.messageId === `<report-${id}@report-relay>`));
  });
});
