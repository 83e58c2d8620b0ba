import type { Redis } from 'ioredis';
import type { Logger } from './log.js';

/**
 * BullMQ and the report records need Redis to refuse writes when full rather than evict keys:
 * an evicted job or record is a report silently lost. Managed Redis services often disable
 * CONFIG, so INFO memory is asked when CONFIG GET is refused.
 */
export async function readEvictionPolicy(redis: Redis): Promise<string | null> {
  try {
    const reply = await redis.config('GET', 'maxmemory-policy');
    if (reply[1]) return reply[1];
  } catch {
    // CONFIG may be renamed or disabled; fall through to INFO.
  }
  const info = await redis.info('memory');
  return /maxmemory_policy:(\S+)/u.exec(info)?.[1] ?? null;
}

export class EvictionPolicyError extends Error {}

export async function checkEvictionPolicy(redis: Redis, options: { require: boolean; logger: Logger }): Promise<void> {
  const policy = await readEvictionPolicy(redis);
  if (policy === 'noeviction') return;
  const message =
    `Redis maxmemory-policy is "${policy ?? 'unknown'}", not "noeviction": under memory pressure Redis may delete queued jobs ` +
    'and report records. Set "maxmemory-policy noeviction" on the Redis server.';
  if (options.require) throw new EvictionPolicyError(`${message} (refusing to start because REDIS_REQUIRE_NOEVICTION=true)`);
  options.logger.warn({ maxmemoryPolicy: policy }, `WARNING: ${message}`);
}
