import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';
import { scrapeAuth } from '../../src/metrics/scrape-auth.js';

const WORKER = { LOSANT_INSTANCE_ID: 'a1b2c3d4e5f6a1b2c3d4e5f6', LOG_LEVEL: 'silent' };
const TOKEN = 'metrics-token-0123456789abcdef';

describe('metrics settings', () => {
  test('a worker metrics port listens on loopback by default, without a token', () => {
    const config = loadConfig('worker', { ...WORKER, WORKER_METRICS_PORT: '9464' });
    assert.deepEqual(config.worker.metrics, { port: 9464, host: '127.0.0.1' });
    assert.equal(config.metricsToken, null);
    assert.equal(loadConfig('worker', WORKER).worker.metrics, null, 'off unless WORKER_METRICS_PORT is set');
  });

  test('a worker metrics port on another interface needs METRICS_TOKEN', () => {
    assert.throws(
      () => loadConfig('worker', { ...WORKER, WORKER_METRICS_PORT: '9464', WORKER_METRICS_HOST: '0.0.0.0' }),
      (error: unknown) => error instanceof ConfigError && /WORKER_METRICS_HOST.*METRICS_TOKEN/u.test(error.problems.join('\n')),
    );
    const config = loadConfig('worker', { ...WORKER, WORKER_METRICS_PORT: '9464', WORKER_METRICS_HOST: '0.0.0.0', METRICS_TOKEN: TOKEN });
    assert.deepEqual(config.worker.metrics, { port: 9464, host: '0.0.0.0' });
    for (const host of ['127.0.0.2', '::1', 'localhost']) {
      assert.equal(loadConfig('worker', { ...WORKER, WORKER_METRICS_PORT: '0', WORKER_METRICS_HOST: host }).worker.metrics?.host, host);
    }
  });

  test('METRICS_TOKEN is at least 16 characters', () => {
    assert.throws(() => loadConfig('worker', { ...WORKER, METRICS_TOKEN: 'short' }), ConfigError);
  });
});

describe('scrape authentication', () => {
  const none = new URLSearchParams();
  test('with a token: the exact bearer only, never a credential in the URL', () => {
    const authorized = scrapeAuth(TOKEN);
    assert.equal(authorized(`Bearer ${TOKEN}`, none), true);
    assert.equal(authorized(`bearer ${TOKEN} `, none), true);
    for (const header of [undefined, '', 'Bearer', `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, TOKEN]) assert.equal(authorized(header, none), false, String(header));
    assert.equal(authorized(`Bearer ${TOKEN}`, new URLSearchParams({ access_token: TOKEN })), false);
  });
  test('without a token (a loopback port): anyone, still no credential in the URL', () => {
    const authorized = scrapeAuth(null);
    assert.equal(authorized(undefined, none), true);
    assert.equal(authorized(undefined, new URLSearchParams({ apikey: 'x' })), false);
  });
});
