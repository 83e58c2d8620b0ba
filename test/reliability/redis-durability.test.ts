import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { RedisClient } from '../../src/redis-client.js';
import request from 'supertest';
import { closeRedis, createRedis, waitUntilReady } from '../../src/redis.js';
import { createService, type Role } from '../../src/service.js';
import { testConfig } from '../helpers/config.js';
import { captureLogger } from '../helpers/logger.js';
import { uniquePrefix } from '../helpers/redis.js';
import { startService, type RunningService } from '../helpers/service.js';
import { startOwnRedis, type OwnRedis } from './helpers/redis-server.js';

/**
 * Redis durability is checked, not assumed: in production (NODE_ENV=production) a Redis whose
 * maxmemory-policy may evict refuses the start unless REDIS_REQUIRE_NOEVICTION=false says
 * otherwise; persistence that is off is warned about once; a policy changed at run time turns
 * /readyz red after the next periodic check, and green again when it is changed back.
 */

interface LogLine {
  level: string;
  msg: string;
  [key: string]: unknown;
}
const parsed = (lines: string[]): LogLine[] => lines.map((line) => JSON.parse(line) as LogLine);

describe('a Redis with maxmemory-policy volatile-lru', () => {
  let redis: OwnRedis;

  before(async () => {
    redis = await startOwnRedis({ maxmemoryPolicy: 'volatile-lru' });
  });
  after(async () => {
    await redis?.close();
  });

  for (const role of ['web', 'worker'] as const satisfies Role[]) {
    test(`in production the ${role} role refuses to start, naming the setting and the fix`, async () => {
      const logs = captureLogger('debug');
      const config = testConfig({ NODE_ENV: 'production', REDIS_URL: redis.url, REDIS_PREFIX: uniquePrefix('durable'), PORT: '0', HOST: '127.0.0.1' });
      const service = await createService({ config, role, overrides: { logger: logs.logger } });
      try {
        await assert.rejects(service.start(), (error: Error) => {
          assert.match(error.message, /maxmemory-policy is "volatile-lru", not "noeviction"/u);
          assert.match(error.message, /Set "maxmemory-policy noeviction"/u);
          assert.match(error.message, /REDIS_REQUIRE_NOEVICTION=true/u);
          assert.match(error.message, /REDIS_REQUIRE_NOEVICTION=false to start anyway/u);
          return true;
        });
        assert.equal(service.server, null, 'it never listened');
        assert.equal(parsed(logs.lines).filter((line) => /web listening|worker consuming/u.test(line.msg)).length, 0);
      } finally {
        await service.close();
        rmSync(config.dataDir, { recursive: true, force: true });
      }
    });
  }

  test('in production with REDIS_REQUIRE_NOEVICTION=false it starts, warns once, and stays ready', async () => {
    const logs = captureLogger('debug');
    const service = await startService({
      worker: false,
      logger: logs.logger,
      name: 'durable-override',
      env: { NODE_ENV: 'production', REDIS_REQUIRE_NOEVICTION: 'false', REDIS_URL: redis.url, REDIS_CHECK_INTERVAL_MS: '100' },
    });
    try {
      const warnings = () => parsed(logs.lines).filter((line) => line.level === 'warn' && line.msg.includes('maxmemory-policy'));
      assert.equal(warnings().length, 1);
      assert.equal(warnings()[0]!.maxmemoryPolicy, 'volatile-lru');
      assert.match(warnings()[0]!.msg, /^WARNING: Redis maxmemory-policy is "volatile-lru", not "noeviction"/u);
      // Several periodic checks later: still one warning, and /readyz stays green (the override allows it).
      const checks = () => parsed(logs.lines).filter((line) => line.msg === 'Redis durability checked').length;
      while (checks() < 3) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(warnings().length, 1);
      assert.equal((await request(service.url).get('/readyz')).status, 200);
    } finally {
      await service.stop();
    }
  });
});

describe('a running service whose Redis policy changes', () => {
  let redis: OwnRedis;
  let admin: RedisClient;
  let service: RunningService;
  const logs = captureLogger('debug');

  before(async () => {
    redis = await startOwnRedis({ maxmemoryPolicy: 'noeviction' });
    admin = createRedis(redis.url, 'commands');
    await waitUntilReady(admin);
    service = await startService({
      logger: logs.logger,
      name: 'durable-readyz',
      env: { NODE_ENV: 'production', REDIS_URL: redis.url, REDIS_CHECK_INTERVAL_MS: '200' },
    });
  });
  after(async () => {
    await service?.stop();
    if (admin) await closeRedis(admin);
    await redis?.close();
  });

  async function readyzUntil(status: number) {
    for (;;) {
      const response = await request(service.url).get('/readyz');
      if (response.status === status) return response;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  test('/readyz turns 503 with a reason after the next check, and 200 when the policy is back', async () => {
    assert.equal((await request(service.url).get('/readyz')).status, 200);
    await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
    const red = await readyzUntil(503);
    assert.equal(red.body.checks.redisPolicy, false);
    assert.match(String(red.body.reasons?.[0]), /maxmemory-policy is "allkeys-lru", not "noeviction"/u);
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    const green = await readyzUntil(200);
    assert.equal(green.body.checks.redisPolicy, true);

    // Some more checks after the change back: still one line for the change, one for persistence.
    const checks = () => parsed(logs.lines).filter((line) => line.msg === 'Redis durability checked').length;
    const seen = checks();
    while (checks() < seen + 2) await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = parsed(logs.lines);
    assert.equal(lines.filter((line) => line.level === 'error' && line.msg.includes('"allkeys-lru"')).length, 1, 'the change is logged once');
    // The test's Redis keeps nothing on disk: that is said once, however many checks ran.
    const persistence = lines.filter((line) => line.msg.includes('persistence is off'));
    assert.equal(persistence.length, 1);
    assert.equal(persistence[0]!.level, 'warn');
  });
});
