import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAddressPolicy } from '../../src/download/address-policy.js';
import { DownloadError } from '../../src/download/errors.js';
import { createHostAllowlist } from '../../src/download/host-allowlist.js';
import { createTargetPolicy, describeUrl, effectivePort, parseDownloadUrl } from '../../src/download/target-policy.js';

const policy = createTargetPolicy({
  allowlist: createHostAllowlist(['*.losant.com', '127.0.0.1', '10.0.0.5', 'plain.example']),
  allowedPorts: [443, 80],
  addressPolicy: createAddressPolicy({ allowPrivateNetworks: false }),
});

function refusal(url: string, from?: string): DownloadError {
  try {
    policy.check(new URL(url), from === undefined ? undefined : new URL(from));
  } catch (error) {
    assert.ok(error instanceof DownloadError);
    return error;
  }
  assert.fail(`${url} was not refused`);
}

describe('download URL checks', () => {
  test('an https URL on an allowed host and default port passes', () => {
    assert.doesNotThrow(() => policy.check(new URL('https://reports.losant.com/file.csv?X-Amz-Signature=abc')));
    assert.doesNotThrow(() => policy.check(new URL('https://reports.losant.com:443/file.csv')));
    assert.doesNotThrow(() => policy.check(new URL('http://plain.example/file.csv')));
  });

  for (const url of [
    'file:///etc/passwd',
    'ftp://reports.losant.com/x',
    'data:text/csv,a,b',
    'gopher://reports.losant.com/',
    'javascript:alert(1)',
    'ws://reports.losant.com/',
  ]) {
    test(`${url.split(':')[0]}: URLs are refused as a bad scheme, permanently`, () => {
      const error = refusal(url);
      assert.equal(error.code, 'download_bad_scheme');
      assert.equal(error.retryable, false);
    });
  }

  test('a host that is not allowed is refused, and the message says where to allow it', () => {
    const error = refusal('https://evil.example/file.csv');
    assert.equal(error.code, 'download_host_not_allowed');
    assert.equal(error.retryable, false);
    assert.match(error.message, /"evil\.example"/u);
    assert.match(error.message, /DOWNLOAD_ALLOWED_HOSTS/u);
  });

  test('a port that is not allowed is refused; a default port counts as 443 or 80', () => {
    const error = refusal('https://reports.losant.com:8443/file.csv');
    assert.equal(error.code, 'download_port_not_allowed');
    assert.match(error.message, /8443/u);
    assert.equal(refusal('http://plain.example:8080/').code, 'download_port_not_allowed');
    assert.equal(effectivePort(new URL('https://x.example/')), 443);
    assert.equal(effectivePort(new URL('http://x.example/')), 80);
    assert.equal(effectivePort(new URL('http://x.example:8080/')), 8080);
  });

  test('credentials in the URL are refused without repeating them', () => {
    const error = refusal('https://user:hunter2@reports.losant.com/file.csv');
    assert.equal(error.code, 'download_bad_url');
    assert.equal(error.retryable, false);
    assert.ok(!error.message.includes('hunter2'));
    assert.equal(refusal('https://user@reports.losant.com/file.csv').code, 'download_bad_url');
  });

  test('an allowed IP literal is still refused when it is private, in any spelling', () => {
    for (const url of ['http://127.0.0.1/', 'http://2130706433/', 'http://0177.0.0.1/', 'http://0x7f000001/', 'http://127.1/', 'http://10.0.0.5/']) {
      assert.equal(refusal(url).code, 'download_private_address', url);
    }
  });

  test('a redirect from https: to http: is refused', () => {
    const error = refusal('http://plain.example/file.csv', 'https://reports.losant.com/file.csv');
    assert.equal(error.code, 'download_bad_redirect');
  });

  test('an unparseable URL is refused without being repeated', () => {
    try {
      parseDownloadUrl('not a url?sig=secret');
      assert.fail('not refused');
    } catch (error) {
      assert.ok(error instanceof DownloadError);
      assert.equal(error.code, 'download_bad_url');
      assert.ok(!error.message.includes('secret'));
    }
  });

  test('describeUrl keeps scheme, host and path, never the query or fragment', () => {
    assert.equal(describeUrl(new URL('https://reports.losant.com:8443/a/b.csv?X-Amz-Signature=secret#frag')), 'https://reports.losant.com:8443/a/b.csv');
  });
});
