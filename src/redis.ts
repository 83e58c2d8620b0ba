import { Redis } from 'ioredis';

/**
 * Redis connections come in two kinds:
 * - `commands`: used inside HTTP handlers. It fails fast while Redis is away (no offline queue,
 *   one retry), so a caller gets a 503 at once instead of a request that hangs.
 * - `blocking`: used by BullMQ workers, which need maxRetriesPerRequest: null and wait out an
 *   outage, resuming by themselves when Redis comes back.
 * Both reconnect forever with a capped backoff.
 */
export type RedisRole = 'commands' | 'blocking';

export function createRedis(url: string, role: RedisRole, name = 'report-relay'): Redis {
  const common = {
    connectionName: `${name}:${role}`,
    connectTimeout: 5_000,
    retryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times, 5), 2_000),
    lazyConnect: false,
  };
  if (role === 'blocking') {
    return new Redis(url, { ...common, maxRetriesPerRequest: null, enableOfflineQueue: true });
  }
  return new Redis(url, { ...common, maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 5_000 });
}

/** Resolves once the connection is ready, or rejects after `timeoutMs`. */
export async function waitUntilReady(redis: Redis, timeoutMs = 5_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis did not become ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}

/** Quits politely, and disconnects if Redis does not answer in time, so shutdown never hangs. */
export async function closeRedis(redis: Redis, timeoutMs = 2_000): Promise<void> {
  if (redis.status === 'end') return;
  const timer = setTimeout(() => redis.disconnect(), timeoutMs);
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  } finally {
    clearTimeout(timer);
  }
}
