import express, { type Express, type Router } from 'express';
import helmet from 'helmet';
import type { Redis } from 'ioredis';
import type { ArchiveTarget } from '../delivery/archive.js';
import type { Logger } from '../log.js';
import { NO_METRICS, type ServiceMetrics } from '../metrics/metrics.js';
import type { CallbackReceiver } from '../reports/receive-callback.js';
import type { RejectedCallbacks } from '../reports/rejected-callbacks.js';
import type { RequestReport } from '../reports/request-report.js';
import type { ReRequestReport } from '../reports/re-request-report.js';
import type { RetryReport } from '../reports/retry-report.js';
import type { ReportStore } from '../reports/store.js';
import type { MissedRunService } from '../schedules/missed-run-service.js';
import type { ScheduleService } from '../schedules/schedule-service.js';
import type { UiDeps, UiSecurity } from '../ui/deps.js';
import type { QueueBoardOptions } from '../ui/queue-board.js';
import { createUiRouter } from '../ui/router.js';
import { adminAuth } from './admin-auth.js';
import { createErrorHandler } from './error-handler.js';
import { adminGate } from './rate-limit.js';
import { requestContext } from './request-context.js';
import { packageVersion } from '../package-version.js';
import { adminApiDocumentRoutes } from './routes/admin-api-document.js';
import { adminReportRoutes } from './routes/admin-reports.js';
import { adminScheduleRoutes } from './routes/admin-schedules.js';
import { callbackRoutes, type ScheduleCallbackReceiver } from './routes/callbacks.js';
import { healthRoutes, type RedisPolicyHealth, type WorkerHealth } from './routes/health.js';
import { metricsRoutes, type MetricsRouteDeps } from './routes/metrics.js';
import { requestMetrics } from './request-metrics.js';

export interface AppDeps {
  logger: Logger;
  redis: Redis;
  store: ReportStore;
  /** The report archive, read for callback bodies kept there instead of in Redis. */
  archive: Pick<ArchiveTarget, 'openRead'>;
  rejected: RejectedCallbacks;
  callbacks: CallbackReceiver;
  scheduleCallbacks?: ScheduleCallbackReceiver;
  requestReport: RequestReport;
  retryReport: RetryReport;
  reRequestReport: ReRequestReport;
  schedules?: ScheduleService;
  missedRuns?: MissedRunService;
  workers?: WorkerHealth;
  redisPolicy?: RedisPolicyHealth;
  /** What requests, callbacks and Redis errors are counted in; nothing is counted without it. */
  metrics?: ServiceMetrics;
  /** GET /metrics, served only when given (METRICS_TOKEN is set). */
  metricsEndpoint?: MetricsRouteDeps;
  /** The dashboard at /ui, when served: what its pages use, and what guards it. */
  ui?: { deps: UiDeps; security: UiSecurity; queueBoard?: QueueBoardOptions };
  settings: {
    adminToken: string;
    adminRateLimitPerMinute: number;
    adminAuthFailuresPerMinute: number;
    callbackMaxBytes: number;
    redisPrefix: string;
    trustProxy: number | string | false;
    /** Send Strict-Transport-Security (the service is reached over HTTPS). */
    strictTransportSecurity: boolean;
  };
}

/** The admin API's routers, behind the gate and the JSON parser (every route they hold is in ADMIN_ROUTES; a test enumerates them). */
export function adminRouters(deps: AppDeps): Router[] {
  return [
    adminReportRoutes({
      store: deps.store,
      archive: deps.archive,
      rejected: deps.rejected,
      requestReport: deps.requestReport,
      retryReport: deps.retryReport,
      reRequestReport: deps.reRequestReport,
    }),
    ...(deps.schedules ? [adminScheduleRoutes(deps.schedules, deps.missedRuns)] : []),
    adminApiDocumentRoutes(packageVersion()),
  ];
}

/**
 * HSTS for every answer when the service is reached over HTTPS: 180 days, subdomains included
 * (helmet's own default is a year). It is set here only; the dashboard's stricter headers leave it.
 */
const STRICT_TRANSPORT_SECURITY = { maxAge: 15_552_000, includeSubDomains: true };

/** Builds the HTTP app; it does not listen. Callers (entry points, tests) decide where. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  const metrics = deps.metrics ?? NO_METRICS;
  app.disable('x-powered-by');
  // First, so every answer is timed, those of helmet and the error handler included.
  app.use(requestMetrics(metrics));
  // X-Forwarded-* are honoured only from the proxies the operator names (TRUST_PROXY: a hop count
  // or addresses), never from anyone (true is refused by the configuration).
  app.set('trust proxy', deps.settings.trustProxy);
  app.use(helmet({ strictTransportSecurity: deps.settings.strictTransportSecurity ? STRICT_TRANSPORT_SECURITY : false }));
  app.use(requestContext(deps.logger));

  // Callbacks first: they are the traffic that comes in bursts.
  app.use(
    callbackRoutes({
      reports: deps.callbacks,
      maxBytes: deps.settings.callbackMaxBytes,
      metrics,
      ...(deps.scheduleCallbacks ? { schedules: deps.scheduleCallbacks } : {}),
    }),
  );
  app.use(
    healthRoutes({
      redis: deps.redis,
      ...(deps.workers ? { workers: deps.workers } : {}),
      ...(deps.redisPolicy ? { redisPolicy: deps.redisPolicy } : {}),
    }),
  );

  if (deps.metricsEndpoint) app.use(metricsRoutes(deps.metricsEndpoint));
  // The dashboard has its own, stricter headers, its sessions and its error pages.
  if (deps.ui) app.use('/ui', createUiRouter(deps.ui.deps, deps.ui.security, deps.ui.queueBoard ? { queueBoard: deps.ui.queueBoard } : {}));

  const admin = express.Router();
  admin.use(
    adminGate(deps.redis, {
      prefix: deps.settings.redisPrefix,
      perMinute: deps.settings.adminRateLimitPerMinute,
      authFailuresPerMinute: deps.settings.adminAuthFailuresPerMinute,
      authenticate: adminAuth(deps.settings.adminToken),
    }),
  );
  admin.use(express.json({ limit: '100kb', strict: true }));
  for (const router of adminRouters(deps)) admin.use(router);
  app.use('/', (req, res, next) => (req.path.startsWith('/admin') ? admin(req, res, next) : next()));

  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: 'Not found' } });
  });
  app.use(createErrorHandler(deps.logger, () => metrics.redisError('command')));
  return app;
}
