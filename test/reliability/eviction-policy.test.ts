import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { uniquePrefix } from '../helpers/redis.js';
import { ensureBuilt } from './helpers/build.js';
import { freePort } from './helpers/ports.js';
import { msg, serviceEnv, spawnService, type ServiceProcess } from './helpers/processes.js';
import { startOwnRedis, type OwnRedis } from './helpers/redis-server.js';

/**
 * Guarantee 7: a Redis that may evict keys can silently drop queued jobs and report records.
 * The real entry points (run with NODE_ENV=production) refuse to start when maxmemory-policy is
 * not noeviction, and with REDIS_REQUIRE_NOEVICTION=false start but warn loudly. Redis is the
 * test's own, with allkeys-lru.
 */

let redis: OwnRedis;
const children: ServiceProcess[] = [];
const prefix = uniquePrefix('rel-evict');
const dataDirs: string[] = [];

async function envFor(extra: Record<string, string> = {}) {
  const env = serviceEnv({ port: await freePort(), redisUrl: redis.url, prefix, extra });
  dataDirs.push(env.DATA_DIR!);
  return env;
}

describe('Redis with an eviction policy', () => {
  before(async () => {
    await ensureBuilt();
    redis = await startOwnRedis({ maxmemoryPolicy: 'allkeys-lru' });
  });
  after(async () => {
    await Promise.all(children.map((child) => child.kill()));
    await redis?.close();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  test('with REDIS_REQUIRE_NOEVICTION=false the web process starts but logs a warning that names the policy and the fix', async () => {
    const web = spawnService('web', await envFor({ REDIS_REQUIRE_NOEVICTION: 'false' }));
    children.push(web);
    const warning = await web.waitForLog((line) => line.level === 'warn' && String(line.msg).includes('maxmemory-policy'));
    assert.equal(warning.maxmemoryPolicy, 'allkeys-lru');
    assert.match(String(warning.msg), /^WARNING: Redis maxmemory-policy is "allkeys-lru", not "noeviction"/u);
    assert.match(String(warning.msg), /Set "maxmemory-policy noeviction"/u);
    await web.waitForLog(msg('web listening'));
    web.signal('SIGTERM');
    assert.equal((await web.exited).code, 0);
  });

  for (const entry of ['worker', 'web'] as const) {
    test(`in production (REDIS_REQUIRE_NOEVICTION unset) the ${entry} process refuses to start, exits non-zero and says why`, async () => {
      const child = spawnService(entry, await envFor());
      children.push(child);
      const exit = await child.exited;
      assert.notEqual(exit.code, 0);
      assert.equal(exit.code, 1);
      const fatal = child.logs.find((line) => line.level === 'fatal');
      assert.ok(fatal, `a fatal log line; got: ${JSON.stringify(child.logs)}`);
      assert.match(String((fatal.err as { message?: unknown }).message), /maxmemory-policy is "allkeys-lru", not "noeviction"/u);
      assert.match(String((fatal.err as { message?: unknown }).message), /refusing to start because REDIS_REQUIRE_NOEVICTION=true/u);
      assert.match(String((fatal.err as { message?: unknown }).message), /set REDIS_REQUIRE_NOEVICTION=false to start anyway/u);
      assert.equal(child.logs.filter(msg(/web listening|worker consuming/u)).length, 0, 'it never started serving');
    });
  }
});
