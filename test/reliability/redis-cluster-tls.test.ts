import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { closeRedis, createRedis, waitUntilReady } from '../../src/redis.js';
import { uniquePrefix } from '../helpers/redis.js';
import { startService } from '../helpers/service.js';
import { makeCertificate, type TestCertificate } from '../helpers/tls.js';
import { startRedisCluster, type RedisCluster } from './helpers/redis-cluster.js';
import { adminHeaders } from './helpers/reports.js';

/**
 * rediss+cluster:// against a real three-master cluster that speaks TLS only (to clients and on
 * its bus), with a certificate of a private CA: refused without REDIS_TLS_CA_FILE, and with it
 * the service (web and worker) reaches every node.
 */

let dir: string;
let cert: TestCertificate;
let cluster: RedisCluster;

describe('Redis Cluster over TLS with a private CA', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'report-relay-cluster-tls-'));
    cert = await makeCertificate(dir, 'redis');
    cluster = await startRedisCluster({ tls: { certFile: cert.certFile, keyFile: cert.keyFile, caFile: cert.certFile, ca: cert.cert.toString('utf8') } });
  });
  after(async () => {
    await cluster?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('without the CA the nodes are refused; with REDIS_TLS_CA_FILE the service works', async () => {
    assert.match(cluster.url, /^rediss\+cluster:\/\//u);
    // Without the CA no node's certificate is trusted: the client never gets the slots, so never becomes ready.
    const untrusting = createRedis(cluster.url, 'commands');
    untrusting.on('error', () => undefined);
    await assert.rejects(waitUntilReady(untrusting, 2_000), /did not become ready/u);
    await closeRedis(untrusting);

    const service = await startService({
      name: 'cluster-tls',
      env: { REDIS_URL: cluster.url, REDIS_PREFIX: `{${uniquePrefix('cluster-tls')}}`, REDIS_TLS_CA_FILE: cert.certFile },
    });
    try {
      const readiness = await fetch(`${service.url}/readyz`);
      assert.equal(readiness.status, 200, await readiness.text());
      const listing = await fetch(`${service.url}/admin/reports`, { headers: adminHeaders });
      assert.equal(listing.status, 200, await listing.text());
    } finally {
      await service.stop();
    }
  });
});
