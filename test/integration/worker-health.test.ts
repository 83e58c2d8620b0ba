import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { createService, type Service } from '../../src/service.js';
import { silentLogger } from '../helpers/logger.js';
import { uniquePrefix } from '../helpers/redis.js';
import { startOwnRedis, type OwnRedis } from '../reliability/helpers/redis-server.js';

/**
 * A worker-only service, configured with the worker's settings alone, answers /healthz and /readyz
 * on WORKER_HEALTH_PORT with the checks the web's /readyz makes: Redis answers, its eviction policy
 * passed the last check, the worker consumes. Redis is the test's own, so it can be stopped.
 */

interface Answer {
  status: number;
  body: { status?: string; checks?: Record<string, boolean>; reasons?: string[] };
}

async function get(port: number, path: string, method = 'GET'): Promise<Answer> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { method, signal: AbortSignal.timeout(5_000) });
  // as: the health answers are JSON objects; the assertions check their fields.
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

/** Polls `path` until its status is `status`, or fails with the last answer after `timeoutMs`. */
async function waitForStatus(port: number, path: string, status: number, timeoutMs = 30_000): Promise<Answer> {
  const deadline = Date.now() + timeoutMs;
  let last: Answer | string = 'no answer yet';
  while (Date.now() < deadline) {
    last = await get(port, path).catch((error: unknown) => String(error));
    if (typeof last !== 'string' && last.status === status) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${path} did not answer ${status} within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}

async function startWorker(redis: OwnRedis, dataDir: string, options: { redisCheckIntervalMs?: number } = {}): Promise<{ service: Service; port: number }> {
  // The worker's settings only: no PUBLIC_URL, ADMIN_TOKEN or LOSANT_API_TOKEN.
  const config = loadConfig('worker', {
    LOG_LEVEL: 'silent',
    REDIS_URL: redis.url,
    REDIS_PREFIX: uniquePrefix('worker-health'),
    REDIS_REQUIRE_NOEVICTION: 'true',
    LOSANT_INSTANCE_ID: 'a1b2c3d4e5f6a1b2c3d4e5f6',
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    WORKER_HEALTH_PORT: '0',
  });
  const service = await createService({ config, role: 'worker', overrides: { logger: silentLogger() }, ...options });
  try {
    await service.start();
  } catch (error) {
    await service.close();
    throw error;
  }
  assert.ok(service.healthServer, 'the health port listens');
  return { service, port: (service.healthServer.address() as AddressInfo).port };
}

describe('the worker health port', () => {
  test('answers /healthz and /readyz (200), 503 while Redis is unreachable, 200 again once it is back, and closes with the service', async () => {
    const redis = await startOwnRedis();
    const dataDir = mkdtempSync(join(tmpdir(), 'report-relay-worker-health-'));
    let service: Service | undefined;
    try {
      const started = await startWorker(redis, dataDir);
      service = started.service;
      const { port } = started;
      assert.deepEqual(await get(port, '/healthz'), { status: 200, body: { status: 'ok' } });
      assert.deepEqual(await get(port, '/readyz'), { status: 200, body: { status: 'ready', checks: { redis: true, redisPolicy: true, workers: true } } });
      assert.equal((await get(port, '/admin/reports')).status, 404, 'nothing but health is served');
      assert.equal((await get(port, '/readyz', 'POST')).status, 404);

      await redis.stop();
      const down = await waitForStatus(port, '/readyz', 503);
      assert.equal(down.body.status, 'not_ready');
      assert.equal(down.body.checks?.redis, false);
      assert.ok(down.body.reasons?.includes('Redis does not answer'), JSON.stringify(down.body));
      assert.equal((await get(port, '/healthz')).status, 200, 'alive while Redis is away');

      await redis.start();
      const back = await waitForStatus(port, '/readyz', 200);
      assert.deepEqual(back.body.checks, { redis: true, redisPolicy: true, workers: true });

      await service.close();
      assert.equal(service.healthServer?.listening, false);
      await assert.rejects(() => get(port, '/healthz'), 'nothing listens on the port after close');
    } finally {
      await service?.close();
      // A health port that close() left open would keep this test's process alive: the failure would never be reported.
      const leftOpen = service?.healthServer;
      if (leftOpen?.listening) leftOpen.close();
      leftOpen?.closeAllConnections();
      await redis.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('answers 503 with the reason while Redis evicts keys and noeviction is required', async () => {
    const redis = await startOwnRedis();
    const dataDir = mkdtempSync(join(tmpdir(), 'report-relay-worker-health-'));
    let service: Service | undefined;
    try {
      const started = await startWorker(redis, dataDir, { redisCheckIntervalMs: 100 });
      service = started.service;
      await service.redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
      const evicting = await waitForStatus(started.port, '/readyz', 503);
      assert.deepEqual(evicting.body.checks, { redis: true, redisPolicy: false, workers: true });
      assert.match(evicting.body.reasons?.join() ?? '', /maxmemory-policy is "allkeys-lru"/u);
      await service.redis.config('SET', 'maxmemory-policy', 'noeviction');
      await waitForStatus(started.port, '/readyz', 200);
    } finally {
      await service?.close();
      await redis.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
