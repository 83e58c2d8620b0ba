import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { JOB_STEPS } from '../../src/metrics/metrics.js';
import { QUEUE_STATES } from '../../src/metrics/prometheus.js';
import { createService, type Service } from '../../src/service.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { REDIS_URL } from '../helpers/redis.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { silentLogger } from '../helpers/logger.js';
import { labelValues, sampleValue, scrapeMetrics, type Scrape } from '../helpers/prometheus.js';
import { createAwaitingReport } from '../helpers/reports.js';
import { startService, type RunningService } from '../helpers/service.js';
import { startTestSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';

/**
 * Both processes' /metrics, scraped over HTTP while a report goes through the whole pipeline: a
 * web process (admin API, callbacks, Losant client) and a worker process (download, archive,
 * parse, email) on the same Redis prefix, with the simulator as Losant and a real SMTP server.
 */

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
const RANGE = { start: '2026-01-01T00:00:00Z', end: '2026-01-08T00:00:00Z' };

let sim: Simulator;
let smtp: TestSmtpServer;
let web: RunningService;
let worker: Service;
let dataDir: string;
let workerMetricsUrl: string;

/** A worker-role service with its own settings only, on the web's prefix and data folder, its metrics on a free loopback port. */
async function startWorker(prefix: string): Promise<Service> {
  const config = loadConfig('worker', {
    LOG_LEVEL: 'silent',
    REDIS_URL,
    REDIS_PREFIX: prefix,
    LOSANT_INSTANCE_ID: sim.instanceId,
    DATA_DIR: dataDir,
    DOWNLOAD_ALLOWED_HOSTS: '127.0.0.1,localhost',
    DOWNLOAD_ALLOWED_PORTS: '*',
    DOWNLOAD_ALLOW_PRIVATE_NETWORKS: 'true',
    SMTP_URL: smtp.url,
    SMTP_REQUIRE_TLS: 'false',
    JOB_BACKOFF_MS: '50',
    METRICS_TOKEN,
    WORKER_METRICS_PORT: '0',
  });
  const service = await createService({ config, role: 'worker', overrides: { logger: silentLogger() }, maintenanceIntervalMs: 500 });
  await service.start();
  return service;
}

const scrapeWeb = () => scrapeMetrics(`${web.url}/metrics`, METRICS_TOKEN);
const scrapeWorker = () => scrapeMetrics(workerMetricsUrl, METRICS_TOKEN);

/** `after`'s value of a sample less `before`'s. */
const moved = (before: Scrape, after: Scrape, name: string, labels: Record<string, string> = {}) =>
  sampleValue(after, name, labels) - sampleValue(before, name, labels);

describe('Prometheus metrics of both processes', () => {
  before(async () => {
    sim = await startSimulator({ reportDelayMs: 20 });
    smtp = await startTestSmtpServer();
    dataDir = mkdtempSync(join(tmpdir(), 'report-relay-metrics-'));
    web = await startService({
      name: 'metrics',
      worker: false,
      env: { LOSANT_API_URL: sim.url, LOSANT_API_TOKEN: sim.token, LOSANT_INSTANCE_ID: sim.instanceId, DATA_DIR: dataDir, METRICS_TOKEN },
    });
    worker = await startWorker(web.config.redis.prefix);
    assert.ok(worker.metricsServer, 'the worker metrics port listens');
    workerMetricsUrl = `http://127.0.0.1:${(worker.metricsServer.address() as AddressInfo).port}/metrics`;
  });
  after(async () => {
    await worker.close();
    await web.stop();
    await smtp.close();
    await sim.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a report delivered end to end moves the counters and histograms of both processes, scraped while it runs', async () => {
    const [webBefore, workerBefore] = await Promise.all([scrapeWeb(), scrapeWorker()]);

    const response = await fetch(`${web.url}/admin/reports`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...RANGE, recipients: ['ops@example.com'] }),
    });
    assert.equal(response.status, 202);
    // as: the admin answer's contract is checked by the admin tests; only the id is read here.
    const { report } = (await response.json()) as { report: { id: string } };

    // Scrapes while the pipeline runs: each one must answer, whatever the report's step.
    let scrapes = 0;
    let delivered = false;
    const scraping = (async () => {
      while (!delivered) {
        await Promise.all([scrapeWeb(), scrapeWorker()]);
        scrapes += 1;
      }
    })();
    const record = await web.waitForStatus(report.id, ['delivered', 'failed', 'unrecognized']).finally(() => {
      delivered = true;
    });
    await scraping;
    assert.equal(record.status, 'delivered', JSON.stringify(record.error));
    assert.ok(scrapes > 0);
    await smtp.waitForMessages(1);

    const [webAfter, workerAfter] = await Promise.all([scrapeWeb(), scrapeWorker()]);

    // The web process: the request, Losant's answer, the callback, the statuses it moved the report into.
    assert.equal(moved(webBefore, webAfter, 'report_relay_callbacks_total', { route: 'report', outcome: 'accepted' }), 1);
    assert.equal(moved(webBefore, webAfter, 'report_relay_losant_requests_total', { action: 'generateReport' }), 1);
    assert.equal(moved(webBefore, webAfter, 'report_relay_losant_requests_total', { action: 'generateReport', status: '202' }), 1);
    for (const to of ['requested', 'accepted', 'callback_received']) {
      assert.equal(moved(webBefore, webAfter, 'report_relay_report_status_changes_total', { to }), 1, to);
    }
    const adminRequests = { route: '/admin/reports', method: 'POST', status: '202' };
    assert.equal(moved(webBefore, webAfter, 'report_relay_http_request_duration_seconds_count', adminRequests), 1);
    assert.equal(moved(webBefore, webAfter, 'report_relay_http_request_duration_seconds_bucket', { ...adminRequests, le: '+Inf' }), 1);
    const callbackRequests = { route: '/callbacks/r/:id/:secret', method: 'POST', status: '202' };
    assert.equal(moved(webBefore, webAfter, 'report_relay_http_request_duration_seconds_count', callbackRequests), 1);

    // The worker process: each step timed once, the bytes, the email, the statuses it moved the report into.
    for (const step of JOB_STEPS) {
      assert.equal(moved(workerBefore, workerAfter, 'report_relay_job_step_duration_seconds_count', { step, outcome: 'ok' }), 1, step);
      assert.ok(moved(workerBefore, workerAfter, 'report_relay_job_step_duration_seconds_sum', { step }) > 0, step);
    }
    assert.equal(moved(workerBefore, workerAfter, 'report_relay_download_bytes_total'), record.download?.bytes);
    assert.ok((record.download?.bytes ?? 0) > 0);
    assert.equal(moved(workerBefore, workerAfter, 'report_relay_emails_sent_total'), 1);
    for (const to of ['downloaded', 'archived', 'summarized', 'emailed', 'delivered']) {
      assert.equal(moved(workerBefore, workerAfter, 'report_relay_report_status_changes_total', { to }), 1, to);
    }

    // Read from Redis at the scrape: the same in both processes.
    for (const scrape of [webAfter, workerAfter]) {
      assert.ok(sampleValue(scrape, 'report_relay_reports', { status: 'delivered' }) >= 1);
      for (const state of QUEUE_STATES) {
        assert.ok(
          scrape.samples.some((sample) => sample.name === 'report_relay_queue_jobs' && sample.labels.state === state),
          `queue state ${state}`,
        );
      }
      assert.ok(scrape.types.has('process_cpu_user_seconds_total'), 'the default process metrics are there');
    }

    // No id in any label, nor anywhere in the text: the report's, Losant's job's, the callback's secret.
    const job = sim.jobs.find((entry) => entry.jobId === record.losant.jobId);
    assert.ok(job);
    const asked = sim.requests.find((entry) => entry.action === 'generateReport');
    // as: the simulator keeps the JSON body generateReport was sent; its callbackUrl carries the secret.
    const secret = new URL((asked?.body as { callbackUrl: string }).callbackUrl).pathname.split('/').at(-1) ?? '';
    assert.ok(secret.length >= 20);
    for (const scrape of [webAfter, workerAfter]) {
      for (const value of labelValues(scrape)) {
        assert.ok(!value.includes(report.id), `a label holds the report id: ${value}`);
        assert.ok(!value.includes(job.jobId), `a label holds the Losant job id: ${value}`);
      }
      for (const kept of [report.id, job.jobId, secret]) assert.ok(!scrape.text.includes(kept), `the exposition holds ${kept}`);
    }
  });

  test('/metrics answers 401 without the token, with a wrong one or with a credential in the URL, on both processes', async () => {
    for (const url of [`${web.url}/metrics`, workerMetricsUrl]) {
      assert.equal((await fetch(url)).status, 401, url);
      const wrong = await fetch(url, { headers: { Authorization: 'Bearer not-the-metrics-token-at-all' } });
      assert.equal(wrong.status, 401, url);
      assert.equal(wrong.headers.get('www-authenticate'), 'Bearer realm="metrics"');
      assert.doesNotMatch(await wrong.text(), /report_relay_/u);
      assert.equal((await fetch(`${url}?token=${METRICS_TOKEN}`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })).status, 401, url);
      assert.equal((await fetch(url, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })).status, 200, url);
    }
    const onlyMetrics = await fetch(workerMetricsUrl.replace('/metrics', '/admin/reports'), { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
    assert.equal(onlyMetrics.status, 404, 'the worker metrics port serves nothing else');
  });
});

describe('metrics where no token is set', () => {
  test('the web process does not serve /metrics without METRICS_TOKEN', async () => {
    const service = await startService({ name: 'metrics-off', worker: false });
    try {
      const response = await fetch(`${service.url}/metrics`);
      assert.equal(response.status, 404);
      assert.doesNotMatch(await response.text(), /report_relay_/u);
    } finally {
      await service.stop();
    }
  });
});

describe('a download the guard refuses', () => {
  test('moves report_relay_download_refusals_total{reason="private_address"}', async () => {
    const service = await startService({
      name: 'metrics-ssrf',
      env: { METRICS_TOKEN, DOWNLOAD_ALLOW_PRIVATE_NETWORKS: 'false', DOWNLOAD_ALLOWED_HOSTS: '127.0.0.1' },
    });
    try {
      const before = await scrapeMetrics(`${service.url}/metrics`, METRICS_TOKEN);
      const awaiting = await createAwaitingReport(service.store, service.url);
      const callback = await fetch(awaiting.callbackUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ url: 'http://127.0.0.1:9/report.csv' }),
      });
      assert.equal(callback.status, 202);
      const record = await service.waitForStatus(awaiting.id, ['failed', 'delivered', 'unrecognized']);
      assert.equal(record.error?.code, 'download_private_address');

      const after = await scrapeMetrics(`${service.url}/metrics`, METRICS_TOKEN);
      assert.equal(moved(before, after, 'report_relay_download_refusals_total', { reason: 'private_address' }), 1);
      assert.equal(moved(before, after, 'report_relay_download_bytes_total'), 0);
      assert.equal(moved(before, after, 'report_relay_job_step_duration_seconds_count', { step: 'download', outcome: 'failed' }), 1);
      assert.equal(moved(before, after, 'report_relay_report_status_changes_total', { to: 'failed' }), 1);
      for (const value of labelValues(after)) assert.ok(!value.includes(awaiting.id) && !value.includes(awaiting.secret), value);
    } finally {
      await service.stop();
    }
  });
});
