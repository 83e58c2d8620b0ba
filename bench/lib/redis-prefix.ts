import { mastersOf, type RedisClient } from '../../src/redis-client.js';

/** Deletes every key under `prefix:` (report records, indexes, BullMQ queues), on every master of a cluster; returns how many. */
export async function deleteKeysWithPrefix(redis: RedisClient, prefix: string): Promise<number> {
  let deleted = 0;
  for (const master of mastersOf(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await master.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 2000);
      cursor = next;
      // One key per UNLINK (keys of different slots may not share a command on a cluster), in one round trip.
      const replies = keys.length === 0 ? [] : ((await keys.reduce((batch, key) => batch.unlink(key), master.pipeline()).exec()) ?? []);
      deleted += replies.filter(([error, count]) => error === null && count === 1).length;
    } while (cursor !== '0');
  }
  return deleted;
}

/** A key prefix no other run or test uses, valid for REDIS_PREFIX (letters, digits, _ and -, ≤ 32). */
export function benchPrefix(name: string): string {
  return `bench-${name}-${Math.random().toString(36).slice(2, 10)}`.slice(0, 32);
}
