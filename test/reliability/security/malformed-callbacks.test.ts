import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import type { OutgoingHttpHeaders } from 'node:http';
import { captureLogger } from '../../helpers/logger.js';
import { AUTH, expectHealthy, rawRequest, retryNotes, startHarness, type Harness } from './harness.js';

/*
 * Item 13: whatever arrives on a valid callback URL gets a clear 4xx, or is stored and ends as an
 * `unrecognized` (or Losant-`failed`) record whose raw body an operator can fetch for a replay;
 * never a 500, never a retry loop, never a crash. The service answers /healthz after each case.
 */

const logs = captureLogger('info');
let harness: Harness;
const statuses: number[] = [];

const deepArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const deepObjects = (depth: number, leaf = '1') => `${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`;

interface StoredCase {
  name: string;
  body: Buffer | string;
  headers: OutgoingHttpHeaders;
  /** What the record must end as, and a pattern its reason must match. */
  ends: 'unrecognized' | 'failed';
  reason: RegExp;
}

const STORED: StoredCase[] = [
  {
    name: 'invalid JSON',
    body: '{"url": "https://files.example.com/r.csv',
    headers: { 'content-type': 'application/json' },
    ends: 'unrecognized',
    reason: /not valid JSON/u,
  },
  {
    name: 'JSON with trailing garbage',
    body: '{"status":"completed"} trailing',
    headers: { 'content-type': 'application/json' },
    ends: 'unrecognized',
    reason: /not valid JSON/u,
  },
  {
    name: 'invalid UTF-8 sent as JSON',
    body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
    headers: { 'content-type': 'application/json' },
    ends: 'unrecognized',
    reason: /top-level keys|not valid JSON/u,
  },
  {
    name: 'XML',
    body: '<report><url>https://files.example.com/r.csv</url></report>',
    headers: { 'content-type': 'application/xml' },
    ends: 'unrecognized',
    reason: /application\/xml/u,
  },
  { name: 'HTML', body: '<html><script>alert(1)</script></html>', headers: { 'content-type': 'text/html' }, ends: 'unrecognized', reason: /text\/html/u },
  {
    name: 'binary sent as an image',
    body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0x2c, 0x0a]),
    headers: { 'content-type': 'image/png' },
    ends: 'unrecognized',
    reason: /image\/png/u,
  },
  {
    name: 'multipart form data',
    body: '--b\r\nContent-Disposition: form-data; name="url"\r\n\r\nhttps://files.example.com/r.csv\r\n--b--\r\n',
    headers: { 'content-type': 'multipart/form-data; boundary=b' },
    ends: 'unrecognized',
    reason: /multipart\/form-data/u,
  },
  {
    name: 'a content type that is not a media type',
    body: '{"a":1}',
    headers: { 'content-type': ';;;' },
    ends: 'unrecognized',
    reason: /top-level keys: a|untyped/u,
  },
  { name: 'JSON null', body: 'null', headers: { 'content-type': 'application/json' }, ends: 'unrecognized', reason: /not an object/u },
  { name: 'a JSON number', body: '12345', headers: { 'content-type': 'application/json' }, ends: 'unrecognized', reason: /not an object/u },
  {
    name: 'a JSON string that is not a URL',
    body: '"file:///etc/passwd"',
    headers: { 'content-type': 'application/json' },
    ends: 'unrecognized',
    reason: /not an object/u,
  },
  { name: '100,000 nested arrays', body: deepArrays(100_000), headers: { 'content-type': 'application/json' }, ends: 'unrecognized', reason: /not an object/u },
  {
    name: '100,000 nested objects',
    body: deepObjects(100_000),
    headers: { 'content-type': 'application/json' },
    ends: 'unrecognized',
    reason: /top-level keys: a/u,
  },
  {
    name: '100,000 nested objects sent as text/plain',
    body: deepObjects(100_000),
    headers: { 'content-type': 'text/plain' },
    ends: 'unrecognized',
    reason: /top-level keys: a/u,
  },
  {
    name: 'a failure whose error is nested 100,000 levels deep',
    body: `{"status":"failed","error":${deepObjects(100_000)}}`,
    headers: { 'content-type': 'application/json' },
    ends: 'failed',
    reason: /Losant reported that the report failed/u,
  },
  {
    name: 'a failure whose message is nested 100,000 levels deep',
    body: `{"success":false,"message":${deepObjects(100_000)}}`,
    headers: { 'content-type': 'application/json' },
    ends: 'failed',
    reason: /Losant reported that the report failed/u,
  },
  {
    name: 'a top-level array of 4 million numbers',
    body: `[${'0,'.repeat(4_000_000)}0]`,
    headers: { 'content-type': 'application/json' },
    ends: 'unrecognized',
    reason: /not an object/u,
  },
  {
    name: 'an object holding 500,000 objects',
    body: `{"items":[${'{"n":1},'.repeat(500_000)}{}]}`,
    headers: { 'content-type': 'application/json' },
    ends: 'unrecognized',
    reason: /top-level keys: items/u,
  },
  {
    name: 'an object with 200,000 keys',
    body: `{${Array.from({ length: 200_000 }, (_, i) => `"k${i}":${i}`).join(',')}}`,
    headers: { 'content-type': 'application/json' },
    ends: 'unrecognized',
    reason: /top-level keys: k0, k1/u,
  },
  {
    name: '1,000,000 download URLs that are not URLs',
    body: `{"downloadUrls":[${'"x",'.repeat(1_000_000)}"x"]}`,
    headers: { 'content-type': 'application/json' },
    ends: 'unrecognized',
    reason: /top-level keys: downloadUrls/u,
  },
];

/** Raw bytes on a socket, for requests no HTTP client would send; resolves with the status line. */
function rawExchange(url: string, head: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(head));
    let answer = '';
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(answer.split('\r\n')[0] ?? ''));
    socket.setTimeout(5_000, () => socket.destroy());
  });
}

describe('malformed callbacks', () => {
  before(async () => {
    harness = await startHarness({ name: 'sec-malformed', logger: logs.logger, env: { JOB_ATTEMPTS: '3', CALLBACK_MAX_BYTES: String(16 * 1024 * 1024) } });
  });
  after(async () => {
    await harness.close();
    assert.ok(statuses.length > STORED.length, 'every case was sent');
    assert.equal(statuses.filter((status) => status >= 500).length, 0, `a 5xx was answered: ${statuses.join(',')}`);
    assert.equal(/unhandled error|Maximum call stack/u.test(logs.text()), false, 'an unhandled error was logged');
  });

  for (const item of STORED) {
    test(`${item.name}: stored, answered 202, ends ${item.ends} with a reason, and the raw body is kept for replay`, async () => {
      const report = await harness.newReport();
      const body = Buffer.isBuffer(item.body) ? item.body : Buffer.from(item.body);
      const response = await rawRequest(report.callbackUrl, { headers: item.headers, body });
      statuses.push(response.status);
      assert.equal(response.status, 202, response.body.toString('utf8').slice(0, 200));

      const record = await harness.service.waitForStatus(report.id, ['delivered', 'failed', 'unrecognized'], 20_000);
      assert.equal(record.status, item.ends, JSON.stringify(record.error));
      assert.equal(record.error?.permanent, true);
      assert.equal(record.error?.step, 'callback');
      assert.match(record.error?.message ?? '', item.reason);
      assert.equal(retryNotes(record.history), 0, 'no retries');

      const kept = await request(harness.service.url).get(`/admin/reports/${report.id}/callback`).set(AUTH).buffer(true);
      assert.equal(kept.status, 200);
      assert.ok(Buffer.from(kept.body as Buffer).equals(body), 'the kept body is byte for byte what was sent');
      await expectHealthy(harness.service);
    });
  }

  test('a body cut off mid-transfer is not kept as an empty callback: the resent callback is processed', async () => {
    const report = await harness.newReport();
    const path = new URL(report.callbackUrl).pathname;
    const { hostname, port } = new URL(harness.service.url);
    for (let i = 0; i < 3; i += 1) {
      await new Promise<void>((resolve) => {
        const socket = connect(Number(port), hostname, () => {
          socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nContent-Length: 100000\r\n\r\nresourceType,resourceId`);
          socket.destroy();
        });
        socket.on('close', () => resolve());
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal((await harness.service.store.get(report.id))?.status, 'accepted', 'nothing was stored');
    const resent = await rawRequest(report.callbackUrl, {
      headers: { 'content-type': 'text/csv' },
      body: 'resourceType,resourceId,resourceName,deviceCount\norganization,o1,Acme,3\n',
    });
    assert.equal(resent.status, 202, 'the resend is not a duplicate');
    assert.equal((await harness.service.waitForStatus(report.id, ['delivered', 'failed', 'unrecognized'])).status, 'delivered');
  });

  test('bodies HTTP itself cannot read get a clear 4xx, and the report keeps waiting for a good one', async () => {
    const report = await harness.newReport();
    const refused: Array<[string, Promise<number>]> = [
      [
        'corrupt gzip',
        rawRequest(report.callbackUrl, { headers: { 'content-type': 'text/csv', 'content-encoding': 'gzip' }, body: 'not gzip at all' }).then((r) => r.status),
      ],
      [
        'unknown content coding',
        rawRequest(report.callbackUrl, { headers: { 'content-type': 'text/csv', 'content-encoding': 'x-unheard-of' }, body: 'a,b\n' }).then((r) => r.status),
      ],
      ['an empty body with no type', rawRequest(report.callbackUrl, { headers: { 'content-length': '0' }, body: '' }).then((r) => r.status)],
      [
        'an empty JSON body',
        rawRequest(report.callbackUrl, { headers: { 'content-type': 'application/json', 'content-length': '0' }, body: '' }).then((r) => r.status),
      ],
      [
        'a body over the limit',
        rawRequest(report.callbackUrl, { headers: { 'content-type': 'text/csv' }, body: Buffer.alloc(17 * 1024 * 1024, 0x61) }).then((r) => r.status),
      ],
    ];
    for (const [name, pending] of refused) {
      const status = await pending;
      statuses.push(status);
      assert.ok(status >= 400 && status < 500, `${name}: ${status}`);
    }
    const path = new URL(report.callbackUrl).pathname;
    for (const head of [
      `POST ${path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nnot a chunk\r\n\r\n`,
      `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nabcdefg`,
      `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    ]) {
      const line = await rawExchange(harness.service.url, head);
      const status = Number(/^HTTP\/1\.1 (\d{3})/u.exec(line)?.[1] ?? 0);
      statuses.push(status);
      assert.ok(status >= 400 && status < 500, `${JSON.stringify(head.slice(0, 60))}: ${line}`);
    }
    assert.equal((await harness.service.store.get(report.id))?.status, 'accepted', 'nothing was stored');
    await expectHealthy(harness.service);

    const good = await rawRequest(report.callbackUrl, {
      headers: { 'content-type': 'text/csv' },
      body: 'resourceType,resourceId,resourceName,deviceCount\norganization,o1,Acme,3\n',
    });
    assert.equal(good.status, 202);
    assert.equal((await harness.service.waitForStatus(report.id, ['delivered', 'failed', 'unrecognized'])).status, 'delivered');
  });
});
