import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { failedJob } from '../helpers/queue-jobs.js';
import { startService, type RunningService } from '../helpers/service.js';
import { DESKTOP, launchBrowser, signIn, type WatchedPage, withPage } from './helpers/browser.js';

/*
 * The queue board (bull-board at /ui/queues) in a real chromium: reached from the dashboard's nav,
 * it must run under its own CSP without a single violation or console error (no exception is
 * granted), and with UI_QUEUE_ACTIONS=true its retry button must get through the CSRF checks.
 */

let browser: Browser;

/** Signs in, follows the nav's Queues link, and waits for bull-board to list the report queue. */
async function openQueues(watched: WatchedPage, service: RunningService): Promise<void> {
  const { page } = watched;
  await signIn(watched, service.url, TEST_ADMIN_TOKEN);
  await Promise.all([
    page.waitForURL(`${service.url}/ui/queues`),
    page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Queues' }).click(),
  ]);
  await page.getByRole('link', { name: 'reports', exact: true }).first().waitFor();
}

describe('queue board in a browser', () => {
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('signed in, the nav opens Queues: bull-board shows the report queue and its failed job under its CSP, read-only', async () => {
    const service = await startService({ worker: false, name: 'ui-queues-b' });
    try {
      const jobId = await failedJob(service, 'r-browser', 'quota exceeded');
      await withPage(browser, DESKTOP, async (watched) => {
        const { page } = watched;
        await openQueues(watched, service);
        assert.equal(await page.title(), 'report-relay queues');
        await watched.screenshot('queue-board');
        await page.goto(`${service.url}/ui/queues/queue/reports/${jobId}`);
        await page.getByText('quota exceeded').first().waitFor();
        // Read-only: bull-board draws no retry button (its icon buttons have no name; the icon tells them apart).
        assert.equal(await page.locator('button:has(svg.lucide-refresh-cw)').count(), 0);
        await watched.screenshot('queue-board-job');
        watched.assertClean();
      });
    } finally {
      await service.stop();
    }
  });

  test("with UI_QUEUE_ACTIONS=true, the job's retry button retries it: the board's client passes the CSRF checks", async () => {
    const service = await startService({ worker: false, name: 'ui-queue-actions-b', env: { UI_QUEUE_ACTIONS: 'true' } });
    try {
      const jobId = await failedJob(service, 'r-retry-browser', 'quota exceeded');
      await withPage(browser, DESKTOP, async (watched) => {
        const { page } = watched;
        await openQueues(watched, service);
        await page.goto(`${service.url}/ui/queues/queue/reports/${jobId}`);
        await page.getByText('quota exceeded').first().waitFor();
        await page.locator('button:has(svg.lucide-refresh-cw)').first().click();
        await page.getByText('Are you sure that you want to retry this job?').waitFor();
        const [answer] = await Promise.all([
          page.waitForResponse((response) => response.url().endsWith(`/ui/queues/api/queues/reports/${jobId}/retry`)),
          page.getByRole('button', { name: 'Confirm' }).click(),
        ]);
        assert.equal(answer.status(), 204);
        assert.equal(await (await service.queue.queue.getJob(jobId))?.getState(), 'waiting');
        watched.assertClean();
      });
    } finally {
      await service.stop();
    }
  });
});
