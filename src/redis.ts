import { readFileSync } from 'node:fs';
import { Cluster, Redis } from 'ioredis';
import type { RedisClient } from './redis-client.js';
import { parseRedisUrl, type RedisTarget } from './redis-url.js';

/**
 * Redis connections come in two kinds:
 * - `commands`: used inside HTTP handlers. It fails fast while Redis is away (no offline queue,
 *   one retry), so a caller gets a 503 at once instead of a request that hangs.
 * - `blocking`: used by BullMQ workers, which need maxRetriesPerRequest: null and wait out an
 *   outage, resuming by themselves when Redis comes back.
 * Both reconnect forever with a capped backoff.
 */
export type RedisRole = 'commands' | 'blocking';

export interface RedisConnectOptions {
  /** The connection's name as CLIENT LIST shows it: `<name>:<role>`. */
  name?: string;
  /** PEM CA certificate(s) to verify a rediss:// server (or sentinels, or cluster nodes) against, instead of the system's (REDIS_TLS_CA_FILE). */
  tlsCa?: string;
}

/** The connection options the settings give: REDIS_TLS_CA_FILE's private CA, read now. */
export function connectOptionsFrom(settings: { tlsCaFile: string | null }): RedisConnectOptions {
  return settings.tlsCaFile === null ? {} : { tlsCa: readFileSync(settings.tlsCaFile, 'utf8') };
}

/**
 * Connects to what REDIS_URL names (src/redis-url.ts): one server, the master a set of sentinels
 * points to, or a cluster. Through Sentinel, ioredis asks the sentinels for the master on every
 * (re)connection and follows a failover by itself: commands fail while there is no master, and
 * the connection comes back on the new one. A cluster client learns the nodes from the seed nodes
 * and follows the slots as they move (MOVED, ASK, a failover).
 */
export function createRedis(url: string | RedisTarget, role: RedisRole, options: RedisConnectOptions = {}): RedisClient {
  const target = typeof url === 'string' ? parseRedisUrl(url) : url;
  const common = {
    connectionName: `${options.name ?? 'report-relay'}:${role}`,
    connectTimeout: 5_000,
    retryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times, 5), 2_000),
    lazyConnect: false,
    ...(role === 'blocking'
      ? { maxRetriesPerRequest: null, enableOfflineQueue: true }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 5_000 }),
  };
  const tls = target.tls ? (options.tlsCa === undefined ? {} : { ca: options.tlsCa }) : undefined;
  if (target.kind === 'server') return new Redis(target.url, { ...common, ...(tls === undefined ? {} : { tls }) });
  if (target.kind === 'cluster') {
    // The cluster retries, connects and queues; each node's connection takes the rest.
    const { retryStrategy, lazyConnect, enableOfflineQueue, ...perNode } = common;
    return new Cluster(target.nodes, {
      // Ready once CLUSTER INFO says the cluster is ok, not merely once a seed node answers.
      enableReadyCheck: true,
      enableOfflineQueue,
      clusterRetryStrategy: retryStrategy,
      lazyConnect,
      // With TLS, nodes are reached by the names they announce, which their certificates carry (not a resolved address).
      ...(tls === undefined ? {} : { dnsLookup: (address: string, callback: (error: null, address: string) => void) => callback(null, address) }),
      redisOptions: {
        ...perNode,
        ...(target.username === undefined ? {} : { username: target.username }),
        ...(target.password === undefined ? {} : { password: target.password }),
        ...(tls === undefined ? {} : { tls }),
      },
    });
  }
  return new Redis({
    ...common,
    sentinels: target.sentinels,
    name: target.masterName,
    db: target.db,
    ...(target.username === undefined ? {} : { username: target.username }),
    ...(target.password === undefined ? {} : { password: target.password }),
    ...(target.sentinelUsername === undefined ? {} : { sentinelUsername: target.sentinelUsername }),
    ...(target.sentinelPassword === undefined ? {} : { sentinelPassword: target.sentinelPassword }),
    ...(tls === undefined ? {} : { tls, sentinelTLS: tls, enableTLSForSentinelMode: true }),
    // A master turned replica by a failover closes its clients, and the reconnection asks the
    // sentinels again; one that answers READONLY first makes the connection start over and resend.
    // (ioredis's failoverDetector is not used: its sentinel connections outlive quit().)
    reconnectOnError: (error: Error) => (error.message.startsWith('READONLY') ? 2 : false),
  });
}

/** Resolves once the connection is ready, or rejects after `timeoutMs`. */
export async function waitUntilReady(redis: RedisClient, timeoutMs = 5_000): Promise<void> {
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
export async function closeRedis(redis: RedisClient, timeoutMs = 2_000): Promise<void> {
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
