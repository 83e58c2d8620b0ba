import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'csv-parse/sync';
import { text } from 'node:stream/consumers';
import { DOWNLOAD_PARTS, REPORT_COLUMNS, startSimulator, type Simulator, type SimulatorOptions } from '../../src/sim/index.js';
import { validateLosant } from '../helpers/losant-schemas.js';

interface Delivery {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

interface Receiver {
  url: string;
  deliveries: Delivery[];
  status: number;
  close(): Promise<void>;
}

/** Every field any callback shape or generateReport answer may carry. */
interface Payload {
  jobId: string;
  status: string;
  success?: boolean;
  jobQueued?: boolean;
  url?: string;
  output?: { downloadUrls: string[] };
  csv?: string;
  error?: { name: string; message: string };
  type?: string;
  message?: string;
}

const payloadOf = (delivery: Delivery | undefined): Payload => JSON.parse(delivery?.body ?? 'null') as Payload;
const rowsOf = (csv: string): string[][] => parse(csv);

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function startReceiver(): Promise<Receiver> {
  const receiver = { url: '', deliveries: [] as Delivery[], status: 200, close: async () => {} };
  const server: Server = createServer((req, res) => {
    void text(req).then((body) => {
      receiver.deliveries.push({ headers: req.headers, body, at: Date.now() });
      res.writeHead(receiver.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callbacks/r/secret-123`;
  receiver.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  cleanups.push(receiver.close);
  return receiver;
}

async function setup(options: SimulatorOptions = {}) {
  const sim = await startSimulator({ reportDelayMs: 20, ...options });
  cleanups.push(() => sim.close());
  const receiver = await startReceiver();
  return { sim, receiver };
}

async function generate(sim: Simulator, body: Record<string, unknown>, token = sim.token) {
  const response = await fetch(`${sim.url}/instances/${sim.instanceId}/generateReport`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Payload };
}

const JANUARY = { start: '2026-01-01T00:00:00.000Z', end: '2026-01-03T23:59:59.999Z' };

async function accepted(sim: Simulator, body: Record<string, unknown>): Promise<string> {
  const answer = await generate(sim, body);
  assert.equal(answer.status, 202, JSON.stringify(answer.body));
  assert.equal(validateLosant('jobEnqueuedApiResult', answer.body), null);
  return answer.body.jobId;
}

describe('generateReport and its callback', () => {
  test('answers 202 with a 21-character URL-safe jobId, then POSTs {jobId, status, success, url} to the callback URL (json-url)', async () => {
    const { sim, receiver } = await setup();
    const answer = await generate(sim, { ...JANUARY, callbackUrl: receiver.url });
    assert.equal(answer.status, 202);
    assert.equal(answer.body.jobQueued, true);
    assert.equal(answer.body.success, true);
    assert.match(answer.body.jobId, /^[A-Za-z0-9_-]{21}$/u);
    assert.equal(validateLosant('jobEnqueuedApiResult', answer.body), null);

    const job = await sim.waitForJob(answer.body.jobId);
    assert.equal(job.state, 'done');
    assert.equal(job.source, 'api');
    assert.deepEqual(
      job.callbacks.map((c) => c.status),
      [200],
    );
    assert.equal(receiver.deliveries.length, 1);
    const delivery = receiver.deliveries[0]!;
    assert.match(String(delivery.headers['content-type']), /^application\/json/u);
    const payload = payloadOf(delivery);
    assert.deepEqual(Object.keys(payload).sort(), ['jobId', 'status', 'success', 'url']);
    assert.equal(payload.jobId, answer.body.jobId);
    assert.equal(payload.status, 'completed');
    assert.equal(payload.url, job.downloadUrl);

    const download = await fetch(payload.url!);
    assert.equal(download.status, 200);
    assert.match(String(download.headers.get('content-type')), /^text\/csv/u);
    const records = rowsOf(await download.text());
    assert.deepEqual(records[0]!.slice(0, REPORT_COLUMNS.length), [...REPORT_COLUMNS]);
    assert.equal(records.length - 1, job.rows);
    assert.equal(job.rows, 3 * 6);
  });

  test("'json-urls' delivers {jobId, status, output: {downloadUrls: [url]}}", async () => {
    const { sim, receiver } = await setup({ callbackShape: 'json-urls' });
    const jobId = await accepted(sim, { ...JANUARY, callbackUrl: receiver.url });
    const job = await sim.waitForJob(jobId);
    const payload = payloadOf(receiver.deliveries[0]);
    assert.deepEqual(payload, { jobId, status: 'completed', output: { downloadUrls: [job.downloadUrl] } });
    assert.equal((await fetch(payload.output.downloadUrls[0]!)).status, 200);
  });

  test("'json-parts' delivers {jobId, status, output: {downloadUrls}}: the report in DOWNLOAD_PARTS files, each with the header", async () => {
    const { sim, receiver } = await setup({ callbackShape: 'json-parts' });
    const jobId = await accepted(sim, { ...JANUARY, callbackUrl: receiver.url });
    const job = await sim.waitForJob(jobId);
    const payload = payloadOf(receiver.deliveries[0]);
    assert.deepEqual(payload, { jobId, status: 'completed', output: { downloadUrls: job.downloadUrls } });
    assert.equal(job.downloadUrls?.length, DOWNLOAD_PARTS);

    const whole = rowsOf(await (await fetch(job.downloadUrl!)).text());
    const parts: string[][][] = [];
    for (const [index, url] of (job.downloadUrls ?? []).entries()) {
      assert.match(url, new RegExp(`/report-${jobId}-part-${index + 1}-of-${DOWNLOAD_PARTS}\\.csv$`, 'u'));
      const download = await fetch(url);
      assert.equal(download.status, 200);
      assert.match(String(download.headers.get('content-disposition')), new RegExp(`part-${index + 1}-of-${DOWNLOAD_PARTS}\\.csv`, 'u'));
      parts.push(rowsOf(await download.text()));
    }
    for (const part of parts) {
      assert.deepEqual(part[0], whole[0], 'every part starts with the header');
      assert.ok(part.length - 1 >= Math.floor(job.rows / DOWNLOAD_PARTS), 'rows are split evenly');
    }
    assert.deepEqual(
      parts.flatMap((part) => part.slice(1)),
      whole.slice(1),
      'the parts, headers dropped, are the whole report in order',
    );
    assert.equal(whole.length - 1, job.rows);
  });

  test("'json-inline' delivers the whole CSV in the csv field, the same bytes as the download", async () => {
    const { sim, receiver } = await setup();
    sim.setCallbackShape('json-inline');
    const jobId = await accepted(sim, { ...JANUARY, callbackUrl: receiver.url, resourceGroupBy: 'application' });
    const job = await sim.waitForJob(jobId);
    const payload = payloadOf(receiver.deliveries[0]);
    assert.equal(payload.jobId, jobId);
    assert.equal(payload.status, 'completed');
    assert.equal(payload.csv, await (await fetch(job.downloadUrl!)).text());
    assert.equal(rowsOf(payload.csv ?? '').length - 1, job.rows);
  });

  test("'text-csv' delivers the raw CSV as text/csv with X-Losant-Job-Id", async () => {
    const { sim, receiver } = await setup({ callbackShape: 'text-csv' });
    const jobId = await accepted(sim, { ...JANUARY, callbackUrl: receiver.url, includeSandbox: true });
    const job = await sim.waitForJob(jobId);
    const delivery = receiver.deliveries[0]!;
    assert.match(String(delivery.headers['content-type']), /^text\/csv/u);
    assert.equal(delivery.headers['x-losant-job-id'], jobId);
    assert.ok(delivery.body.startsWith('resourceType,resourceId,'));
    assert.equal(delivery.body, await text(sim.buildReportCsv({ ...JANUARY, includeSandbox: true })));
    assert.equal(rowsOf(delivery.body).length - 1, job.rows);
  });

  test("'failure' delivers {jobId, status: errored, error: {name, message}} and no download", async () => {
    const { sim, receiver } = await setup({ callbackShape: 'failure' });
    const jobId = await accepted(sim, { ...JANUARY, callbackUrl: receiver.url });
    const job = await sim.waitForJob(jobId);
    const payload = payloadOf(receiver.deliveries[0]);
    assert.equal(payload.jobId, jobId);
    assert.equal(payload.status, 'errored');
    assert.equal(payload.error?.name, 'ReportGenerationError');
    assert.equal(typeof payload.error?.message, 'string');
    assert.equal(job.downloadUrl, undefined);
  });

  test('without a callbackUrl the job simply completes', async () => {
    const { sim, receiver } = await setup();
    const jobId = await accepted(sim, JANUARY);
    const job = await sim.waitForJob(jobId);
    assert.equal(job.state, 'done');
    assert.deepEqual(job.callbacks, []);
    assert.ok(job.downloadUrl);
    assert.equal(receiver.deliveries.length, 0);
  });

  test('without start and end the report covers the previous whole UTC month', async () => {
    const { sim } = await setup({ now: () => new Date('2026-03-10T08:00:00Z') });
    const job = await sim.waitForJob(await accepted(sim, {}));
    assert.equal(job.options.start, '2026-02-01T00:00:00.000Z');
    assert.equal(job.options.end, '2026-02-28T23:59:59.999Z');
    assert.equal(job.rows, 28 * 6);
  });

  test('a token with only a read scope may generate a report', async () => {
    const { sim } = await setup();
    sim.addToken('reader', ['all.Instance.read']);
    assert.equal((await generate(sim, JANUARY, 'reader')).status, 202);
  });

  test('only one report runs at a time: a second request is 429 TooManyRequests until the first is delivered', async () => {
    const { sim, receiver } = await setup({ reportDelayMs: 200 });
    const first = await accepted(sim, { ...JANUARY, callbackUrl: receiver.url });
    const second = await generate(sim, JANUARY);
    assert.equal(second.status, 429);
    assert.equal(second.body.type, 'TooManyRequests');
    assert.equal(validateLosant('error', second.body), null);
    await sim.waitForJob(first);
    assert.equal((await generate(sim, JANUARY)).status, 202);
    assert.equal(sim.jobs.length, 2);
  });

  test('a callback URL that answers 500 or cannot be reached is recorded, never retried', async () => {
    const { sim, receiver } = await setup();
    receiver.status = 500;
    const job = await sim.waitForJob(await accepted(sim, { ...JANUARY, callbackUrl: receiver.url }));
    assert.deepEqual(
      job.callbacks.map((c) => c.status),
      [500],
    );
    assert.equal(receiver.deliveries.length, 1);

    const closed = await startReceiver();
    await closed.close();
    const unreachable = await sim.waitForJob(await accepted(sim, { ...JANUARY, callbackUrl: closed.url }));
    assert.equal(unreachable.callbacks.length, 1);
    assert.equal(unreachable.callbacks[0]!.status, undefined);
    assert.match(unreachable.callbacks[0]!.error!, /\w/u);
  });

  test('a large report is streamed to the downloader', async () => {
    const { sim } = await setup({ organizations: 150 });
    const job = await sim.waitForJob(await accepted(sim, { start: '2026-01-01T00:00:00Z', end: '2026-03-31T23:59:59Z' }));
    const response = await fetch(job.downloadUrl!);
    assert.equal(response.headers.get('transfer-encoding'), 'chunked');
    const lines = (await response.text()).split('\n').filter((line) => line !== '');
    assert.equal(job.rows, 150 * 90);
    assert.ok(lines.length >= job.rows + 1);
  });
});

describe('fault switches', () => {
  test('duplicateDelivery sends the same callback body N extra times', async () => {
    const { sim, receiver } = await setup({ faults: { duplicateDelivery: 2 } });
    const job = await sim.waitForJob(await accepted(sim, { ...JANUARY, callbackUrl: receiver.url }));
    assert.equal(receiver.deliveries.length, 3);
    assert.equal(new Set(receiver.deliveries.map((d) => d.body)).size, 1);
    assert.equal(job.callbacks.length, 3);
  });

  test('callbackBeforeAccept delivers (and awaits) the callback before the 202 answer', async () => {
    const { sim, receiver } = await setup();
    sim.setFaults({ callbackBeforeAccept: true });
    const answer = await generate(sim, { ...JANUARY, callbackUrl: receiver.url });
    assert.equal(answer.status, 202);
    assert.equal(receiver.deliveries.length, 1, 'the callback came first');
    assert.equal(payloadOf(receiver.deliveries[0]).jobId, answer.body.jobId);
    assert.equal(sim.jobs[0]!.state, 'done');
  });

  test('callbackDelayMs makes the callback late', async () => {
    const { sim, receiver } = await setup({ faults: { callbackDelayMs: 300 } });
    const started = Date.now();
    await sim.waitForJob(await accepted(sim, { ...JANUARY, callbackUrl: receiver.url }));
    assert.ok(receiver.deliveries[0]!.at - started >= 300);
  });

  test('noCallback completes the job without calling back', async () => {
    const { sim, receiver } = await setup({ faults: { noCallback: true } });
    // The simulator finishes a job only after its callbacks were answered, so a done job is the signal.
    const job = await sim.waitForJob(await accepted(sim, { ...JANUARY, callbackUrl: receiver.url }));
    assert.equal(receiver.deliveries.length, 0);
    assert.deepEqual(job.callbacks, []);
    assert.equal(job.state, 'done');
  });

  test('downloadFailOnce answers 503 to the first GET of a link, then the CSV', async () => {
    const { sim } = await setup({ faults: { downloadFailOnce: true } });
    const job = await sim.waitForJob(await accepted(sim, JANUARY));
    const first = await fetch(job.downloadUrl!);
    assert.equal(first.status, 503);
    assert.match(await first.text(), /<Error><Code>SlowDown<\/Code>/u);
    const second = await fetch(job.downloadUrl!);
    assert.equal(second.status, 200);
    assert.ok((await second.text()).startsWith('resourceType,'));
  });

  test('downloadExpired hands out links that are already expired (403, S3-style XML)', async () => {
    const { sim } = await setup({ faults: { downloadExpired: true } });
    const job = await sim.waitForJob(await accepted(sim, JANUARY));
    const response = await fetch(job.downloadUrl!);
    assert.equal(response.status, 403);
    assert.match(String(response.headers.get('content-type')), /xml/u);
    assert.match(await response.text(), /<Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/u);
  });

  test('a link expires after downloadTtlMs, and a guessed link is refused', async () => {
    let now = Date.parse('2026-02-01T00:00:00Z');
    const { sim } = await setup({ downloadTtlMs: 60_000, now: () => new Date(now) });
    const job = await sim.waitForJob(await accepted(sim, JANUARY));
    assert.equal((await fetch(job.downloadUrl!)).status, 200);
    now += 61_000;
    assert.equal((await fetch(job.downloadUrl!)).status, 403);
    const guessed = await fetch(`${sim.url}/downloads/AAAA/report-${job.jobId}.csv`);
    assert.equal(guessed.status, 403);
    assert.match(await guessed.text(), /AccessDenied/u);
  });
});

describe('injected API faults', () => {
  test('the next `count` matching requests get the injected status with a Losant error body and Retry-After', async () => {
    const { sim } = await setup();
    sim.injectFaults({ action: 'generateReport', status: 503, count: 2, retryAfterSeconds: 7 });
    const get = await fetch(`${sim.url}/instances/${sim.instanceId}`, { headers: { authorization: `Bearer ${sim.token}` } });
    assert.equal(get.status, 200, 'another action is not affected');
    await get.arrayBuffer();
    for (let i = 0; i < 2; i += 1) {
      const answer = await generate(sim, JANUARY);
      assert.equal(answer.status, 503);
      assert.equal(answer.headers.get('retry-after'), '7');
      assert.equal(answer.body.type, 'ServiceUnavailable');
      assert.equal(validateLosant('error', answer.body), null);
    }
    assert.equal((await generate(sim, JANUARY)).status, 202);
  });

  test('an injected 429 and a custom body are answered as given', async () => {
    const { sim } = await setup();
    sim.injectFaults({ status: 429, count: 1, body: { type: 'TooManyRequests', message: 'slow down' } });
    const answer = await generate(sim, JANUARY);
    assert.equal(answer.status, 429);
    assert.deepEqual(answer.body, { type: 'TooManyRequests', message: 'slow down' });
  });

  test('status 0 drops the connection; a 2xx with delayMs answers normally but late', async () => {
    const { sim } = await setup();
    sim.injectFaults({ action: 'get', status: 0, count: 1 });
    await assert.rejects(fetch(`${sim.url}/instances/${sim.instanceId}`, { headers: { authorization: `Bearer ${sim.token}` } }));
    sim.injectFaults({ action: 'get', status: 200, count: 1, delayMs: 250 });
    const started = Date.now();
    const response = await fetch(`${sim.url}/instances/${sim.instanceId}`, { headers: { authorization: `Bearer ${sim.token}` } });
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { id: string }).id, sim.instanceId);
    assert.ok(Date.now() - started >= 240);
  });

  test('waitForJob rejects for an unknown job and after its timeout', async () => {
    const { sim } = await setup({ reportDelayMs: 5_000 });
    await assert.rejects(sim.waitForJob('nope'), /No job/u);
    const jobId = await accepted(sim, JANUARY);
    await assert.rejects(sim.waitForJob(jobId, 50), /not done/u);
  });
});
