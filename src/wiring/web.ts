import type { RedisClient } from '../redis-client.js';
import type { ConfigWith } from '../config.js';
import type { ArchiveTarget } from '../delivery/archive.js';
import { createApp } from '../http/app.js';
import type { WorkerHealth } from '../http/routes/health.js';
import type { ReportQueue } from '../jobs/queue.js';
import type { Logger } from '../log.js';
import type { ServiceMetrics } from '../metrics/metrics.js';
import type { MetricsRouteDeps } from '../http/routes/metrics.js';
import type { RedisDurability } from '../redis-policy.js';
import { createLosantClient, type LosantClient } from '../losant/client.js';
import type { EnqueueRun } from '../reports/enqueue-run.js';
import { createCallbackReceiver } from '../reports/receive-callback.js';
import { replicaWaitOn } from '../redis-replica-wait.js';
import { createProgressStore } from '../reports/progress.js';
import { createRejectedCallbacks } from '../reports/rejected-callbacks.js';
import { createReportRequester } from '../reports/request-report.js';
import { createReportReRequester } from '../reports/re-request-report.js';
import { createReportRetrier } from '../reports/retry-report.js';
import type { ReportStore } from '../reports/store.js';
import { createMissedRunCheck } from '../schedules/missed-run-check.js';
import { createMissedRunService } from '../schedules/missed-run-service.js';
import { createMissedRunStore } from '../schedules/missed-run-store.js';
import { createScheduleCallbackReceiver } from '../schedules/receive-schedule-callback.js';
import { createRunArrivals } from '../schedules/run-arrivals.js';
import { createScheduleService } from '../schedules/schedule-service.js';
import { createScheduleStore } from '../schedules/schedule-store.js';
import type { UsageReadModel } from '../usage/read-model.js';
import { createTrends } from '../trends/index.js';

export interface WebOverrides {
  losant?: LosantClient;
  /**
   * The clock schedules are judged by: when they were made, which run a callback belongs to, which
   * runs are due. Tests set it a few seconds before a fire time (with the simulator's) to meet one.
   */
  scheduleClock?: () => Date;
}

/** What the web side builds on: the parts every role shares. */
export interface SharedParts {
  config: ConfigWith<'web'>;
  logger: Logger;
  redis: RedisClient;
  store: ReportStore;
  /** What the dashboard's pages read beside the report records. */
  usage: UsageReadModel;
  queue: ReportQueue;
  /** The periodic check of Redis's eviction policy, whose last result /readyz reads. */
  durability?: Pick<RedisDurability, 'readiness'>;
  /** The report archive (callback bodies kept there instead of in Redis are read back from it). */
  archive: ArchiveTarget;
  /** What the web side counts in (requests, callbacks, Losant calls, missed runs, Redis errors). */
  metrics?: ServiceMetrics;
  /** GET /metrics on the app (METRICS_TOKEN set); not served without it. */
  metricsEndpoint?: MetricsRouteDeps;
}

/**
 * The web side: the Losant client, report requests, callbacks, schedules (and the check for their
 * missed runs) and the HTTP app that serves them. Loaded by src/service.ts only for the roles that
 * serve HTTP, so the worker process never loads Express, helmet, the admin routes, the Losant
 * client or the schedules.
 */
export function createWebSide(parts: SharedParts, workers: WorkerHealth | undefined, overrides: WebOverrides = {}) {
  const { logger, redis, store, usage, queue, durability, metrics } = parts;
  const shared = parts.config;
  const config = shared.web;
  const losant =
    overrides.losant ??
    createLosantClient({
      baseUrl: config.losant.apiUrl,
      token: config.losant.apiToken,
      instanceId: shared.instanceId,
      timeoutMs: config.losant.timeoutMs,
      maxRetries: config.losant.maxRetries,
      logger,
      ...(metrics ? { metrics } : {}),
    });
  const requestReport = createReportRequester({
    store,
    losant,
    publicUrl: config.http.publicUrl,
    defaultRecipients: config.defaultRecipients,
    overdueMs: config.callbackOverdueMs,
    logger,
  });
  const enqueue: EnqueueRun = (reportId, run, trace) => queue.enqueue(reportId, run, trace);
  const retryReport = createReportRetrier({ store, enqueue, logger });
  const reRequestReport = createReportReRequester({ store, requestReport, logger });
  const rejected = createRejectedCallbacks(redis, { prefix: shared.redis.prefix, retentionSeconds: shared.retention.reportSeconds });
  // On `redis`: the connection the store keeps callbacks on, which WAIT must go on.
  const replicas = replicaWaitOn(redis, shared.replicaWait, shared.redis.prefix);
  const callbacks = createCallbackReceiver({ store, enqueue, rejected, logger, ...(replicas ? { replicas } : {}) });
  const scheduleClock = overrides.scheduleClock ?? (() => new Date());
  const scheduleStore = createScheduleStore(redis, shared.redis.prefix);
  const schedules = createScheduleService({
    store: scheduleStore,
    losant,
    publicUrl: config.http.publicUrl,
    defaultRecipients: config.defaultRecipients,
    logger,
    now: scheduleClock,
  });
  const retention = { prefix: shared.redis.prefix, retentionSeconds: shared.retention.reportSeconds };
  const arrivals = createRunArrivals(redis, retention);
  const missedRunStore = createMissedRunStore(redis, { ...retention, now: scheduleClock });
  const scheduleCallbacks = createScheduleCallbackReceiver({
    schedules: scheduleStore,
    reports: store,
    enqueue,
    arrivals,
    missedRuns: missedRunStore,
    prefix: shared.redis.prefix,
    logger,
    now: scheduleClock,
    ...(replicas ? { replicas } : {}),
  });
  const missedRunCheck = createMissedRunCheck({
    redis,
    prefix: shared.redis.prefix,
    schedules: scheduleStore,
    arrivals,
    missedRuns: missedRunStore,
    overdueMs: config.callbackOverdueMs,
    logger,
    now: scheduleClock,
    ...(metrics ? { metrics } : {}),
  });
  const missedRuns = createMissedRunService({ schedules: scheduleStore, missedRuns: missedRunStore, requestReport, logger, now: scheduleClock });
  // The backfill reads Losant with the web side's own client (LOSANT_API_TOKEN), as report requests do.
  const trends = createTrends({ losant, organizations: usage.organizations, logger });

  const app = createApp({
    logger,
    redis,
    store,
    archive: parts.archive,
    rejected,
    callbacks,
    scheduleCallbacks,
    schedules,
    missedRuns,
    trends,
    requestReport,
    retryReport,
    reRequestReport,
    ...(workers ? { workers } : {}),
    ...(durability ? { redisPolicy: durability } : {}),
    ...(metrics ? { metrics } : {}),
    ...(parts.metricsEndpoint ? { metricsEndpoint: parts.metricsEndpoint } : {}),
    ui: {
      deps: {
        logger,
        redis,
        store,
        usage,
        schedules,
        trends,
        missedRuns,
        requestReport,
        retryReport,
        archive: parts.archive,
        progress: createProgressStore(redis, { prefix: shared.redis.prefix, retentionSeconds: shared.retention.reportSeconds }),
        settings: { publicUrl: config.http.publicUrl, redisPrefix: shared.redis.prefix, callbackOverdueMs: config.callbackOverdueMs },
      },
      security: {
        adminToken: config.admin.token,
        sessionIdleMs: config.ui.sessionIdleMs,
        sessionMaxMs: config.ui.sessionMaxMs,
        signInFailuresPerMinute: config.ui.signInFailuresPerMinute,
      },
      queueBoard: { queue: queue.queue, actions: config.ui.queueActions, publicUrl: config.http.publicUrl },
    },
    settings: {
      adminToken: config.admin.token,
      adminRateLimitPerMinute: config.admin.rateLimitPerMinute,
      adminAuthFailuresPerMinute: config.admin.authFailuresPerMinute,
      callbackMaxBytes: shared.callbackMaxBytes,
      redisPrefix: shared.redis.prefix,
      trustProxy: config.http.trustProxy,
      strictTransportSecurity: config.http.strictTransportSecurity,
    },
  });

  return {
    config,
    losant,
    requestReport,
    retryReport,
    callbacks,
    rejected,
    schedules,
    scheduleCallbacks,
    missedRuns,
    missedRunStore,
    missedRunCheck,
    trends,
    app,
  };
}
export type WebSide = ReturnType<typeof createWebSide>;
