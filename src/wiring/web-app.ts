import { createApp } from '../http/app.js';
import type { WorkerHealth } from '../http/routes/health.js';
import type { Core } from './core.js';

export function createWebApp(core: Core, workers?: WorkerHealth) {
  const { config } = core;
  return createApp({
    logger: core.logger,
    redis: core.redis,
    store: core.store,
    rejected: core.rejected,
    callbacks: core.callbacks,
    scheduleCallbacks: core.scheduleCallbacks,
    schedules: core.schedules,
    requestReport: core.requestReport,
    retryReport: core.retryReport,
    ...(workers ? { workers } : {}),
    settings: {
      adminToken: config.admin.token,
      adminRateLimitPerMinute: config.admin.rateLimitPerMinute,
      callbackMaxBytes: config.callbacks.maxBytes,
      redisPrefix: config.redis.prefix,
      trustProxy: config.http.trustProxy,
    },
  });
}
