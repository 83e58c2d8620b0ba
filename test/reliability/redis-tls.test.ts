import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { closeRedis, createRedis, waitUntilReady } from '../../src/redis.js';
import { startService } from '../helpers/service.js';
import { makeCertificate, type TestCertificate } from '../helpers/tls.js';
import { freePort } from './helpers/ports.js';

/**
 * rediss:// against a real redis-server that speaks TLS only, with a certificate of a private CA
 * (self-signed, made by openssl): trusted through REDIS_TLS_CA_FILE, refused without it.
 */

let dir: string;
let cert: TestCertificate;
let server: ChildProcess;
let url: string;

describe('Redis over TLS with a private CA', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'report-relay-redis-tls-'));
    cert = await makeCertificate(dir, 'redis');
    const port = await freePort();
    url = `rediss://127.0.0.1:${port}`;
    server = spawn(
      'redis-server',
      [
        '--port',
        '0',
        '--tls-port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
        '--maxmemory-policy',
        'noeviction',
      ].concat(['--tls-cert-file', cert.certFile, '--tls-key-file', cert.keyFile, '--tls-ca-cert-file', cert.certFile, '--tls-auth-clients', 'no']),
      { stdio: 'ignore' },
    );
    // Ready when a client that trusts the certificate gets PONG.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const probe = createRedis(url, 'commands', { tlsCa: cert.cert.toString('utf8') });
      probe.on('error', () => undefined);
      const ok = await waitUntilReady(probe, 1_000).then(
        () => true,
        () => false,
      );
      await closeRedis(probe);
      if (ok) break;
      if (Date.now() > deadline) throw new Error('the TLS redis-server did not start');
    }
  });
  after(() => {
    server?.kill('SIGKILL');
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
