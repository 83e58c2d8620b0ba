import type { Redis } from 'ioredis';

/** Deletes every key under `prefix:` (report records, indexes, BullMQ queues); returns how many. */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 2000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** A key prefix no other run or test uses, valid for REDIS_PREFIX (letters, digits, _ and -, ≤ 32). */
export function benchPrefix(name: string): string {
  return `bench-${name}-${Math.random().toString(36).slice(2, 10)}`.slice(0, 32);
}
