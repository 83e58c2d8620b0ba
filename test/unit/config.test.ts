import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';
import { reportOptionsSchema } from '../../src/losant/request-schemas.js';
import { generateId, generateSecret } from '../../src/reports/secrets.js';

const valid = {
  PUBLIC_URL: 'https://relay.example.com',
  ADMIN_TOKEN: 'x'.repeat(32),
  LOSANT_API_TOKEN: 'token',
  LOSANT_INSTANCE_ID: '0123456789abcdef01234567',
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('configuration', () => {
  test('a missing configuration names every required variable at once', () => {
    const listed = problems({});
    for (const name of ['PUBLIC_URL', 'ADMIN_TOKEN', 'LOSANT_API_TOKEN', 'LOSANT_INSTANCE_ID']) {
      assert.ok(
        listed.some((line) => line.startsWith(`${name}:`)),
        `${name} is not named in ${listed.join(' | ')}`,
      );
    }
  });

  test('invalid values are each reported with the reason', () => {
    const listed = problems({ ...valid, PORT: 'eighty', LOSANT_INSTANCE_ID: 'xyz', SMTP_URL: 'http://mail', DOWNLOAD_ALLOWED_PORTS: '99999' });
    assert.equal(listed.length, 4, listed.join(' | '));
    assert.match(listed.join('\n'), /PORT: must be a whole number/u);
    assert.match(listed.join('\n'), /LOSANT_INSTANCE_ID: must be 24 hexadecimal digits/u);
    assert.match(listed.join('\n'), /SMTP_URL: must start with smtp/u);
  });

  test('PUBLIC_URL must be https except on a loopback host', () => {
    assert.match(problems({ ...valid, PUBLIC_URL: 'http://relay.example.com' }).join(), /must use https/u);
    for (const url of ['http://localhost:3000', 'http://127.0.0.1:3000', 'http://[::1]:3000', 'https://relay.example.com/base/']) {
      assert.doesNotThrow(() => loadConfig({ ...valid, PUBLIC_URL: url }), url);
    }
    assert.equal(loadConfig({ ...valid, PUBLIC_URL: 'https://relay.example.com/base/' }).http.publicUrl, 'https://relay.example.com/base');
  });

  test('PUBLIC_URL is refused when the callback URLs built on it would be longer than Losant accepts', () => {
    const longest = `https://relay.example.com/${'p'.repeat(900 - 'https://relay.example.com/'.length)}`;
    const base = loadConfig({ ...valid, PUBLIC_URL: longest }).http.publicUrl;
    assert.equal(base.length, 900);
    // The longest base allowed still gives callback URLs that Losant's 1024-character bound accepts.
    const callbackUrl = `${base}/callbacks/r/${generateId('r')}/${generateSecret()}`;
    assert.ok(reportOptionsSchema.safeParse({ callbackUrl }).success, `${callbackUrl.length} characters`);
    assert.match(problems({ ...valid, PUBLIC_URL: `${longest}p` }).join(), /PUBLIC_URL: must be at most 900 characters/u);
  });

  test('REDIS_REQUIRE_NOEVICTION defaults to true in production only, and overrides either way', () => {
    assert.equal(loadConfig(valid).redis.requireNoEviction, false);
    assert.equal(loadConfig({ ...valid, NODE_ENV: 'development' }).redis.requireNoEviction, false);
    assert.equal(loadConfig({ ...valid, NODE_ENV: 'production' }).redis.requireNoEviction, true);
    assert.equal(loadConfig({ ...valid, NODE_ENV: 'production', REDIS_REQUIRE_NOEVICTION: '' }).redis.requireNoEviction, true);
    assert.equal(loadConfig({ ...valid, NODE_ENV: 'production', REDIS_REQUIRE_NOEVICTION: 'false' }).redis.requireNoEviction, false);
    assert.equal(loadConfig({ ...valid, REDIS_REQUIRE_NOEVICTION: 'true' }).redis.requireNoEviction, true);
    assert.equal(loadConfig(valid).production, false);
    assert.equal(loadConfig({ ...valid, NODE_ENV: 'production' }).production, true);
  });

  test('REDIS_CHECK_INTERVAL_MS: 60 s by default, at least 100 ms', () => {
    assert.equal(loadConfig(valid).redis.checkIntervalMs, 60_000);
    assert.equal(loadConfig({ ...valid, REDIS_CHECK_INTERVAL_MS: '250' }).redis.checkIntervalMs, 250);
    assert.match(problems({ ...valid, REDIS_CHECK_INTERVAL_MS: '10' }).join(), /REDIS_CHECK_INTERVAL_MS: must be a whole number from 100/u);
  });

  test('an admin token shorter than 16 characters is refused', () => {
    assert.match(problems({ ...valid, ADMIN_TOKEN: 'short' }).join(), /ADMIN_TOKEN: must be at least 16 characters/u);
  });

  test('CALLBACK_BODY_RETENTION_DAYS: 0 keeps bodies as long as reports; longer than REPORT_RETENTION_DAYS is refused', () => {
    assert.equal(loadConfig(valid).callbacks.bodyRetentionDays, null);
    assert.equal(loadConfig({ ...valid, CALLBACK_BODY_RETENTION_DAYS: '7' }).callbacks.bodyRetentionDays, 7);
    assert.match(
      problems({ ...valid, CALLBACK_BODY_RETENTION_DAYS: '500', REPORT_RETENTION_DAYS: '400' }).join(),
      /CALLBACK_BODY_RETENTION_DAYS: 500 is longer than REPORT_RETENTION_DAYS \(400\)/u,
    );
  });

  test('ARCHIVE_RETENTION_DAYS: 0 (the default) keeps the archive forever; anything but a whole number of days from 0 is refused by name', () => {
    assert.equal(loadConfig(valid).jobs.archiveRetentionDays, null);
    assert.equal(loadConfig({ ...valid, ARCHIVE_RETENTION_DAYS: '0' }).jobs.archiveRetentionDays, null);
    assert.equal(loadConfig({ ...valid, ARCHIVE_RETENTION_DAYS: '365' }).jobs.archiveRetentionDays, 365);
    for (const bad of ['-1', '1.5', 'a year', '36501']) {
      assert.match(problems({ ...valid, ARCHIVE_RETENTION_DAYS: bad }).join(), /ARCHIVE_RETENTION_DAYS: must be a whole number from 0 to 36500/u, bad);
    }
  });

  test('defaults are safe: private networks refused, Losant production URL, Losant hosts over https only', () => {
    const config = loadConfig(valid);
    assert.equal(config.download.allowPrivateNetworks, false);
    assert.deepEqual(config.download.allowedPorts, [443]);
    assert.deepEqual(config.download.allowedHosts, ['*.losant.com', '*.onlosant.com']);
    assert.ok(
      config.download.allowedHosts.every((host) => !/amazonaws|cloudfront|googleapis|blob\.core/u.test(host)),
      'no shared cloud storage domain: any bucket there would be admitted',
    );
    assert.equal(config.losant.apiUrl, 'https://api.losant.com');
    assert.equal(config.http.trustProxy, false);
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.download));
  });

  test('TRUST_PROXY=true is refused: forwarded addresses are trusted only from a hop count or listed proxies', () => {
    const listed = problems({ ...valid, TRUST_PROXY: 'true' }).join('\n');
    assert.match(listed, /TRUST_PROXY: /u);
    assert.match(listed, /hop/u);
    assert.match(listed, /CIDR/u);
    assert.equal(loadConfig({ ...valid, TRUST_PROXY: '1' }).http.trustProxy, 1);
    assert.equal(loadConfig({ ...valid, TRUST_PROXY: '10.0.0.0/8, 192.0.2.1' }).http.trustProxy, '10.0.0.0/8, 192.0.2.1');
    assert.equal(loadConfig({ ...valid, TRUST_PROXY: 'loopback' }).http.trustProxy, 'loopback');
    assert.equal(loadConfig({ ...valid, TRUST_PROXY: 'false' }).http.trustProxy, false);
    assert.match(problems({ ...valid, TRUST_PROXY: 'yes please' }).join(), /TRUST_PROXY: /u);
  });

  test('SMTP requires TLS by default (STARTTLS on smtp://); SMTP_REQUIRE_TLS=false allows plaintext', () => {
    assert.equal(loadConfig(valid).mail.requireTls, true);
    assert.equal(loadConfig({ ...valid, SMTP_REQUIRE_TLS: 'false' }).mail.requireTls, false);
  });

  test('config/example.env documents every variable the service reads, and only those', () => {
    const source = readFileSync(new URL('../../src/config.ts', import.meta.url), 'utf8');
    const read = new Set([...source.matchAll(/^\s{2}([A-Z][A-Z0-9_]+):/gmu)].map((match) => match[1]));
    const example = readFileSync(new URL('../../config/example.env', import.meta.url), 'utf8');
    const documented = new Set([...example.matchAll(/^([A-Z][A-Z0-9_]+)=/gmu)].map((match) => match[1]));
    assert.ok(read.size > 30, `found only ${read.size} variables in config.ts`);
    assert.deepEqual(
      [...read].filter((name) => !documented.has(name)),
      [],
      'variables missing from example.env',
    );
    assert.deepEqual(
      [...documented].filter((name) => !read.has(name)),
      [],
      'example.env documents unknown variables',
    );
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    assert.deepEqual(
      [...read].filter((name) => !readme.includes(`| \`${name}\``)),
      [],
      'variables missing from the README table',
    );
  });
});
