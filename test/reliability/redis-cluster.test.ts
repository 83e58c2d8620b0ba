import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { createRedis, closeRedis, waitUntilReady } from '../../src/redis.js';
import { mastersOf, type RedisClient } from '../../src/redis-client.js';
import { readEvictionPolicy, readPersistence } from '../../src/redis-policy.js';
import { deleteKeys, uniquePrefix } from '../helpers/redis.js';
import { startService, type RunningService } from '../helpers/service.js';
import { startTestSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { startCsvServer, type CsvServer } from './helpers/csv-server.js';
import { startRedisCluster, type RedisCluster } from './helpers/redis-cluster.js';
import { adminHeaders, readAll, requestAwaitingReport } from './helpers/reports.js';

/**
 * The service on a real Redis Cluster (three masters, each a redis-server process), with
 * REDIS_URL=redis+cluster://... and a prefix that is one hash tag: a report requested through the
 * admin API is called back by the simulator and delivered by email; a callback delivered several
 * times at once is kept once; every key of the deployment is in one slot, so on one master; and
 * what reads each server (the eviction policy, persistence, SCAN) reads every master.
 */

let cluster: RedisCluster;
let sim: Simulator;
let smtp: TestSmtpServer;
let csv: CsvServer;
let service: RunningService;
let client: RedisClient;
const prefix = `{${uniquePrefix('cluster')}}`;

/** The keys of the deployment on each master, by port. */
async function keysByNode(): Promise<Map<number, string[]>> {
  const byNode = new Map<number, string[]>();
  for (const [index, node] of cluster.nodes.entries()) byNode.set(cluster.ports[index]!, await node.keys(`${prefix}:*`));
  return byNode;
}

describe('Redis Cluster', () => {
  before(async () => {
    cluster = await startRedisCluster();
    sim = await startSimulator({ reportDelayMs: 20 });
    smtp = await startTestSmtpServer();
    csv = await startCsvServer(await readAll(sim.buildReportCsv({ start: '2026-01-01T00:00:00Z', end: '2026-01-04T00:00:00Z' })));
    service = await startService({
      name: 'cluster',
      env: {
        REDIS_URL: cluster.url,
        REDIS_PREFIX: prefix,
        LOSANT_API_URL: sim.url,
        LOSANT_API_TOKEN: sim.token,
        LOSANT_INSTANCE_ID: sim.instanceId,
        SMTP_URL: smtp.url,
      },
    });
    client = createRedis(cluster.url, 'commands');
    await waitUntilReady(client);
  });
  after(async () => {
    await service?.stop();
    if (client) await closeRedis(client);
    await csv?.close();
    await smtp?.close();
    await sim?.close();
    await cluster?.close();
  });

  test('a report requested through the admin API is called back and delivered by email', async () => {
    const response = await fetch(`${service.url}/admin/reports`, {
      method: 'POST',
      headers: adminHeaders,
      body: JSON.stringify({ start: '2026-01-01T00:00:00Z', end: '2026-01-03T00:00:00Z', recipients: ['ops@example.com'] }),
    });
    const answer = (await response.json()) as { report?: { id: string } };
    assert.equal(response.status, 202, JSON.stringify(answer));
    const id = answer.report!.id;
    const record = await service.waitForStatus(id, ['delivered', 'failed']);
    assert.equal(record.status, 'delivered', JSON.stringify(record.error));
    // Two filters: their indexes are intersected in one MULTI, which the cluster runs only in one slot.
    const page = await service.store.query({ status: 'delivered', source: 'api', offset: 0, limit: 10 });
    assert.deepEqual(
      page.items.map((item) => item.id),
      [id],
    );
    await smtp.waitForMessages(1);
    assert.deepEqual(
      smtp.messages.map((message) => message.parsed.headers.get('x-report-id')),
      [id],
    );
  });

  test('a callback delivered five times at once is kept once and emailed once', async () => {
    sim.setFaults({ noCallback: true });
    const { id, callbackUrl } = await requestAwaitingReport(service.url, sim, { recipients: ['ops@example.com'] });
    const body = JSON.stringify({ status: 'completed', url: csv.url });
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => fetch(callbackUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })),
    );
    await Promise.all(responses.map((response) => response.text()));
    const statuses = responses.map((response) => response.status);
    assert.ok(
      statuses.every((status) => status >= 200 && status < 300),
      statuses.join(','),
    );
    assert.equal(statuses.filter((status) => status === 202).length, 1, 'one callback is the one kept');
    const record = await service.waitForStatus(id, ['delivered', 'failed']);
    assert.equal(record.status, 'delivered', JSON.stringify(record.error));
    assert.equal(record.callback?.duplicates, 4);
    assert.equal(csv.requests, 1, 'one download');
    await smtp.waitForMessages(2);
    assert.equal(smtp.messages.filter((message) => message.parsed.headers.get('x-report-id') === id).length, 1, 'one email');
  });

  test("every key of the deployment, BullMQ's too, is on the one master that holds the tag's slot", async () => {
    const byNode = await keysByNode();
    const holding = [...byNode.entries()].filter(([, keys]) => keys.length > 0);
    assert.equal(holding.length, 1, `keys on ${holding.map(([port]) => port).join(', ')}`);
    const keys = holding[0]![1];
    assert.ok(
      keys.some((key) => key.startsWith(`${prefix}:report:`)),
      'report records',
    );
    assert.ok(
      keys.some((key) => key.startsWith(`${prefix}:reports:`)),
      "the reports index and BullMQ's queue keys",
    );
    assert.ok(
      keys.some((key) => key.startsWith(`${prefix}:reports:completed`) || key.startsWith(`${prefix}:reports:meta`)),
      "BullMQ's keys",
    );
    assert.ok(
      keys.some((key) => key.startsWith(`${prefix}:usage:`)),
      'the usage read model, written by scripts loaded on every master',
    );
  });

  test('the eviction policy and persistence are read from every master', async () => {
    assert.equal(mastersOf(client).length, 3);
    assert.equal(await readEvictionPolicy(client), 'noeviction');
    assert.equal((await readPersistence(client)).state, 'off', 'no AOF and no save points on any master');
    // A master that does not hold the deployment's slot: the slot may move there.
    const byNode = await keysByNode();
    const other = cluster.nodes[cluster.ports.findIndex((port) => (byNode.get(port) ?? []).length === 0)]!;
    await other.config('SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      assert.equal(await readEvictionPolicy(client), 'allkeys-lru');
    } finally {
      await other.config('SET', 'maxmemory-policy', 'noeviction');
    }
    await other.config('SET', 'appendonly', 'yes');
    try {
      await Promise.all(cluster.nodes.filter((node) => node !== other).map((node) => node.config('SET', 'appendonly', 'yes')));
      assert.equal((await readPersistence(client)).state, 'on', 'every master with AOF');
      await other.config('SET', 'appendonly', 'no');
      assert.equal((await readPersistence(client)).state, 'off', 'one master without');
    } finally {
      await Promise.all(cluster.nodes.map((node) => node.config('SET', 'appendonly', 'no')));
    }
  });

  test('deleting the keys under a prefix walks every master', async () => {
    // Keys of another prefix without a tag land in several slots, so on several masters.
    const spread = uniquePrefix('cluster-spread');
    for (let i = 0; i < 30; i++) await client.set(`${spread}:${i}`, 'x');
    const holding = async () => (await Promise.all(cluster.nodes.map((node) => node.keys(`${spread}:*`)))).filter((keys) => keys.length > 0).length;
    assert.ok((await holding()) > 1, 'the keys are spread over more than one master');
    await deleteKeys(client, spread);
    assert.equal(await holding(), 0);
  });
});
