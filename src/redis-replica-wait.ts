import { Cluster } from 'ioredis';
import type { RedisClient } from './redis-client.js';
import { redisKeys } from './redis-keys.js';

/** Waits until enough replicas hold every write sent so far on one connection (REDIS_WAIT_REPLICAS). */
export interface ReplicaWait {
  /** How many replicas must confirm. */
  readonly wanted: number;
  /** WAIT: resolves with how many replicas confirmed within the timeout (fewer than `wanted` when it passed). */
  acked(): Promise<number>;
}

export interface ReplicaWaitSettings {
  /** REDIS_WAIT_REPLICAS; 0: no wait. */
  replicas: number;
  /** REDIS_WAIT_TIMEOUT_MS; never 0, which would make WAIT block for ever. */
  timeoutMs: number;
}

/**
 * Redis replicates asynchronously: a master acknowledges a write before any replica has it, and
 * a failover that promotes a replica loses whatever had not reached it yet. `WAIT n timeout`
 * blocks until `n` replicas have acknowledged every write *this connection* sent before it (Redis
 * keeps the offset per client), or the timeout passes, and answers how many did. So it must go on
 * the connection that wrote, which is why this takes that connection rather than opening its own.
 * WAIT holds that connection while it waits: the commands queued behind it wait too.
 *
 * null when `replicas` is 0: nothing is waited for.
 */
export function replicaWaitOn(redis: RedisClient, settings: ReplicaWaitSettings, prefix: string): ReplicaWait | null {
  if (settings.replicas === 0) return null;
  const { replicas, timeoutMs } = settings;
  if (!(redis instanceof Cluster)) return { wanted: replicas, acked: () => redis.wait(replicas, timeoutMs) };
  // A cluster sends a command without keys to any node. A pipeline goes to the node of its keys'
  // slot, on the one connection the client keeps to that node: the one the deployment's writes
  // went on, since every key of a deployment is in one slot (src/redis-keys.ts).
  const anchor = redisKeys(prefix).slotAnchor;
  return {
    wanted: replicas,
    acked: async () => {
      const results = await redis.pipeline().exists(anchor).wait(replicas, timeoutMs).exec();
      const [error, acked] = results?.[1] ?? [new Error('the cluster answered no result for WAIT'), null];
      if (error) throw error;
      if (typeof acked !== 'number') throw new TypeError(`WAIT answered ${typeof acked}, not a number of replicas`);
      return acked;
    },
  };
}
