/**
 * Runs ONE hostile case against the whole service in this process and prints, as one JSON line,
 * how the report ended and how much memory the process used. Started by memory-bound.test.ts as
 * a child process so that the figures are this service's alone:
 *
 *   node --import tsx test/reliability/security/memory-probe.ts <case> [download URL]
 *
 * Cases: "download" (the URL serves something hostile) or "callback-flood" (a 400 MiB callback
 * body, streamed). Memory: ru_maxrss (process.resourceUsage().maxRSS, the kernel's peak resident
 * set of the whole process lifetime) and process.memoryUsage().rss sampled every 5 ms.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { createAwaitingReport } from '../../helpers/reports.js';
import { startService, type RunningService } from '../../helpers/service.js';
import { rawRequest, urlCallback } from './harness.js';

const MiB = 1024 * 1024;
const GOOD_CSV = 'resourceType,resourceId,resourceName,deviceCount\norganization,o1,Acme,3\n';

async function newReport(service: RunningService): Promise<string> {
  return (await createAwaitingReport(service.store, service.url)).callbackUrl;
}

async function deliverNormal(service: RunningService): Promise<string> {
  const url = await newReport(service);
  assert.equal((await rawRequest(url, { headers: { 'content-type': 'text/csv' }, body: GOOD_CSV })).status, 202);
  return (await service.waitForStatus(url.split('/').at(-2)!, ['delivered', 'failed', 'unrecognized'])).status;
}

/** Streams `bytes` of CSV-ish text as one chunked callback body, reusing one buffer. */
function flood(url: string, bytes: number): Promise<number | string> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'text/csv' }, agent: false });
    const chunk = Buffer.alloc(MiB, 'organization,o1,Acme,3\n');
    let sent = 0;
    const write = (): void => {
      while (sent < bytes && !req.destroyed) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', write);
          return;
        }
      }
      if (!req.destroyed) req.end();
    };
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    write();
  });
}

async function main(): Promise<void> {
  const [kind, target] = process.argv.slice(2);
  const service = await startService({
    name: 'sec-memprobe',
    env: { DOWNLOAD_MAX_BYTES: String(256 * MiB), DOWNLOAD_IDLE_TIMEOUT_MS: '10000', DOWNLOAD_TIMEOUT_MS: '60000', JOB_ATTEMPTS: '1' },
  });
  try {
    assert.equal(await deliverNormal(service), 'delivered', 'warm-up report');
    const baselineRss = process.memoryUsage().rss;
    const maxRssBefore = process.resourceUsage().maxRSS * 1024;
    let sampledPeakRss = baselineRss;
    const sampler = setInterval(() => {
      sampledPeakRss = Math.max(sampledPeakRss, process.memoryUsage().rss);
    }, 5);

    const started = Date.now();
    const url = await newReport(service);
    let outcome: Record<string, unknown>;
    if (kind === 'callback-flood') {
      outcome = { httpStatus: await flood(url, 400 * MiB), stored: (await service.store.get(url.split('/').at(-2)!))?.status };
    } else {
      assert.ok(target, 'a download URL');
      assert.equal((await rawRequest(url, urlCallback(target))).status, 202);
      const record = await service.waitForStatus(url.split('/').at(-2)!, ['delivered', 'failed', 'unrecognized'], 120_000);
      outcome = {
        status: record.status,
        step: record.error?.step,
        code: record.error?.code,
        message: record.error?.message,
        downloadedBytes: record.download?.bytes ?? null,
      };
    }
    clearInterval(sampler);
    const ms = Date.now() - started;
    const maxRss = process.resourceUsage().maxRSS * 1024;
    const after = await deliverNormal(service);
    console.log(JSON.stringify({ kind, ...outcome, ms, baselineRss, maxRssBefore, sampledPeakRss, maxRss, normalReportAfter: after }));
  } finally {
    await service.stop();
    await rm(service.config.dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
