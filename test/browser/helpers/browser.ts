import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium: the browser these tests drive (no browser is downloaded). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where each test's screenshots go (git-ignored): test-artifacts/screenshots/. */
export const SCREENSHOTS = fileURLToPath(new URL('../../../test-artifacts/screenshots/', import.meta.url));

export const DESKTOP = { width: 1280, height: 800 } as const;
export const PHONE = { width: 390, height: 844 } as const;

/** Held (a folder with the holder's pid) by the one test process running a chromium on this machine. */
const BROWSER_TURN = join(tmpdir(), 'report-relay-browser-tests.lock');

function holderAlive(): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(BROWSER_TURN, 'pid'), 'utf8'));
  } catch {
    // Just made, its pid not written yet: taken.
    return true;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Waits until no other test file runs a chromium (the test runner runs two files at once, and
 * two browsers would starve the two cores), then holds the turn until `release`. A turn left by
 * a killed test process is taken over.
 */
async function takeBrowserTurn(): Promise<() => void> {
  for (;;) {
    try {
      mkdirSync(BROWSER_TURN);
      writeFileSync(join(BROWSER_TURN, 'pid'), String(process.pid));
      return () => rmSync(BROWSER_TURN, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (!holderAlive()) rmSync(BROWSER_TURN, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/**
 * One chromium per test file, and one test file with a chromium at a time: launch it in before(),
 * close it in after(), and give each test its own context (its own cookies). A missing chromium
 * fails the test with the way to install it; nothing is skipped.
 */
export async function launchBrowser(): Promise<Browser> {
  assert.ok(existsSync(CHROMIUM), `chromium is not installed at ${CHROMIUM}: install it with apt-get install -y chromium (or set CHROMIUM_PATH)`);
  const release = await takeBrowserTurn();
  try {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    browser.on('disconnected', release);
    return browser;
  } catch (error) {
    release();
    throw error;
  }
}

/** A page whose every console error, page error, CSP violation, failed subresource and dialog is recorded. */
export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** What went wrong in the browser; a test ends with `assertClean`. */
  problems: string[];
  /** Messages of alert/confirm/prompt dialogs that opened (each was dismissed). */
  dialogs: string[];
  /** Fails the test when anything went wrong in the browser, except problems matching `expected` (say why at the call). */
  assertClean(expected?: RegExp): void;
  /** Saves a full-page screenshot as test-artifacts/screenshots/<name>.png. */
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

// Runs in the page before its own scripts: CSP violations are reported to the test through a binding.
const REPORT_CSP_VIOLATIONS = `document.addEventListener('securitypolicyviolation', (event) => {
  window.__reportCspViolation(event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline') + ' at ' + event.sourceFile + ':' + event.lineNumber);
});`;

export async function openPage(browser: Browser, viewport: { width: number; height: number } = DESKTOP): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport });
  const problems: string[] = [];
  const dialogs: string[] = [];
  await context.exposeBinding('__reportCspViolation', (_source, text: unknown) => {
    problems.push(`CSP violation: ${String(text)}`);
  });
  await context.addInitScript({ content: REPORT_CSP_VIOLATIONS });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'document' && response.status() >= 400) problems.push(`status of ${response.status()} for ${response.url()}`);
  });
  // A document that fails to load fails the goto or wait that asked for it; a subresource would fail
  // silently. ERR_ABORTED is the browser dropping a request because the page moved on (the icon of a
  // page left at once), not a failure of the service: an error answer is caught above by its status.
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText ?? 'unknown';
    if (request.resourceType() !== 'document' && reason !== 'net::ERR_ABORTED') problems.push(`request failed: ${request.url()} (${reason})`);
  });
  return {
    context,
    page,
    problems,
    dialogs,
    assertClean(expected) {
      assert.deepEqual(dialogs, [], 'no dialog may open');
      assert.deepEqual(
        problems.filter((problem) => !expected?.test(problem)),
        [],
        'the browser reported problems',
      );
    },
    async screenshot(name) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
    },
    close: () => context.close(),
  };
}

/** Signs in on the sign-in page, as a person would: label, field, button. */
/** A fresh page (its own browser context) for `body`, closed afterwards whatever happens. */
export async function withPage(browser: Browser, viewport: { width: number; height: number }, body: (watched: WatchedPage) => Promise<void>): Promise<void> {
  const watched = await openPage(browser, viewport);
  try {
    await body(watched);
  } finally {
    await watched.close();
  }
}

export async function signIn(watched: WatchedPage, baseUrl: string, token: string): Promise<void> {
  const { page } = watched;
  await page.goto(`${baseUrl}/ui`);
  assert.equal(new URL(page.url()).pathname, '/ui/sign-in', 'a signed-out visit to /ui is sent to the sign-in page');
  await page.getByLabel('Admin token').fill(token);
  await Promise.all([page.waitForURL(`${baseUrl}/ui`), page.getByRole('button', { name: 'Sign in' }).click()]);
}

/** The lengths of the series of the ECharts chart drawn in `selector`, once drawn. */
export async function chartSeriesLengths(page: Page, selector: string): Promise<number[]> {
  const handle = await page.waitForFunction(`(() => {
    const element = document.querySelector(${JSON.stringify(selector)});
    const option = element && window.echarts && window.echarts.getInstanceByDom(element)?.getOption();
    return option ? option.series.map((series) => series.data.length) : null;
  })()`);
  const lengths: unknown = await handle.jsonValue();
  assert.ok(Array.isArray(lengths) && lengths.every((length) => typeof length === 'number'), JSON.stringify(lengths));
  return lengths;
}
