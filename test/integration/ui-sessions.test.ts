import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { redisKeys } from '../../src/redis-keys.js';
import { createSessionStore } from '../../src/ui/sessions.js';
import { silentLogger } from '../helpers/logger.js';
import { deleteKeys, testRedis, uniquePrefix } from '../helpers/redis.js';

const MINUTE = 60_000;
let redis: Redis;
const prefix = uniquePrefix('ui-sessions');

/** A store on a clock the test moves. */
function storeAt(start: number) {
  const clock = { now: start };
  const store = createSessionStore(redis, { prefix, idleMs: 30 * MINUTE, maxMs: 12 * 60 * MINUTE, logger: silentLogger(), now: () => clock.now });
  return { store, clock };
}

describe('dashboard sessions in Redis', () => {
  before(() => {
    redis = testRedis();
  });
  after(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  test('the id is 32 random bytes; Redis keeps the session under its SHA-256 and never the id itself', async () => {
    const { store } = storeAt(Date.now());
    const { id, session } = await store.create();
    assert.match(id, /^[A-Za-z0-9_-]{43}$/u);
    assert.notEqual(session.csrfToken, id);
    const key = redisKeys(prefix).ui.session(createHash('sha256').update(id).digest('hex'));
    const stored = await redis.get(key);
    assert.ok(stored, 'kept under the digest of the id');
    const [, keys] = await redis.scan('0', 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    for (const each of keys) {
      assert.ok(!each.includes(id), each);
      assert.ok(!((await redis.get(each)) ?? '').includes(id));
    }
    assert.ok((await redis.pttl(key)) <= 30 * MINUTE);
    assert.deepEqual((await store.get(id))?.csrfToken, session.csrfToken);
  });

  test('a session ends after the idle timeout, and each request starts the idle time again', async () => {
    const start = Date.now();
    const { store, clock } = storeAt(start);
    const { id } = await store.create();
    clock.now = start + 29 * MINUTE;
    assert.ok(await store.get(id), 'used within the idle time');
    clock.now = start + 58 * MINUTE;
    assert.ok(await store.get(id), 'the last use restarted the idle time');
    clock.now = start + 88 * MINUTE + 1;
    assert.equal(await store.get(id), null, 'idle for longer than 30 minutes');
    assert.equal(await store.get(id), null);
  });

  test('a session ends at the absolute timeout however active, and Redis expires it by then', async () => {
    const start = Date.now();
    const { store, clock } = storeAt(start);
    const { id } = await store.create();
    for (let at = 20 * MINUTE; at < 12 * 60 * MINUTE; at += 20 * MINUTE) {
      clock.now = start + at;
      assert.ok(await store.get(id), `active at ${at / MINUTE} min`);
    }
    clock.now = start + 12 * 60 * MINUTE - 5 * MINUTE;
    assert.ok(await store.get(id));
    const key = redisKeys(prefix).ui.session(createHash('sha256').update(id).digest('hex'));
    assert.ok((await redis.pttl(key)) <= 5 * MINUTE, 'the key expires no later than the absolute timeout');
    clock.now = start + 12 * 60 * MINUTE;
    assert.equal(await store.get(id), null);
  });

  test('a destroyed session is gone; unknown, malformed and tampered ids and records sign nobody in', async () => {
    const { store } = storeAt(Date.now());
    const { id } = await store.create();
    await store.destroy(id);
    assert.equal(await store.get(id), null);

    for (const wrong of ['', 'x', `${id}x`, id.replace(/^./u, id.startsWith('A') ? 'B' : 'A'), '../../etc', 'a'.repeat(43)]) {
      assert.equal(await store.get(wrong), null, wrong);
    }

    const { id: other } = await store.create();
    const key = redisKeys(prefix).ui.session(createHash('sha256').update(other).digest('hex'));
    for (const bad of ['not json', '{"createdAt":"yesterday","lastSeenAt":1,"csrfToken":"x"}', '{}']) {
      await redis.set(key, bad, 'PX', 60_000);
      assert.equal(await store.get(other), null, bad);
      assert.equal(await redis.exists(key), 0, 'a malformed session is deleted');
    }
  });
});
