import assert from 'node:assert/strict';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { after, before, describe, test, type TestContext } from 'node:test';
import { processJobId } from '../../src/jobs/queue.js';
import type { Simulator } from '../../src/sim/index.js';
import { REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import type { CsvServer } from './helpers/csv-server.js';
import { msg } from './helpers/processes.js';
import { getReport, requestAwaitingReport, waitForReport } from './helpers/reports.js';
import { createQueueProbe, type QueueProbe } from './helpers/queue-probe.js';
import { startSpawnedService, type SpawnedService } from './helpers/spawned-service.js';

/**
 * Guarantee 4: SIGTERM stops a process gracefully. Web: intake stops, a callback upload in
 * progress completes and is stored, the process exits 0 within SHUTDOWN_TIMEOUT_MS. Worker:
 * no new job is taken, the active job finishes, or, when it cannot finish in time, is returned
 * to the queue (not failed, no attempt used) and the process still exits 0 in time. A second
 * signal exits at once with code 1.
 */

const SHUTDOWN_TIMEOUT_MS = 6_000;
const EXIT_MARGIN_MS = 5_000;
const CSV_TEXT = 'resourceType,resourceId,resourceName,deviceCount\norganization,o1,Acme,3\n';
const prefix = uniquePrefix('rel-shutdown');
let service: SpawnedService;
let sim: Simulator;
let csv: CsvServer;
let baseUrl: string;
let probe: QueueProbe;

/** A POST whose body is sent in two halves, the second only when the test says so. */
function slowUpload(url: string, body: string): { request: ClientRequest; finish: () => void; response: Promise<{ status: number; body: string }> } {
  const request = httpRequest(url, { method: 'POST', headers: { 'Content-Type': 'text/csv', 'Content-Length': String(Buffer.byteLength(body)) } });
  const half = Math.floor(body.length / 2);
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    request.once('error', reject);
    request.once('response', (res: IncomingMessage) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
  });
  request.write(body.slice(0, half));
  return { request, finish: () => request.end(body.slice(half)), response };
}

async function connectRefused(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1_000) });
    return false;
  } catch (error) {
    return String((error as Error & { cause?: unknown }).cause ?? error).includes('ECONNREFUSED');
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('graceful shutdown', () => {
  before(async () => {
    service = await startSpawnedService({
      prefix,
      csvPeriod: { start: '2026-01-01T00:00:00Z', end: '2026-01-03T00:00:00Z' },
      extra: { SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS), WORKER_CONCURRENCY: '1', JOB_ATTEMPTS: '2' },
    });
    ({ sim, csv, baseUrl } = service);
    probe = createQueueProbe(REDIS_URL, prefix);
  });
  after(async () => {
    await probe?.close();
    await service?.close();
  });

  test('web: SIGTERM stops intake, lets a callback upload in progress finish and be stored, and exits 0 in time', async (t: TestContext) => {
    const web = await service.startWeb();
    const { id, callbackUrl } = await requestAwaitingReport(baseUrl, sim, { email: false });
    const upload = slowUpload(callbackUrl, CSV_TEXT);
    await sleep(300);

    const signalledAt = Date.now();
    web.signal('SIGTERM');
    await web.waitForLog(msg('shutting down'));
    await sleep(200);
    assert.ok(await connectRefused(Number(new URL(baseUrl).port)), 'new connections are refused once shutdown began');
    assert.ok(web.alive, 'the process waits for the request in progress');

    upload.finish();
    const answer = await upload.response;
    const answeredAt = Date.now();
    assert.equal(answer.status, 202, answer.body);
    const exit = await web.exited;
    const exitMs = Date.now() - signalledAt;
    assert.deepEqual(exit, { code: 0, signal: null });
    // Exit code 0 is the proof the process kept its own deadline (past it, it exits 1); the time seen from
    // here adds process start-up and scheduling, so it gets a margin.
    assert.ok(exitMs < SHUTDOWN_TIMEOUT_MS + EXIT_MARGIN_MS, `exited after ${exitMs} ms`);
    // The client keeps its connection alive; the server must not wait for it to let go (that would run into the deadline).
    assert.ok(Date.now() - answeredAt < SHUTDOWN_TIMEOUT_MS, `exited ${Date.now() - answeredAt} ms after the last response`);

    const record = await probe.store.get(id);
    assert.equal(record?.status, 'callback_received', 'the acknowledged callback is stored');
    assert.equal((await probe.store.getCallbackBody(id))?.toString(), CSV_TEXT);
    assert.ok(await probe.queue.getJob(processJobId(id, 1)), 'and queued');
    t.diagnostic(`web: exit 0 ${exitMs} ms after SIGTERM, ${Date.now() - answeredAt} ms after the in-flight upload was answered`);
  });

  test('web: a second SIGTERM exits at once with code 1', async (t: TestContext) => {
    const web = await service.startWeb();
    const { callbackUrl } = await requestAwaitingReport(baseUrl, sim, { email: false });
    const upload = slowUpload(callbackUrl, CSV_TEXT);
    upload.response.catch(() => undefined);
    await sleep(300);
    web.signal('SIGTERM');
    await web.waitForLog(msg('shutting down'));
    const secondAt = Date.now();
    web.signal('SIGTERM');
    const exit = await web.exited;
    const exitMs = Date.now() - secondAt;
    assert.deepEqual(exit, { code: 1, signal: null });
    // The upload never finishes: only the second signal, not the shutdown deadline, can end the process this early.
    assert.ok(exitMs < SHUTDOWN_TIMEOUT_MS, `exited ${exitMs} ms after the second signal`);
    upload.request.destroy();
    t.diagnostic(`web: second signal -> exit 1 after ${exitMs} ms`);
  });

  test('worker: SIGTERM lets the active job finish, takes no new job, and exits 0', async (t: TestContext) => {
    const web = await service.startWeb();
    const worker = await service.startWorker();
    csv.stallNext();
    const before = csv.requests;
    const first = await requestAwaitingReport(baseUrl, sim, { email: false });
    assert.equal(
      (await fetch(first.callbackUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ url: csv.url }) })).status,
      202,
    );
    await csv.waitForRequest(before + 1);

    const signalledAt = Date.now();
    worker.signal('SIGTERM');
    await worker.waitForLog(msg('shutting down'));
    const second = await requestAwaitingReport(baseUrl, sim, { email: false });
    assert.equal((await fetch(second.callbackUrl, { method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: CSV_TEXT })).status, 202);
    await sleep(500);
    csv.release();

    const exit = await worker.exited;
    const exitMs = Date.now() - signalledAt;
    assert.deepEqual(exit, { code: 0, signal: null });
    // Exit code 0 is the proof the process kept its own deadline (past it, it exits 1); the time seen from
    // here adds process start-up and scheduling, so it gets a margin.
    assert.ok(exitMs < SHUTDOWN_TIMEOUT_MS + EXIT_MARGIN_MS, `exited after ${exitMs} ms`);
    assert.equal((await getReport(baseUrl, first.id)).status, 'delivered', 'the active job finished');
    assert.equal((await getReport(baseUrl, second.id)).status, 'callback_received', 'no new job was taken during shutdown');

    const next = await service.startWorker();
    assert.equal((await waitForReport(baseUrl, second.id, ['delivered', 'failed'])).status, 'delivered');
    next.signal('SIGTERM');
    assert.equal((await next.exited).code, 0);
    web.signal('SIGTERM');
    assert.equal((await web.exited).code, 0);
    t.diagnostic(`worker: active job finished, exit 0 ${exitMs} ms after SIGTERM`);
  });

  test('worker: a job that cannot finish before the deadline is returned to the queue and the process exits 0 in time', async (t: TestContext) => {
    const web = await service.startWeb();
    const worker = await service.startWorker();
    csv.stallNext();
    const before = csv.requests;
    const report = await requestAwaitingReport(baseUrl, sim, { email: false });
    assert.equal(
      (await fetch(report.callbackUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ url: csv.url }) })).status,
      202,
    );
    await csv.waitForRequest(before + 1);

    const signalledAt = Date.now();
    worker.signal('SIGTERM');
    const exit = await worker.exited;
    const exitMs = Date.now() - signalledAt;
    assert.deepEqual(
      exit,
      { code: 0, signal: null },
      worker.logs
        .slice(-5)
        .map((line) => JSON.stringify(line))
        .join('\n'),
    );
    // Exit code 0 is the proof the process kept its own deadline (past it, it exits 1); the time seen from
    // here adds process start-up and scheduling, so it gets a margin.
    assert.ok(exitMs < SHUTDOWN_TIMEOUT_MS + EXIT_MARGIN_MS, `exited after ${exitMs} ms`);

    const job = await probe.queue.getJob(processJobId(report.id, 1));
    assert.equal(await job?.getState(), 'waiting', 'the job is back in the queue');
    assert.equal(job?.attemptsMade, 0, 'no attempt was used up');
    const record = await getReport(baseUrl, report.id);
    assert.equal(record.status, 'callback_received');
    assert.equal(record.error, null, 'no failure is recorded');

    // The default 60 s lock is still in force: only a job really returned is picked up at once.
    const takenOverAt = Date.now();
    const next = await service.startWorker();
    assert.equal((await waitForReport(baseUrl, report.id, ['delivered', 'failed'], 10_000)).status, 'delivered');
    const takeoverMs = Date.now() - takenOverAt;
    next.signal('SIGTERM');
    web.signal('SIGTERM');
    assert.equal((await next.exited).code, 0);
    assert.equal((await web.exited).code, 0);
    t.diagnostic(
      `worker: stuck job returned, exit 0 ${exitMs} ms after SIGTERM (deadline ${SHUTDOWN_TIMEOUT_MS}); next worker delivered it in ${takeoverMs} ms`,
    );
  });
});
