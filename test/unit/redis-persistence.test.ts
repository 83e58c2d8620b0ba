import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { readEvictionPolicy, readPersistence } from '../../src/redis-policy.js';

/** Just enough of a Redis connection: INFO answers, and CONFIG GET answers or is refused (as managed services do). */
function fakeRedis(options: { config: Record<string, string> | null; info: string }): Redis {
  const fake = {
    config: (_get: string, name: string) =>
      options.config === null ? Promise.reject(new Error("ERR unknown command 'CONFIG'")) : Promise.resolve([name, options.config[name] ?? '']),
    info: () => Promise.resolve(options.info),
  };
  // as: the functions under test call only config() and info().
  return fake as unknown as Redis;
}

describe('reading Redis durability', () => {
  test('AOF on, RDB save points, or neither', async () => {
    const aof = await readPersistence(fakeRedis({ config: { save: '' }, info: 'aof_enabled:1\r\nrdb_last_bgsave_status:ok\r\n' }));
    assert.equal(aof.state, 'on');
    const rdb = await readPersistence(fakeRedis({ config: { save: '3600 1 300 100' }, info: 'aof_enabled:0\r\nrdb_last_bgsave_status:err\r\n' }));
    assert.deepEqual(rdb, { state: 'on', aof: false, savePoints: '3600 1 300 100', lastBgsaveOk: false });
    const off = await readPersistence(fakeRedis({ config: { save: '' }, info: 'aof_enabled:0\r\nrdb_last_bgsave_status:ok\r\n' }));
    assert.equal(off.state, 'off');
  });

  test('CONFIG refused: INFO decides, and without AOF persistence is unknown', async () => {
    assert.equal((await readPersistence(fakeRedis({ config: null, info: 'aof_enabled:0\r\n' }))).state, 'unknown');
    assert.equal((await readPersistence(fakeRedis({ config: null, info: 'aof_enabled:1\r\n' }))).state, 'on');
    assert.equal(await readEvictionPolicy(fakeRedis({ config: null, info: 'maxmemory_policy:volatile-lru\r\n' })), 'volatile-lru');
  });
});
