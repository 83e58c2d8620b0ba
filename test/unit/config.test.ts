import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig, requireSide, type Role } from '../../src/config.js';
import { reportOptionsSchema } from '../../src/losant/request-schemas.js';
import { generateId, generateSecret } from '../../src/reports/secrets.js';

const valid = {
  PUBLIC_URL: 'https://relay.example.com',
  ADMIN_TOKEN: 'x'.repeat(32),
  LOSANT_API_TOKEN: 'token',
  LOSANT_INSTANCE_ID: '0123456789abcdef01234567',
};

function problems(env: Record<string, string>, role: Role = 'all'): string[] {
  try {
    loadConfig(role, env);
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
      assert.doesNotThrow(() => loadConfig('all', { ...valid, PUBLIC_URL: url }), url);
    }
    assert.equal(loadConfig('all', { ...valid, PUBLIC_URL: 'https://relay.example.com/base/' }).web.http.publicUrl, 'https://relay.example.com/base');
  });

  test('PUBLIC_URL is refused when the callback URLs built on it would be longer than Losant accepts', () => {
    const longest = `https://relay.example.com/${'p'.repeat(900 - 'https://relay.example.com/'.length)}`;
    const base = loadConfig('all', { ...valid, PUBLIC_URL: longest }).web.http.publicUrl;
    assert.equal(base.length, 900);
    // The longest base allowed still gives callback URLs that Losant's 1024-character bound accepts.
    const callbackUrl = `${base}/callbacks/r/${generateId('r')}/${generateSecret()}`;
    assert.ok(reportOptionsSchema.safeParse({ callbackUrl }).success, `${callbackUrl.length} characters`);
    assert.match(problems({ ...valid, PUBLIC_URL: `${longest}p` }).join(), /PUBLIC_URL: must be at most 900 characters/u);
  });

  test('REDIS_REQUIRE_NOEVICTION defaults to true in production only, and overrides either way', () => {
    assert.equal(loadConfig('all', valid).redis.requireNoEviction, false);
    assert.equal(loadConfig('all', { ...valid, NODE_ENV: 'development' }).redis.requireNoEviction, false);
    assert.equal(loadConfig('all', { ...valid, NODE_ENV: 'production' }).redis.requireNoEviction, true);
    assert.equal(loadConfig('all', { ...valid, NODE_ENV: 'production', REDIS_REQUIRE_NOEVICTION: '' }).redis.requireNoEviction, true);
    assert.equal(loadConfig('all', { ...valid, NODE_ENV: 'production', REDIS_REQUIRE_NOEVICTION: 'false' }).redis.requireNoEviction, false);
    assert.equal(loadConfig('all', { ...valid, REDIS_REQUIRE_NOEVICTION: 'true' }).redis.requireNoEviction, true);
    assert.equal(loadConfig('all', valid).production, false);
    assert.equal(loadConfig('all', { ...valid, NODE_ENV: 'production' }).production, true);
  });

  test('REDIS_CHECK_INTERVAL_MS: 60 s by default, at least 100 ms', () => {
    assert.equal(loadConfig('all', valid).redis.checkIntervalMs, 60_000);
    assert.equal(loadConfig('all', { ...valid, REDIS_CHECK_INTERVAL_MS: '250' }).redis.checkIntervalMs, 250);
    assert.match(problems({ ...valid, REDIS_CHECK_INTERVAL_MS: '10' }).join(), /REDIS_CHECK_INTERVAL_MS: must be a whole number from 100/u);
  });

  test('an admin token shorter than 16 characters is refused', () => {
    assert.match(problems({ ...valid, ADMIN_TOKEN: 'short' }).join(), /ADMIN_TOKEN: must be at least 16 characters/u);
  });

  test('CALLBACK_BODY_RETENTION_DAYS: 0 keeps bodies as long as reports; longer than REPORT_RETENTION_DAYS is refused', () => {
    assert.equal(loadConfig('all', valid).retention.callbackBodyDays, null);
    assert.equal(loadConfig('all', { ...valid, CALLBACK_BODY_RETENTION_DAYS: '7' }).retention.callbackBodyDays, 7);
    assert.match(
      problems({ ...valid, CALLBACK_BODY_RETENTION_DAYS: '500', REPORT_RETENTION_DAYS: '400' }).join(),
      /CALLBACK_BODY_RETENTION_DAYS: 500 is longer than REPORT_RETENTION_DAYS \(400\)/u,
    );
  });

  test('ARCHIVE_RETENTION_DAYS: 0 (the default) keeps the archive forever; anything but a whole number of days from 0 is refused by name', () => {
    assert.equal(loadConfig('worker', valid).worker.archiveRetentionDays, null);
    assert.equal(loadConfig('worker', { ...valid, ARCHIVE_RETENTION_DAYS: '0' }).worker.archiveRetentionDays, null);
    assert.equal(loadConfig('worker', { ...valid, ARCHIVE_RETENTION_DAYS: '365' }).worker.archiveRetentionDays, 365);
    for (const bad of ['-1', '1.5', 'a year', '36501']) {
      assert.match(problems({ ...valid, ARCHIVE_RETENTION_DAYS: bad }).join(), /ARCHIVE_RETENTION_DAYS: must be a whole number from 0 to 36500/u, bad);
    }
  });

  test('defaults are safe: private networks refused, Losant production URL, Losant hosts over https only', () => {
    const config = loadConfig('all', valid);
    assert.equal(config.worker.download.allowPrivateNetworks, false);
    assert.deepEqual(config.worker.download.allowedPorts, [443]);
    assert.deepEqual(config.worker.download.allowedHosts, ['*.losant.com', '*.onlosant.com']);
    assert.ok(
      config.worker.download.allowedHosts.every((host) => !/amazonaws|cloudfront|googleapis|blob\.core/u.test(host)),
      'no shared cloud storage domain: any bucket there would be admitted',
    );
    assert.equal(config.web.losant.apiUrl, 'https://api.losant.com');
    assert.equal(config.web.http.trustProxy, false);
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.worker.download) && Object.isFrozen(config.web.http));
  });

  test('TRUST_PROXY=true is refused: forwarded addresses are trusted only from a hop count or listed proxies', () => {
    const listed = problems({ ...valid, TRUST_PROXY: 'true' }).join('\n');
    assert.match(listed, /TRUST_PROXY: /u);
    assert.match(listed, /hop/u);
    assert.match(listed, /CIDR/u);
    assert.equal(loadConfig('all', { ...valid, TRUST_PROXY: '1' }).web.http.trustProxy, 1);
    assert.equal(loadConfig('all', { ...valid, TRUST_PROXY: '10.0.0.0/8, 192.0.2.1' }).web.http.trustProxy, '10.0.0.0/8, 192.0.2.1');
    assert.equal(loadConfig('all', { ...valid, TRUST_PROXY: 'loopback' }).web.http.trustProxy, 'loopback');
    assert.equal(loadConfig('all', { ...valid, TRUST_PROXY: 'false' }).web.http.trustProxy, false);
    assert.match(problems({ ...valid, TRUST_PROXY: 'yes please' }).join(), /TRUST_PROXY: /u);
  });

  test('SMTP requires TLS by default (STARTTLS on smtp://); SMTP_REQUIRE_TLS=false allows plaintext', () => {
    assert.equal(loadConfig('all', valid).worker.mail.requireTls, true);
    assert.equal(loadConfig('all', { ...valid, SMTP_REQUIRE_TLS: 'false' }).worker.mail.requireTls, false);
  });

  test('an empty value is unset: the default applies, and a required setting is missing', () => {
    const config = loadConfig('all', { ...valid, REDIS_URL: '', HOST: ' ', MAIL_FROM: '' });
    assert.equal(config.redis.url, 'redis://127.0.0.1:6379');
    assert.equal(config.web.http.host, '0.0.0.0');
    assert.equal(config.worker.mail.from, 'report-relay <report-relay@localhost>');
    assert.match(problems({ ...valid, PUBLIC_URL: '' }).join(), /PUBLIC_URL: required \(role all\)/u);
  });
});

describe('configuration per role', () => {
  const INSTANCE = { LOSANT_INSTANCE_ID: '0123456789abcdef01234567' };

  test('a worker needs only its own settings: no PUBLIC_URL, ADMIN_TOKEN or Losant API token', () => {
    const config = loadConfig('worker', INSTANCE);
    assert.equal(config.web, null);
    assert.equal(config.instanceId, INSTANCE.LOSANT_INSTANCE_ID);
    assert.equal(config.worker.concurrency, 2);
    assert.equal(config.worker.health, null, 'the health port is off by default');
    assert.ok(Object.isFrozen(config.worker));
  });

  test('each role names the settings it misses, and itself', () => {
    const web = problems({}, 'web');
    for (const name of ['PUBLIC_URL', 'ADMIN_TOKEN', 'LOSANT_API_TOKEN', 'LOSANT_INSTANCE_ID']) {
      assert.ok(
        web.some((line) => line.startsWith(`${name}: required (role web)`)),
        `${name} is not named in ${web.join(' | ')}`,
      );
    }
    assert.equal(web.length, 4, web.join(' | '));
    assert.deepEqual(
      problems({}, 'worker').map((line) => line.split(':')[0]),
      ['LOSANT_INSTANCE_ID'],
    );
    assert.match(problems({}, 'worker')[0]!, /^LOSANT_INSTANCE_ID: required \(role worker\)/u);
    assert.throws(
      () => loadConfig('web', { ...valid, PUBLIC_URL: '' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /^Invalid configuration for role web:\n {2}- PUBLIC_URL: required \(role web\)/u);
        return true;
      },
    );
  });

  test('a setting the role does not read is not checked', () => {
    const webOnlyNonsense = { PUBLIC_URL: 'not a url', PORT: 'eighty', ADMIN_TOKEN: 'short', TRUST_PROXY: 'true', UI_QUEUE_ACTIONS: 'maybe' };
    assert.doesNotThrow(() => loadConfig('worker', { ...INSTANCE, ...webOnlyNonsense }));
    const workerOnlyNonsense = { DOWNLOAD_ALLOWED_PORTS: '99999', WORKER_CONCURRENCY: 'many', SMTP_URL: 'http://mail', WORKER_HEALTH_PORT: '-1' };
    assert.doesNotThrow(() => loadConfig('web', { ...valid, ...workerOnlyNonsense }));
    const all = problems({ ...valid, ...webOnlyNonsense, ...workerOnlyNonsense }).map((line) => line.split(':')[0]);
    assert.deepEqual(all.sort(), [...Object.keys(webOnlyNonsense), ...Object.keys(workerOnlyNonsense)].sort(), 'role all reads both sides');
  });

  test('WORKER_HEALTH_PORT: off unless set; the worker listens on HOST', () => {
    assert.deepEqual(loadConfig('worker', { ...INSTANCE, WORKER_HEALTH_PORT: '9100', HOST: '127.0.0.1' }).worker.health, { port: 9100, host: '127.0.0.1' });
    assert.deepEqual(loadConfig('worker', { ...INSTANCE, WORKER_HEALTH_PORT: '0' }).worker.health, { port: 0, host: '0.0.0.0' });
    assert.match(problems({ ...INSTANCE, WORKER_HEALTH_PORT: '70000' }, 'worker').join(), /WORKER_HEALTH_PORT: must be a whole number from 0 to 65535/u);
  });

  test('a configuration loaded for one role cannot run a side it lacks', () => {
    const config = loadConfig('worker', INSTANCE);
    assert.equal(requireSide(config, 'worker', 'worker'), config);
    assert.throws(
      () => requireSide(config, 'web', 'all'),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /role all/u);
        assert.match(error.message, /the web settings are missing/u);
        return true;
      },
    );
  });
});
