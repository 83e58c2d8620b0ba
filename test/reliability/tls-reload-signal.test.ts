import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { deleteKeys, REDIS_URL, testRedis, uniquePrefix } from '../helpers/redis.js';
import { httpsGet, makeCertificate, type TestCertificate } from '../helpers/tls.js';
import { ensureBuilt } from './helpers/build.js';
import { freePort } from './helpers/ports.js';
import { msg, serviceEnv, spawnService, type ServiceProcess } from './helpers/processes.js';

/**
 * `kill -HUP` on the compiled web entry point: the process reads its renewed certificate and key
 * and stays up, a keep-alive connection opened before the signal still completes a request, and
 * new connections get the new certificate.
 */

const prefix = uniquePrefix('tls-signal');
let dir: string;
let first: TestCertificate;
let second: TestCertificate;
let web: ServiceProcess;
let base: string;
let dataDir: string;
const agents: Agent[] = [];
const keepAliveClient = (): Agent => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  agents.push(agent);
  return agent;
};

describe('SIGHUP reloads the certificate of the web process', () => {
  before(async () => {
    await ensureBuilt();
    dir = await mkdtemp(join(tmpdir(), 'report-relay-tls-signal-'));
    [first, second] = await Promise.all([makeCertificate(dir, 'first'), makeCertificate(dir, 'second')]);
    const served = { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') };
    await copyFile(first.certFile, served.certFile);
    await copyFile(first.keyFile, served.keyFile);
    const port = await freePort();
    const env = serviceEnv({ port, redisUrl: REDIS_URL, prefix, extra: { TLS_CERT_FILE: served.certFile, TLS_KEY_FILE: served.keyFile } });
    dataDir = env.DATA_DIR ?? '';
    web = spawnService('web', env, 'web-tls');
    await web.waitForLog(msg('web listening'));
    base = `https://127.0.0.1:${port}`;
    // The renewal, as certbot or a secret mount does it: the same paths, new content.
    await copyFile(second.certFile, served.certFile);
    await copyFile(second.keyFile, served.keyFile);
  });

  after(async () => {
    for (const agent of agents) agent.destroy();
    await web.kill();
    const redis = testRedis();
    await deleteKeys(redis, prefix);
    redis.disconnect();
    await rm(dataDir, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  });

  test('after kill -HUP new connections get the renewed certificate, and one opened before still works', async () => {
    const ca = [first.cert, second.cert];
    const opened = keepAliveClient();
    assert.equal((await httpsGet(`${base}/healthz`, { ca, agent: opened })).fingerprint256, first.fingerprint256);

    web.signal('SIGHUP');
    const reloaded = await web.waitForLog(msg('TLS certificate reloaded'));
    assert.deepEqual((reloaded.certificate as { fingerprint256?: string } | undefined)?.fingerprint256, second.fingerprint256);

    const onOpened = await httpsGet(`${base}/healthz`, { ca, agent: opened });
    assert.equal(onOpened.reusedSocket, true, 'the request went over the connection opened before the signal');
    assert.equal(onOpened.status, 200);
    const fresh = await httpsGet(`${base}/healthz`, { ca, agent: keepAliveClient() });
    assert.equal(fresh.status, 200);
    assert.equal(fresh.fingerprint256, second.fingerprint256);
    assert.equal(fresh.headers['strict-transport-security'], 'max-age=15552000; includeSubDomains');
    assert.ok(web.alive, 'the process is still up');
  });
});
