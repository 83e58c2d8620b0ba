import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { closeRedis, createRedis, waitUntilReady } from '../../src/redis.js';
import { startService } from '../helpers/service.js';
import { makeCertificate, type TestCertificate } from '../helpers/tls.js';
import { startOwnRedis, type OwnRedis } from './helpers/redis-server.js';

/**
 * rediss:// against a real redis-server that speaks TLS only, with a certificate of a private CA
 * (self-signed, made by openssl): trusted through REDIS_TLS_CA_FILE, refused without it.
 */

let dir: string;
let cert: TestCertificate;
let server: OwnRedis;
let url: string;

describe('Redis over TLS with a private CA', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'report-relay-redis-tls-'));
    cert = await makeCertificate(dir, 'redis');
    server = await startOwnRedis({ tls: { certFile: cert.certFile, keyFile: cert.keyFile, caFile: cert.certFile } });
    url = server.url;
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('without the CA the certificate is refused; with REDIS_TLS_CA_FILE the service works', async () => {
    const untrusting = createRedis(url, 'commands');
    const errors: Error[] = [];
    untrusting.on('error', (error: Error) => errors.push(error));
    await assert.rejects(waitUntilReady(untrusting, 2_000));
    await closeRedis(untrusting);
    assert.ok(
      errors.some((error) => /self[- ]signed|certificate/iu.test(error.message)),
      errors.map((error) => error.message).join('; '),
    );

    // With the worker: its blocking connection is made by the service itself, from the settings.
    const service = await startService({ name: 'redis-tls', env: { REDIS_URL: url, REDIS_TLS_CA_FILE: cert.certFile } });
    try {
      const readiness = await fetch(`${service.url}/readyz`);
      assert.equal(readiness.status, 200, await readiness.text());
    } finally {
      await service.stop();
    }
  });
});
