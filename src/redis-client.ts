import { Cluster, type Redis } from 'ioredis';

/**
 * A connection to what REDIS_URL names: one server (also the master a Sentinel set points to) or
 * a Redis Cluster. Both take the same commands; a cluster routes each by its keys' hash slot.
 */
export type RedisClient = Redis | Cluster;

/**
 * The connections to every master behind a client: the client itself for one server, each
 * master's for a cluster. What reads a server's own state (INFO, CONFIG) or walks keys (SCAN)
 * asks each of them: a cluster answers those from one node only, the one a command happens to go to.
 */
export function mastersOf(client: RedisClient): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client];
}
