import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { MAX_HEADER_VALUE_CHARS, MAX_KEPT_HEADERS, REDACTED } from '../../src/reports/callback-headers.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { createAwaitingReport } from '../helpers/reports.js';
import { startService, type RunningService } from '../helpers/service.js';
import { rawRequest } from '../reliability/security/harness.js';

/**
 * A callback is kept as it arrived: every header (bounded, credentials redacted), the body's bytes
 * as sent (compressed when it came with a Content-Encoding, which is noted), and a refused
 * delivery's whole body up to CALLBACK_MAX_BYTES. The admin API gives them back as kept.
 */

const MAX_BYTES = 3 * 1024 * 1024;
const auth = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
const CSV = 'resourceType,resourceId,resourceName,deviceCount\norganization,o1,Acme,3\norganization,o2,Beta,5\n';
let service: RunningService;

async function newReport(jobId?: string) {
  const report = await createAwaitingReport(service.store, service.url, { email: false, archive: false, recipients: [] });
  if (jobId !== undefined) await service.store.markAccepted(report.id, { jobId, acceptedAt: null, legacy: false }, 'queued');
  return report;
}

async function adminGet(path: string) {
  return rawRequest(`${service.url}${path}`, { method: 'GET', headers: auth });
}

describe('a callback kept as it arrived', () => {
  before(async () => {
    service = await startService({ name: 'as-received', env: { CALLBACK_MAX_BYTES: String(MAX_BYTES) } });
  });
  after(async () => {
    await service.stop();
  });

  test('every header is kept, up to the bound, with credentials redacted; the admin API shows them', async () => {
    const report = await newReport();
    const extra: Record<string, string> = {};
    for (let index = 0; index < MAX_KEPT_HEADERS + 10; index += 1) extra[`x-extra-${String(index).padStart(3, '0')}`] = `value ${index}`;
    const response = await rawRequest(report.callbackUrl, {
      headers: {
        'content-type': 'text/csv',
        'x-losant-unknown-field': 'kept as sent',
        authorization: 'Bearer do-not-keep-me',
        cookie: 'session=do-not-keep-me',
        'x-signature-sha256': 'do-not-keep-me',
        'x-long': 'v'.repeat(MAX_HEADER_VALUE_CHARS + 500),
        ...extra,
      },
      body: CSV,
    });
    assert.equal(response.status, 202);

    const view = JSON.parse((await adminGet(`/admin/reports/${report.id}`)).body.toString('utf8')).report;
    const headers: Record<string, string> = view.callback.headers;
    assert.equal(headers['x-losant-unknown-field'], 'kept as sent');
    assert.equal(headers['content-type'], 'text/csv');
    assert.equal(headers.authorization, REDACTED);
    assert.equal(headers.cookie, REDACTED);
    assert.equal(headers['x-signature-sha256'], REDACTED);
    assert.equal(headers['x-long'], 'v'.repeat(MAX_HEADER_VALUE_CHARS));
    assert.equal(Object.keys(headers).length, MAX_KEPT_HEADERS);
    assert.ok(view.callback.headersDropped > 0, 'the headers past the bound are counted');
    assert.equal(JSON.stringify(view).includes('do-not-keep-me'), false);
    const stored = JSON.stringify(await service.redis.hgetall(`${service.config.redis.prefix}:report:${report.id}`));
    assert.equal(stored.includes('do-not-keep-me'), false, 'no credential is stored');
  });

  test('a gzip body is kept compressed, byte for byte, its encoding noted; it is served as kept and delivered decoded', async () => {
    const report = await newReport();
    const sent = gzipSync(Buffer.from(CSV));
    const response = await rawRequest(report.callbackUrl, { headers: { 'content-type': 'text/csv', 'content-encoding': 'gzip' }, body: sent });
    assert.equal(response.status, 202);

    const kept = await adminGet(`/admin/reports/${report.id}/callback`);
    assert.equal(kept.status, 200);
    assert.deepEqual(kept.body, sent, 'the bytes as they arrived');
    assert.equal(kept.headers['x-original-content-encoding'], 'gzip');
    assert.equal(kept.headers['content-encoding'], undefined, 'served as stored, not re-encoded');

    const record = await service.waitForStatus(report.id, ['delivered', 'failed', 'unrecognized']);
    assert.equal(record.status, 'delivered', JSON.stringify(record.error));
    assert.equal(record.callback?.contentEncoding, 'gzip');
    assert.equal(record.callback?.bytes, sent.length);
    assert.equal(record.download?.bytes, Buffer.byteLength(CSV), 'the CSV is the decoded content');
    assert.equal(record.summary?.rows, 2);
  });

  test('a plain body notes no encoding and is served as sent', async () => {
    const report = await newReport();
    assert.equal((await rawRequest(report.callbackUrl, { headers: { 'content-type': 'text/csv' }, body: CSV })).status, 202);
    const kept = await adminGet(`/admin/reports/${report.id}/callback`);
    assert.equal(kept.body.toString('utf8'), CSV);
    assert.equal(kept.headers['x-original-content-encoding'], 'identity');
  });

  test('a compressed body whose bytes on the wire pass CALLBACK_MAX_BYTES is refused, though its content is tiny', async () => {
    const report = await newReport();
    const emptyMember = gzipSync(Buffer.alloc(0));
    const members = Buffer.concat(Array.from({ length: Math.ceil((MAX_BYTES + 1) / emptyMember.length) }, () => emptyMember));
    const response = await rawRequest(report.callbackUrl, { headers: { 'content-type': 'text/csv', 'content-encoding': 'gzip' }, body: members });
    assert.equal(response.status, 413);
    assert.equal(JSON.parse(response.body.toString('utf8')).error.code, 'payload_too_large');
    assert.equal((await service.store.get(report.id))?.status, 'requested', 'nothing was stored');
  });

  test('a refused delivery (another Losant job) keeps its whole body up to CALLBACK_MAX_BYTES, served as it arrived', async () => {
    const report = await newReport('job-A');
    const body = Buffer.concat([Buffer.from('{"jobId":"job-B","padding":"'), Buffer.alloc(2 * 1024 * 1024, 0x61), Buffer.from('"}')]);
    const response = await rawRequest(report.callbackUrl, { headers: { 'content-type': 'application/json', 'x-trace': 't-1' }, body });
    assert.equal(response.status, 409);

    const list = await adminGet(`/admin/reports/${report.id}/rejected-callbacks`);
    assert.equal(list.status, 200);
    const [entry] = JSON.parse(list.body.toString('utf8')).items;
    assert.equal(entry.bytes, body.length);
    assert.equal(entry.jobId, 'job-B');
    assert.equal(entry.headers['x-trace'], 't-1');
    const kept = await adminGet(entry.bodyUrl);
    assert.equal(kept.status, 200);
    assert.ok(kept.body.equals(body), 'the whole body, not cut at 1 MiB');
    assert.equal((await adminGet(`/admin/reports/${report.id}/rejected-callbacks/${'0'.repeat(64)}`)).status, 404);
    assert.equal((await adminGet(`/admin/reports/${report.id}/rejected-callbacks/not-a-digest`)).status, 404);
  });
});
