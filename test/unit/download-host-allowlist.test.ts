import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHostAllowlist, normalizeHost } from '../../src/download/host-allowlist.js';

const hostOf = (url: string): string => new URL(url).hostname;

describe('host allowlist', () => {
  const allowlist = createHostAllowlist(['*.losant.com', 'Files.Example.org', 'bücher.example', '*.amazonaws.com', '203.0.113.7', '::1']);

  test('a wildcard matches subdomains at any depth', () => {
    assert.equal(allowlist.allows(hostOf('https://reports.losant.com/x')), true);
    assert.equal(allowlist.allows(hostOf('https://a.b.losant.com/x')), true);
    assert.equal(allowlist.allows(hostOf('https://bucket.s3.us-east-1.amazonaws.com/x')), true);
  });

  test('a wildcard does not match the bare domain unless it is listed', () => {
    assert.equal(allowlist.allows(hostOf('https://losant.com/x')), false);
  });

  test('a wildcard does not match a look-alike suffix', () => {
    assert.equal(allowlist.allows(hostOf('https://evillosant.com/x')), false);
    assert.equal(allowlist.allows(hostOf('https://losant.com.evil.example/x')), false);
  });

  test('comparison ignores case and one trailing dot', () => {
    assert.equal(allowlist.allows(hostOf('https://FILES.example.ORG/x')), true);
    assert.equal(allowlist.allows(hostOf('https://files.example.org./x')), true);
    assert.equal(allowlist.allows(hostOf('https://REPORTS.Losant.com./x')), true);
  });

  test('exact entries match only themselves', () => {
    assert.equal(allowlist.allows(hostOf('https://sub.files.example.org/x')), false);
    assert.equal(allowlist.allows(hostOf('https://example.org/x')), false);
  });

  test('an IDN entry matches the punycode host that URL produces', () => {
    assert.equal(hostOf('https://BÜCHER.example/x'), 'xn--bcher-kva.example');
    assert.equal(allowlist.allows(hostOf('https://BÜCHER.example/x')), true);
    assert.deepEqual(allowlist.entries.includes('xn--bcher-kva.example'), true);
  });

  test('IP entries match every spelling of the same address, and wildcards never match IPs', () => {
    assert.equal(allowlist.allows(hostOf('http://203.0.113.7/')), true);
    assert.equal(allowlist.allows(hostOf('http://3405803783/')), true);
    assert.equal(allowlist.allows(hostOf('http://[::1]/')), true);
    assert.equal(allowlist.allows(hostOf('http://[0:0::1]/')), true);
    assert.equal(allowlist.allows(hostOf('http://203.0.113.8/')), false);
  });

  test('an empty allowlist allows nothing', () => {
    assert.equal(createHostAllowlist([]).allows('reports.losant.com'), false);
  });

  test('entries that are not bare hosts are refused at creation, all named at once', () => {
    assert.throws(
      () => createHostAllowlist(['https://losant.com', 'losant.com:443', 'user@host', '*', 'a.*.com', '*.10.0.0.1', 'ok.example']),
      (error: Error) => {
        assert.match(error.message, /DOWNLOAD_ALLOWED_HOSTS/u);
        for (const bad of ['https://losant.com', 'losant.com:443', 'user@host', '"*"', 'a.*.com', '*.10.0.0.1']) {
          assert.ok(error.message.includes(bad), `names ${bad}`);
        }
        assert.ok(!error.message.includes('ok.example'));
        return true;
      },
    );
  });

  test('normalizeHost gives the URL form of a host', () => {
    assert.equal(normalizeHost(' Example.COM. '), 'example.com');
    assert.equal(normalizeHost('0x7f000001'), '127.0.0.1');
    assert.equal(normalizeHost('[::ffff:127.0.0.1]'), '::ffff:7f00:1');
    assert.equal(normalizeHost('example.com/path'), null);
  });
});
