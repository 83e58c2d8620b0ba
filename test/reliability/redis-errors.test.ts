import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RedisClient } from '../../src/redis-client.js';
import request from 'supertest';
import { LOG_LINE_MAX_BYTES } from '../../src/log.js';
import { closeRedis, createRedis, waitUntilReady } from '../../src/redis.js';
import { createReportStore } from '../../src/reports/store.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { captureLogger } from '../helpers/logger.js';
import { deleteKeys } from '../helpers/redis.js';
import { createAwaitingReport } from '../helpers/reports.js';
import { startService, type RunningService } from '../helpers/service.js';
import { startOwnRedis, type OwnRedis } from './helpers/redis-server.js';

/**
 * A Redis that answers with an error (full under noeviction, a read-only replica) is the store
 * being unavailable: a callback gets 503 with Retry-After and nothing is stored or enqueued, an
 * admin request gets 503, and no log line carries the callback body (ioredis attaches a failed
 * command's arguments to its errors) or grows past the bound.
 */

const MARKER = 'MARKER-7f3a91c2-callback-body-content';
const SIGNATURE = `X-Amz-Signature=${'ab12'.repeat(16)}`;

/** A ~50 KB JSON callback whose body holds the marker and a signed download URL. */
function bigCallbackBody(): string {
  const url = `https://reports.s3.amazonaws.com/usage.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&${SIGNATURE}`;
  return JSON.stringify({ status: 'completed', url, note: MARKER, padding: `${MARKER} `.repeat(1_400) });
}

function assertCleanLogs(lines: string[]): void {
  assert.ok(lines.length > 0, 'the service logged something');
  for (const line of lines) {
    assert.ok(!line.includes(MARKER), `a log line carries the callback body: ${line.slice(0, 300)}...`);
    assert.ok(!line.includes(SIGNATURE), `a log line carries the download URL's signature: ${line.slice(0, 300)}...`);
    assert.ok(Buffer.byteLength(line) <= LOG_LINE_MAX_BYTES, `a log line of ${Buffer.byteLength(line)} bytes: ${line.slice(0, 300)}...`);
  }
}

const totalJobs = async (service: RunningService) =>
  Object.values(await service.queue.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized')).reduce((sum, n) => sum + n, 0);

describe('Redis full (maxmemory 4mb, noeviction)', () => {
  let redis: OwnRedis;
  let service: RunningService;
  let filler: RedisClient;
  const logs = captureLogger('debug');

  before(async () => {
    redis = await startOwnRedis({ maxmemory: '4mb', maxmemoryPolicy: 'noeviction' });
    service = await startService({ worker: false, logger: logs.logger, name: 'oom', env: { REDIS_URL: redis.url } });
    filler = createRedis(redis.url, 'commands');
    await waitUntilReady(filler);
  });
  after(async () => {
    await filler?.flushall().catch(() => undefined);
    if (filler) await closeRedis(filler);
    await service?.stop();
    await redis?.close();
  });

  test('a callback gets 503 with Retry-After, nothing is stored or enqueued, and no log line carries the body', async () => {
    const report = await createAwaitingReport(service.store, service.url);
    // Fill Redis with small values until a write is refused with OOM.
    let oom: Error | null = null;
    for (let key = 0; oom === null && key < 100_000; key += 1) {
      await filler.set(`fill:${key}`, 'x'.repeat(1024)).catch((error: unknown) => {
        oom = error instanceof Error ? error : new Error(String(error));
      });
    }
    assert.match(String((oom as Error | null)?.message), /^OOM /u);
    // Redis's housekeeping frees idle clients' buffers, which would open room for a few KB again:
    // the limit goes 1 MB below what is used, so every write stays refused.
    const used = Number(/used_memory:(\d+)/u.exec(await filler.info('memory'))?.[1]);
    await filler.config('SET', 'maxmemory', String(used - 1024 * 1024));
    await assert.rejects(filler.set('probe', 'x'), /^ReplyError: OOM /u);

    const body = bigCallbackBody();
    assert.ok(body.length > 50_000);
    const response = await request(service.url).post(report.path).set('Content-Type', 'application/json').send(body);
    assert.equal(response.status, 503, `${JSON.stringify(response.body)}; logged: ${logs.lines.slice(-3).join('\n').slice(0, 2000)}`);
    assert.equal(response.body.error.code, 'unavailable');
    assert.match(String(response.headers['retry-after']), /^\d+$/u);
    const record = await service.store.get(report.id);
    assert.equal(record?.status, 'requested');
    assert.equal(record?.callback, null);
    assert.equal(await service.store.getCallbackBody(report.id), null);
    assert.equal(await totalJobs(service), 0);

    // An admin request (its rate limiter writes) is the same: 503, not 500.
    const admin = await request(service.url).get(`/admin/reports/${report.id}`).set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`);
    assert.equal(admin.status, 503, `${JSON.stringify(admin.body)}; logged: ${logs.lines.slice(-3).join('\n').slice(0, 2000)}`);
    assert.match(String(admin.headers['retry-after']), /^\d+$/u);

    assertCleanLogs(logs.lines);
    assert.ok(
      logs.lines.some((line) => line.includes('"Redis unavailable"') && line.includes('OOM')),
      'the refusal is logged, with the reply',
    );
  });
});

describe('Redis a read-only replica', () => {
  let master: OwnRedis;
  let replica: OwnRedis;
  let masterRedis: RedisClient;
  let service: RunningService;
  const logs = captureLogger('debug');

  before(async () => {
    master = await startOwnRedis({ extraArgs: ['--repl-diskless-sync-delay', '0'] });
    replica = await startOwnRedis({ extraArgs: ['--replicaof', '127.0.0.1', String(master.port), '--replica-read-only', 'yes'] });
    masterRedis = createRedis(master.url, 'commands');
    service = await startService({ worker: false, logger: logs.logger, name: 'readonly', env: { REDIS_URL: replica.url } });
  });
  after(async () => {
    if (service) {
      // The replica refuses deletes: the keys go on the master, and the replica follows.
      await deleteKeys(masterRedis, service.config.redis.prefix);
      while ((await service.redis.dbsize()) > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      await service.stop();
    }
    if (masterRedis) await closeRedis(masterRedis);
    await replica?.close();
    await master?.close();
  });

  test('a callback gets 503 with Retry-After and nothing is stored; an admin request gets 503', async () => {
    const config = service.config;
    const masterStore = createReportStore(masterRedis, {
      prefix: config.redis.prefix,
      retentionDays: config.retention.reportDays,
      retentionSeconds: config.retention.reportSeconds,
    });
    const report = await createAwaitingReport(masterStore, service.url);
    // Wait until the replica has the record.
    while ((await service.store.get(report.id)) === null) await new Promise((resolve) => setTimeout(resolve, 50));

    const response = await request(service.url).post(report.path).set('Content-Type', 'application/json').send(bigCallbackBody());
    assert.equal(response.status, 503, `${JSON.stringify(response.body)}; logged: ${logs.lines.slice(-3).join('\n').slice(0, 2000)}`);
    assert.match(String(response.headers['retry-after']), /^\d+$/u);
    assert.equal((await masterStore.get(report.id))?.status, 'requested');
    assert.equal(await masterStore.getCallbackBody(report.id), null);
    assert.equal(await totalJobs(service), 0);

    const admin = await request(service.url).get(`/admin/reports/${report.id}`).set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`);
    assert.equal(admin.status, 503, `${JSON.stringify(admin.body)}; logged: ${logs.lines.slice(-3).join('\n').slice(0, 2000)}`);

    assertCleanLogs(logs.lines);
    assert.ok(
      logs.lines.some((line) => line.includes('READONLY')),
      'the refusal is logged, with the reply',
    );
  });
});
