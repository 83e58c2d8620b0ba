import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { createReportQueue } from '../jobs/queue.js';
import type { Logger } from '../log.js';
import { createRedis, closeRedis } from '../redis.js';
import { createReportStore } from '../reports/store.js';

export interface StorageOverrides {
  redis?: Redis;
}

/**
 * What every role needs: the Redis connection for commands, the report store and the job queue.
 * The worker process is built from this alone (plus the pipeline), so it never loads the web
 * side's modules; see core.ts for the rest.
 */
export function createStorage(config: Readonly<Config>, logger: Logger, overrides: StorageOverrides = {}) {
  const redis = overrides.redis ?? createRedis(config.redis.url, 'commands');
  const store = createReportStore(redis, {
    prefix: config.redis.prefix,
    retentionDays: config.jobs.reportRetentionDays,
    retentionSeconds: config.jobs.reportRetentionSeconds,
    ...(config.callbacks.bodyRetentionDays !== null ? { callbackBodyRetentionDays: config.callbacks.bodyRetentionDays } : {}),
  });
  const queue = createReportQueue(redis, {
    prefix: config.redis.prefix,
    attempts: config.jobs.attempts,
    backoffMs: config.jobs.backoffMs,
    completedKeep: config.jobs.completedKeep,
    failedKeep: config.jobs.failedKeep,
  });
  return {
    config,
    logger,
    redis,
    store,
    queue,
    async close(): Promise<void> {
      await queue.close();
      if (!overrides.redis) await closeRedis(redis);
    },
  };
}
export type Storage = ReturnType<typeof createStorage>;
