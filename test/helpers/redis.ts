import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { mastersOf, type RedisClient } from '../../src/redis-client.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A unique key prefix per test file, so tests never see each other's keys or queues. */
export function uniquePrefix(name: string): string {
  return `test-${name}-${randomBytes(4).toString('hex')}`;
}

export function testRedis(): Redis {
  return new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: false });
}

/** Deletes every key under `prefix` (records, indexes, BullMQ queues), on every master of a cluster. */
export async function deleteKeys(redis: RedisClient, prefix: string): Promise<void> {
  for (const master of mastersOf(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await master.scan(cursor, 'MATCH', `${escapeGlob(prefix)}:*`, 'COUNT', 1000);
      cursor = next;
      // One key per DEL (keys of different slots may not share a command on a cluster), in one round trip.
      if (keys.length > 0) await keys.reduce((batch, key) => batch.del(key), master.pipeline()).exec();
    } while (cursor !== '0');
  }
}

/** The prefix as a SCAN pattern matching itself only (a hash tag's braces are plain; `[`, `*`, `?` and `\` are escaped). */
function escapeGlob(text: string): string {
  return text.replaceAll(/[[\]*?\\]/gu, (character) => `\\${character}`);
}
