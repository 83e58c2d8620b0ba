import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { callbackJobId, interpretCallback } from '../../src/reports/interpret-callback.js';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const CSV = 'resourceType,resourceId,deviceCount\norganization,abc,3\n';
const URL_A = 'https://files.example.com/report-1.csv?sig=abc';

describe('interpreting a callback body', () => {
  test('a JSON body with one download URL under a url-like key gives that URL', () => {
    for (const key of ['url', 'downloadUrl', 'download_url', 'reportUrl', 'href', 'link', 'fileUrl']) {
      assert.deepEqual(interpretCallback(json({ jobId: 'j1', [key]: URL_A }), 'application/json'), { kind: 'download', urls: [URL_A] }, key);
    }
  });

  test('a job-log style body with output.downloadUrls gives every URL once', () => {
    const second = 'https://files.example.com/report-2.csv';
    const body = json({ status: 'completed', output: { downloadUrls: [URL_A, second, URL_A] } });
    assert.deepEqual(interpretCallback(body, 'application/json; charset=utf-8'), { kind: 'download', urls: [URL_A, second] });
  });

  test('the CSV inline in a JSON field is found', () => {
    const result = interpretCallback(json({ jobId: 'j1', status: 'completed', csv: CSV }), 'application/json');
    assert.equal(result.kind, 'inline');
    assert.equal(result.kind === 'inline' && result.csv.toString(), CSV);
  });

  test('a raw text/csv body is the CSV itself', () => {
    const result = interpretCallback(Buffer.from(CSV), 'text/csv');
    assert.equal(result.kind, 'inline');
  });

  test('an untyped body that looks like CSV is taken as CSV', () => {
    assert.equal(interpretCallback(Buffer.from(`\uFEFF${CSV}`), null).kind, 'inline');
  });

  test('a failure result gives Losant error name and message', () => {
    const result = interpretCallback(json({ status: 'errored', error: { name: 'ReportError', message: 'Too much data' } }), 'application/json');
    assert.deepEqual(result, { kind: 'failure', error: { name: 'ReportError', message: 'Too much data' } });
    const flagged = interpretCallback(json({ success: false, message: 'nope' }), 'application/json');
    assert.deepEqual(flagged, { kind: 'failure', error: { name: 'Error', message: 'nope' } });
  });

  test('a form body with a url field is understood', () => {
    const body = Buffer.from(new URLSearchParams({ jobId: 'j1', url: URL_A }).toString());
    assert.deepEqual(interpretCallback(body, 'application/x-www-form-urlencoded'), { kind: 'download', urls: [URL_A] });
  });

  test('bodies that match no rule are unrecognized, with a reason', () => {
    const cases: Array<[Buffer, string | null, RegExp]> = [
      [Buffer.alloc(0), 'application/json', /empty/u],
      [Buffer.from('{not json'), 'application/json', /not valid JSON/u],
      [json({ hello: 'world' }), 'application/json', /top-level keys: hello/u],
      [json([1, 2, 3]), 'application/json', /not an object/u],
      [Buffer.from('<xml/>'), 'application/xml', /application\/xml/u],
      [json({ url: 'ftp://files.example.com/a.csv' }), 'application/json', /no download URL/u],
      [json({ url: 'javascript:alert(1)' }), 'application/json', /no download URL/u],
    ];
    for (const [body, type, reason] of cases) {
      const result = interpretCallback(body, type);
      assert.equal(result.kind, 'unrecognized', body.toString());
      assert.match(result.kind === 'unrecognized' ? result.reason : '', reason);
    }
  });

  test('deeply nested and huge JSON is walked with bounded work', () => {
    const depth = 100_000;
    const nested = `${'{"child":'.repeat(depth)}{"url":"${URL_A}"}${'}'.repeat(depth)}`;
    const started = process.hrtime.bigint();
    const deep = interpretCallback(Buffer.from(nested), 'application/json');
    assert.equal(deep.kind, 'unrecognized', 'a URL nested 100,000 levels deep is beyond the walk');
    const wide = interpretCallback(json({ items: Array.from({ length: 200_000 }, (_, i) => ({ n: i })) }), 'application/json');
    assert.equal(wide.kind, 'unrecognized');
    assert.ok(Number(process.hrtime.bigint() - started) / 1e9 < 10, 'bounded');
  });

  test('the job id comes from a header or the usual JSON fields, and only when it is a sane id', () => {
    assert.equal(callbackJobId(Buffer.from(CSV), 'text/csv', { 'x-losant-job-id': 'abc123' }), 'abc123');
    assert.equal(callbackJobId(json({ jobId: 'clnHvJbyVkOWAZwYAwLP4' }), 'application/json', {}), 'clnHvJbyVkOWAZwYAwLP4');
    assert.equal(callbackJobId(json({ job: { id: 'j-2' } }), 'application/json', {}), 'j-2');
    assert.equal(callbackJobId(json({ jobId: 'has spaces and ../' }), 'application/json', {}), null);
    assert.equal(callbackJobId(Buffer.from('{bad'), 'application/json', {}), null);
  });
});
