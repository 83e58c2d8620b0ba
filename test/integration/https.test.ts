import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createService, type Service } from '../../src/service.js';
import { testConfig, TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { captureLogger } from '../helpers/logger.js';
import { deleteKeys, testRedis, uniquePrefix } from '../helpers/redis.js';
import { startService } from '../helpers/service.js';
import { httpsGet, makeCertificate, type TestCertificate } from '../helpers/tls.js';

/**
 * With TLS_CERT_FILE and TLS_KEY_FILE the web process serves HTTPS itself, on loopback here with
 * throwaway certificates (openssl). The files it serves are at fixed paths that a renewal
 * overwrites, as certbot or a secret mount does, and the reload is what SIGHUP runs.
 */

const HSTS = 'max-age=15552000; includeSubDomains';

let dir: string;
let first: TestCertificate;
let second: TestCertificate;
/** The paths the service reads: a copy of one of the certificates above. */
let served: { certFile: string; keyFile: string };
let service: Service;
let prefix: string;
let base: string;
const logs = captureLogger('info');
const agents: Agent[] = [];
/** A keep-alive client trusting both certificates, so only the fingerprint tells which one was served. */
const keepAliveClient = (): Agent => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  agents.push(agent);
  return agent;
};
const trusted = (): Buffer[] => [first.cert, second.cert];

async function serve(certificate: Pick<TestCertificate, 'certFile' | 'keyFile'>): Promise<void> {
  await copyFile(certificate.certFile, served.certFile);
  await copyFile(certificate.keyFile, served.keyFile);
}

describe('HTTPS served by the web process', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'report-relay-tls-'));
    [first, second] = await Promise.all([makeCertificate(dir, 'first'), makeCertificate(dir, 'second')]);
    served = { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') };
    await serve(first);
    prefix = uniquePrefix('https');
    const config = testConfig({ REDIS_PREFIX: prefix, HOST: '127.0.0.1', PORT: '0', TLS_CERT_FILE: served.certFile, TLS_KEY_FILE: served.keyFile });
    service = await createService({ config, role: 'web', overrides: { logger: logs.logger } });
    await service.start();
    base = `https://127.0.0.1:${(service.server?.address() as AddressInfo).port}`;
  });

  after(async () => {
    for (const agent of agents) agent.destroy();
    await service.close();
    const redis = testRedis();
    await deleteKeys(redis, prefix);
    redis.disconnect();
    await rm(service.config.dataDir, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  });

  test('answers /healthz over HTTPS with the test CA trusted, with HSTS, and has the HTTP timeouts', async () => {
    const answer = await httpsGet(`${base}/healthz`, { ca: [first.cert], agent: keepAliveClient() });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['strict-transport-security'], HSTS);
    assert.equal(answer.fingerprint256, first.fingerprint256);
    const server = service.server;
    assert.ok(server);
    assert.equal(server.keepAliveTimeout, 65_000);
    assert.ok(server.headersTimeout > server.keepAliveTimeout, `headersTimeout ${server.headersTimeout}`);
    assert.ok(server.requestTimeout === 0 || server.requestTimeout > server.headersTimeout, `requestTimeout ${server.requestTimeout}`);
  });

  test("the dashboard's own headers keep the same HSTS", async () => {
    const answer = await httpsGet(`${base}/ui/`, { ca: [first.cert], agent: keepAliveClient() });
    assert.match(String(answer.headers['content-security-policy']), /frame-ancestors 'none'/u, 'a dashboard answer');
    assert.equal(answer.headers['strict-transport-security'], HSTS);
  });

  test('a client that speaks TLS 1.1 at most is refused by the server; TLS 1.2 is served', async () => {
    const port = Number(new URL(base).port);
    // SECLEVEL=0 lets this client offer TLS 1.1 at all (OpenSSL 3 refuses to), so the refusal is the server's.
    const old = await new Promise<NodeJS.ErrnoException>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, ca: trusted(), minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
      socket.once('secureConnect', () => {
        socket.destroy();
        reject(new Error(`TLS 1.1 was accepted (${String(socket.getProtocol())})`));
      });
      socket.once('error', resolve);
    });
    assert.equal(old.code, 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', old.message);
    const current = await new Promise<string | null>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, ca: trusted(), maxVersion: 'TLSv1.2' }, () => {
        resolve(socket.getProtocol());
        socket.destroy();
      });
      socket.once('error', reject);
    });
    assert.equal(current, 'TLSv1.2');
  });

  test('a reload serves the renewed certificate to new connections; a keep-alive connection opened before still completes a request', async () => {
    const before = keepAliveClient();
    const opened = await httpsGet(`${base}/healthz`, { ca: trusted(), agent: before });
    assert.equal(opened.fingerprint256, first.fingerprint256);

    await serve(second);
    assert.equal(await service.reloadTls(), true);

    const onOpenConnection = await httpsGet(`${base}/healthz`, { ca: trusted(), agent: before });
    assert.equal(onOpenConnection.reusedSocket, true, 'the request went over the connection opened before the reload');
    assert.equal(onOpenConnection.status, 200);
    assert.equal(onOpenConnection.fingerprint256, first.fingerprint256);

    const fresh = await httpsGet(`${base}/healthz`, { ca: trusted(), agent: keepAliveClient() });
    assert.equal(fresh.status, 200);
    assert.equal(fresh.fingerprint256, second.fingerprint256);
    assert.equal(fresh.headers['strict-transport-security'], HSTS);
  });

  test('a reload of a mismatched pair or of a missing file fails, is logged without the key, and the previous certificate stays', async () => {
    const servedNow = (await httpsGet(`${base}/healthz`, { ca: trusted(), agent: keepAliveClient() })).fingerprint256;
    const keyText = await readFile(served.keyFile, 'utf8');
    const keyBody = keyText.split('\n')[1] ?? '';
    assert.ok(keyBody.length > 20);
    const linesBefore = logs.lines.length;

    // The certificate renewed, the key not yet: they do not match.
    await copyFile(first.certFile, served.certFile);
    assert.equal(await service.reloadTls(), false);
    await rm(served.keyFile);
    assert.equal(await service.reloadTls(), false);

    const fresh = await httpsGet(`${base}/healthz`, { ca: trusted(), agent: keepAliveClient() });
    assert.equal(fresh.status, 200);
    assert.equal(fresh.fingerprint256, servedNow);

    const failures = logs.lines
      .slice(linesBefore)
      .map((line) => JSON.parse(line) as { level: string; msg: string; err?: { message: string } })
      .filter((line) => line.msg.startsWith('TLS reload failed'));
    assert.equal(failures.length, 2, logs.lines.slice(linesBefore).join('\n'));
    assert.ok(failures.every((line) => line.level === 'error'));
    assert.match(failures[0]?.err?.message ?? '', /do not make a usable pair/u);
    assert.match(failures[1]?.err?.message ?? '', /TLS_KEY_FILE: cannot read .*key\.pem \(ENOENT\)/u);
    assert.ok(!logs.text().includes(keyBody), 'the key is not logged');
  });
});

describe('HSTS', () => {
  test('sent on plain HTTP when PUBLIC_URL is https:// (TLS ends at a proxy in front)', async () => {
    const behindProxy = await startService({ worker: false, name: 'hsts-proxy', env: { PUBLIC_URL: 'https://relay.example.com', TRUST_PROXY: '1' } });
    try {
      const health = await request(behindProxy.url).get('/healthz');
      assert.equal(health.headers['strict-transport-security'], HSTS);
      const admin = await request(behindProxy.url).get('/admin/reports').set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`);
      assert.equal(admin.status, 200);
      assert.equal(admin.headers['strict-transport-security'], HSTS);
    } finally {
      await behindProxy.stop();
    }
  });

  test('not sent on plain http:// without TLS of its own', async () => {
    const plain = await startService({ worker: false, name: 'hsts-plain' });
    try {
      const health = await request(plain.url).get('/healthz');
      assert.equal(health.status, 200);
      assert.equal(health.headers['strict-transport-security'], undefined);
      const ui = await request(plain.url).get('/ui/');
      assert.equal(ui.headers['strict-transport-security'], undefined, "the dashboard's headers do not add helmet's default");
    } finally {
      await plain.stop();
    }
  });
});

describe('TLS configuration', () => {
  const REQUIRED = {
    PUBLIC_URL: 'https://relay.example.com',
    ADMIN_TOKEN: 'x'.repeat(32),
    LOSANT_API_TOKEN: 'token',
    LOSANT_INSTANCE_ID: '0123456789abcdef01234567',
  };
  let files: TestCertificate;
  let configDir: string;
  before(async () => {
    configDir = await mkdtemp(join(tmpdir(), 'report-relay-tls-config-'));
    files = await makeCertificate(configDir, 'only');
  });
  after(() => rm(configDir, { recursive: true, force: true }));

  const problemsOf = (env: Record<string, string>): string[] => {
    try {
      loadConfig('web', { ...REQUIRED, ...env });
    } catch (error) {
      assert.ok(error instanceof ConfigError, String(error));
      return error.problems;
    }
    assert.fail('the configuration was accepted');
  };

  test('one file without the other is refused, naming the one missing', () => {
    const [missingKey] = problemsOf({ TLS_CERT_FILE: files.certFile });
    assert.match(missingKey ?? '', /^TLS_KEY_FILE: required when TLS_CERT_FILE is set/u);
    const [missingCert] = problemsOf({ TLS_KEY_FILE: files.keyFile });
    assert.match(missingCert ?? '', /^TLS_CERT_FILE: required when TLS_KEY_FILE is set/u);
  });

  test('a file that cannot be read is refused at start, with its path', () => {
    const problems = problemsOf({ TLS_CERT_FILE: join(configDir, 'nowhere.pem'), TLS_KEY_FILE: configDir });
    assert.ok(
      problems.some((problem) => /^TLS_CERT_FILE: cannot read .*nowhere\.pem \(ENOENT\)/u.test(problem)),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((problem) => /^TLS_KEY_FILE: cannot read .* \(not a regular file\)/u.test(problem)),
      problems.join('\n'),
    );
  });

  test('both files: HTTPS and HSTS; neither: plain HTTP, HSTS only for an https:// PUBLIC_URL; a worker reads neither', () => {
    const tls = loadConfig('web', { ...REQUIRED, PUBLIC_URL: 'http://127.0.0.1:3000', TLS_CERT_FILE: files.certFile, TLS_KEY_FILE: files.keyFile });
    assert.deepEqual(tls.web.http.tls, { certFile: files.certFile, keyFile: files.keyFile });
    assert.equal(tls.web.http.strictTransportSecurity, true);
    const proxied = loadConfig('web', REQUIRED);
    assert.equal(proxied.web.http.tls, null);
    assert.equal(proxied.web.http.strictTransportSecurity, true);
    const plain = loadConfig('web', { ...REQUIRED, PUBLIC_URL: 'http://127.0.0.1:3000' });
    assert.equal(plain.web.http.strictTransportSecurity, false);
    assert.doesNotThrow(() => loadConfig('worker', { LOSANT_INSTANCE_ID: REQUIRED.LOSANT_INSTANCE_ID, TLS_CERT_FILE: join(configDir, 'nowhere.pem') }));
  });
});
