import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { startService, type RunningService } from '../helpers/service.js';
import { startTestSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { uniquePrefix } from '../helpers/redis.js';
import { startCsvServer, type CsvServer } from './helpers/csv-server.js';
import { startRedisCluster, type RedisCluster } from './helpers/redis-cluster.js';
import { readAll, requestAwaitingReport } from './helpers/reports.js';

/**
 * REDIS_WAIT_REPLICAS on a Redis Cluster whose only replica serves the master holding the
 * deployment's slot. WAIT has no key, and a cluster sends such a command to any node: sent there,
 * it would find no replica and every callback would be answered 503. Every callback is answered 2xx
 * only when WAIT goes to the slot's master; with that replica killed, the next one is 503.
 */

let cluster: RedisCluster;
let replica: { port: number; stop(): Promise<void> };
let sim: Simulator;
let smtp: TestSmtpServer;
let csv: CsvServer;
let service: RunningService;
const prefix = `{${uniquePrefix('cluster-wait')}}`;

async function callBack(callbackUrl: string): Promise<Response> {
  return fetch(callbackUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ status: 'completed', url: csv.url }) });
}

describe('REDIS_WAIT_REPLICAS on a Redis Cluster', () => {
  before(async () => {
    cluster = await startRedisCluster();
    replica = await cluster.addReplica(await cluster.masterOf(`${prefix}:any`));
    sim = await startSimulator({ reportDelayMs: 20 });
    sim.setFaults({ noCallback: true });
    smtp = await startTestSmtpServer();
    csv = await startCsvServer(await readAll(sim.buildReportCsv({ start: '2026-01-01T00:00:00Z', end: '2026-01-04T00:00:00Z' })));
    service = await startService({
      name: 'cluster-wait',
      env: {
        REDIS_URL: cluster.url,
        REDIS_PREFIX: prefix,
        REDIS_WAIT_REPLICAS: '1',
        REDIS_WAIT_TIMEOUT_MS: '1000',
        LOSANT_API_URL: sim.url,
        LOSANT_API_TOKEN: sim.token,
        LOSANT_INSTANCE_ID: sim.instanceId,
        SMTP_URL: smtp.url,
      },
    });
  });
  after(async () => {
    await service?.stop();
    await csv?.close();
    await smtp?.close();
    await sim?.close();
    await cluster?.close();
  });

  test("every callback is confirmed by the slot's master's replica and delivered once", async () => {
    const reports = [];
    for (let i = 0; i < 6; i++) reports.push(await requestAwaitingReport(service.url, sim, { recipients: ['ops@example.com'] }));
    for (const report of reports) {
      const response = await callBack(report.callbackUrl);
      assert.equal(response.status, 202, `${report.id}: ${await response.text()}`);
    }
    for (const report of reports) {
      const record = await service.waitForStatus(report.id, ['delivered', 'failed']);
      assert.equal(record.status, 'delivered', JSON.stringify(record.error));
    }
    await smtp.waitForMessages(reports.length);
    assert.deepEqual(smtp.messages.map((message) => message.parsed.headers.get('x-report-id')).sort(), reports.map((report) => report.id).sort());
  });

  test('with that replica killed, a callback is answered 503 not_replicated', async () => {
    await replica.stop();
    const report = await requestAwaitingReport(service.url, sim, { recipients: ['ops@example.com'] });
    const response = await callBack(report.callbackUrl);
    assert.equal(response.status, 503);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'not_replicated');
  });
});
