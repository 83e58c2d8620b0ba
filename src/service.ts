import { createServer, type Server } from 'node:http';
import { Server as TlsServer } from 'node:https';
import type { RedisClient } from './redis-client.js';
import { requireSide, type Config, type WebConfig, type WorkerConfig } from './config.js';
import type { ArchiveTarget } from './delivery/archive.js';
import { createArchive } from './delivery/create-archive.js';
import { createHealthServer } from './health/health-server.js';
import { createMaintenance, type Maintenance } from './jobs/maintenance.js';
import { createReportProcessor } from './jobs/process-report.js';
import { jobRetrySchedule } from './jobs/job-backoff.js';
import { createReportQueue } from './jobs/queue.js';
import { createReportWorker, type ReportWorker } from './jobs/worker.js';
import { createLogger, type Logger } from './log.js';
import { createMetricsServer } from './metrics/metrics-server.js';
import { createPrometheusMetrics, QUEUE_STATES } from './metrics/prometheus.js';
import { redisKeys } from './redis-keys.js';
import { createRedisDurability } from './redis-policy.js';
import { closeRedis, connectOptionsFrom, createRedis, waitUntilReady } from './redis.js';
import { describeRedisTarget, parseRedisUrl } from './redis-url.js';
import { createReportStore } from './reports/store.js';
import type { Role } from './role.js';
import { createUsageReadModel } from './usage/read-model.js';
import { createProgressStore } from './reports/progress.js';
import { createAlertOnce } from './alerts/alert-once.js';
import { createStepParts, type StepParts, type StepOverrides } from './wiring/steps.js';
import type { WebOverrides, WebSide } from './wiring/web.js';

export type { Role } from './role.js';

/** Parts a test, the bench or the demo puts in place of the ones the configuration would build. */
export interface ServiceOverrides extends StepOverrides, WebOverrides {
  /** Where reports are archived; by default what ARCHIVE_URL names (the folder DATA_DIR/archive unless set). */
  archive?: ArchiveTarget;
  /** Connection for commands; left open by close() (its owner quits it). */
  redis?: RedisClient;
  /** Connection the BullMQ worker blocks on; left open by close() (its owner quits it). */
  blockingRedis?: RedisClient;
  logger?: Logger;
  /** A server the app is attached to instead of listening on HTTP_HOST:PORT (closed by close(), as intake). */
  server?: Server;
}

export interface ServiceOptions {
  /** Loaded for this role, or for `all` (a configuration without the sides of `role` is refused). */
  config: Readonly<Config>;
  role: Role;
  overrides?: ServiceOverrides;
  /** How often the worker's maintenance runs (default 60 s). */
  maintenanceIntervalMs?: number;
  /** How often the web side looks for missed schedule runs (default: MISSED_RUN_CHECK_INTERVAL_MS). */
  missedRunCheckIntervalMs?: number;
  /** How often Redis's eviction policy and persistence are checked after the start (default: REDIS_CHECK_INTERVAL_MS). */
  redisCheckIntervalMs?: number;
  /** How long start() waits for Redis to answer (default 10 s). */
  redisReadyTimeoutMs?: number;
}

/** Time left to the shutdown deadline after the worker's grace: kept for the parts closed after it. */
const AFTER_WORKER_RESERVE_MS = 3_000;

/**
 * The composition root: builds every part of the service from the configuration, in one place,
 * for the entry points (src/start.ts), the tests, the bench and the demo. Nothing runs until
 * start(); close() stops intake first, then finishes work, then closes connections, so it is
 * also what a shutdown signal runs.
 *
 * The web side is imported only for the roles that serve HTTP: the worker process never loads
 * Express, helmet, the admin routes, the Losant client or the schedules. A worker answers
 * /healthz and /readyz on WORKER_HEALTH_PORT when it is set (plain node:http).
 */
export async function createService(options: ServiceOptions) {
  const { config, role } = options;
  const overrides = options.overrides ?? {};
  const logger = overrides.logger ?? createLogger({ level: config.logLevel, name: `report-relay:${role}` });
  const keys = redisKeys(config.redis.prefix);
  /** Connections this service made, and so quits on close; those passed in stay open. */
  const ownConnections: RedisClient[] = [];
  const own = (connection: RedisClient): RedisClient => {
    ownConnections.push(connection);
    return connection;
  };

  // One registry per service: several services in one process (the tests) keep their numbers apart.
  const prometheus = createPrometheusMetrics();
  const metrics = prometheus.metrics;
  const countRedisError = (): void => metrics.redisError('connection');
  /** Connections whose 'error' events are counted; the listener is removed on close (a connection passed in outlives the service). */
  const watched: RedisClient[] = [];
  const watch = (connection: RedisClient): RedisClient => {
    connection.on('error', countRedisError);
    watched.push(connection);
    return connection;
  };

  const connectOptions = connectOptionsFrom(config.redis);
  // Parsed once: for the connections this service makes and for what its errors say about where Redis is.
  const redisTarget = parseRedisUrl(config.redis.url);
  const redis = watch(overrides.redis ?? own(createRedis(redisTarget, 'commands', connectOptions)));
  const store = createReportStore(redis, {
    onStatusChange: (to) => metrics.statusChanged(to),
    prefix: config.redis.prefix,
    retentionDays: config.retention.reportDays,
    retentionSeconds: config.retention.reportSeconds,
    ...(config.retention.callbackBodyDays !== null ? { callbackBodyRetentionDays: config.retention.callbackBodyDays } : {}),
  });
  const usage = createUsageReadModel(redis, { prefix: config.redis.prefix, retentionSeconds: config.retention.reportSeconds, logger });
  const queue = createReportQueue(redis, {
    prefix: keys.queuePrefix,
    attempts: config.jobs.attempts,
    backoffMs: config.jobs.backoffMs,
    completedKeep: config.jobs.completedKeep,
    failedKeep: config.jobs.failedKeep,
  });
  prometheus.readAtScrape({
    reportsByStatus: () => store.countByStatus(),
    queueJobs: () => queue.queue.getJobCounts(...QUEUE_STATES),
  });

  // One archive for both sides: the worker writes reports to it, the web side reads callback bodies kept there.
  const archive = overrides.archive ?? (await createArchive(config));
  const durability = createRedisDurability({ redis, logger, requireNoEviction: config.redis.requireNoEviction });

  let workerConfig: WorkerConfig | null = null;
  let steps: StepParts | null = null;
  let worker: ReportWorker | null = null;
  let maintenance: Maintenance | null = null;
  if (role !== 'web') {
    const withWorker = requireSide(config, 'worker', role);
    workerConfig = withWorker.worker;
    const progress = createProgressStore(redis, { prefix: config.redis.prefix, retentionSeconds: config.retention.reportSeconds });
    steps = createStepParts(
      {
        config: withWorker,
        logger,
        store,
        redis,
        usage,
        archive,
        metrics,
        enqueue: (reportId, run, trace) => queue.enqueue(reportId, run, trace),
        progress: progress.write,
        alertOnce: createAlertOnce(redis, keys),
      },
      overrides,
    );
    worker = createReportWorker({
      connection: watch(overrides.blockingRedis ?? own(createRedis(redisTarget, 'blocking', connectOptions))),
      prefix: keys.queuePrefix,
      concurrency: workerConfig.concurrency,
      lockMs: workerConfig.lockMs,
      backoff: workerConfig.retries,
      processor: createReportProcessor(steps.deps),
      logger,
      metrics,
    });
    maintenance = createMaintenance({
      redis,
      store,
      resources: usage.resources,
      queue,
      prefix: config.redis.prefix,
      logger,
      workDir: steps.deps.workDir,
      workFilesRetentionMs: workerConfig.workFilesRetentionMs,
      archive,
      archiveRetentionMs: workerConfig.archiveRetentionDays === null ? null : workerConfig.archiveRetentionDays * 86_400_000,
    });
  }

  let web: WebSide | null = null;
  if (role !== 'worker') {
    const withWeb = requireSide(config, 'web', role);
    const { createWebSide } = await import('./wiring/web.js');
    const metricsEndpoint = config.metricsToken === null ? undefined : { token: config.metricsToken, exposition: () => prometheus.exposition() };
    web = createWebSide(
      { config: withWeb, logger, redis, store, usage, queue, durability, archive, metrics, ...(metricsEndpoint ? { metricsEndpoint } : {}) },
      worker ?? undefined,
      overrides,
    );
  }

  let server: Server | null = null;
  let healthServer: Server | null = null;
  let metricsServer: Server | null = null;
  let stopMaintenance: (() => void) | null = null;
  let stopDurabilityChecks: (() => void) | null = null;
  let stopMissedRunChecks: (() => Promise<void>) | null = null;
  let starting: Promise<void> | null = null;

  /**
   * Waits for Redis, checks its eviction policy and persistence (and keeps checking them), then
   * consumes jobs, looks for missed schedule runs (periodically) and serves HTTP.
   */
  async function start(): Promise<void> {
    if (worker && workerConfig?.health) {
      // First, so an orchestrator sees the process alive (and not ready) while it waits for Redis.
      healthServer = await listenOn(
        createHealthServer({ redis, workers: worker, redisPolicy: durability, logger }),
        workerConfig.health.port,
        workerConfig.health.host,
      );
      logger.info({ port: portOf(healthServer) }, 'worker health listening');
    }
    if (worker && workerConfig?.metrics) {
      metricsServer = await listenOn(
        createMetricsServer({ exposition: () => prometheus.exposition(), token: config.metricsToken, logger }),
        workerConfig.metrics.port,
        workerConfig.metrics.host,
      );
      logger.info({ port: portOf(metricsServer), host: workerConfig.metrics.host, token: config.metricsToken !== null }, 'worker metrics listening');
    }
    const readyTimeoutMs = options.redisReadyTimeoutMs ?? 10_000;
    await waitUntilReady(redis, readyTimeoutMs).catch(() => {
      throw new Error(`Redis at ${describeRedisTarget(redisTarget)} did not answer within ${readyTimeoutMs} ms; is it running? (see README: Redis)`);
    });
    await durability.check('start');
    stopDurabilityChecks = durability.start(options.redisCheckIntervalMs ?? config.redis.checkIntervalMs);
    if (worker && maintenance && steps && workerConfig) {
      worker.start();
      stopMaintenance = maintenance.start(options.maintenanceIntervalMs ?? 60_000);
      logger.info(
        {
          hosts: workerConfig.download.allowedHosts,
          ports: workerConfig.download.allowedPorts,
          privateNetworks: workerConfig.download.allowPrivateNetworks,
        },
        'downloads allowed',
      );
      const retryWindowMs = jobRetrySchedule(workerConfig.retries).reduce((total, delay) => total + delay, 0);
      logger.info(
        {
          concurrency: workerConfig.concurrency,
          mail: steps.mailer.description,
          attempts: workerConfig.retries.attempts,
          retryWindowMinutes: Math.round(retryWindowMs / 60_000),
        },
        'worker consuming report jobs',
      );
    }
    if (web) {
      stopMissedRunChecks = web.missedRunCheck.start(options.missedRunCheckIntervalMs ?? web.config.missedRunCheckIntervalMs);
      server = await listen(web.app, overrides.server, web.config, logger);
      logger.info({ port: portOf(server) ?? web.config.http.port, publicUrl: web.config.http.publicUrl }, 'web listening');
    }
  }

  /**
   * Closes in order: the missed-run checks, HTTP (intake), the worker (jobs still running when
   * `remainingMs` is nearly spent go back to the queue), the worker's health port (alive while the
   * worker finishes), the steps (downloader, mailer), the archive it made (its S3 sockets), the
   * queue, then the Redis connections this service made. A part that fails to close is logged and
   * the rest still close.
   */
  async function close(remainingMs = Number.POSITIVE_INFINITY): Promise<void> {
    const endsAt = Date.now() + remainingMs;
    await starting?.catch(() => undefined);
    stopDurabilityChecks?.();
    const listening = server;
    const stopChecks = stopMissedRunChecks;
    const health = healthServer;
    const metricsPort = metricsServer;
    const parts: Array<[string, (() => Promise<void>) | null]> = [
      // First, and waited for: a pass under way would otherwise write after the connections close.
      ['missed-run checks', stopChecks],
      ['http', listening ? () => closeServer(listening) : null],
      [
        'worker',
        worker
          ? () => {
              stopMaintenance?.();
              const left = endsAt - Date.now();
              return worker.close(left - Math.min(AFTER_WORKER_RESERVE_MS, left / 2));
            }
          : null,
      ],
      ['health', health ? () => closeServer(health) : null],
      ['metrics', metricsPort ? () => closeServer(metricsPort) : null],
      ['steps', steps ? () => steps.close() : null],
      // After the steps and the web side, the archive's last users; one passed in stays open (its owner closes it).
      ['archive', overrides.archive === undefined && archive.close ? () => Promise.resolve(archive.close?.()) : null],
      ['queue', () => queue.close()],
      [
        'redis',
        async () => {
          await Promise.all(ownConnections.map((connection) => closeRedis(connection)));
          for (const connection of watched) connection.off('error', countRedisError);
        },
      ],
    ];
    for (const [part, closePart] of parts) {
      if (!closePart) continue;
      try {
        await closePart();
        logger.info({ part }, 'closed');
      } catch (error) {
        logger.warn({ part, err: error }, 'close failed');
      }
    }
  }

  return {
    config,
    logger,
    redis,
    store,
    /** The usage read model: resource histories and instance totals across reports. */
    usage,
    queue,
    /** The web side's parts (null for the worker role). */
    web,
    steps,
    worker,
    maintenance,
    durability,
    /** The service's metrics: what its parts count in, its registry, and the exposition text /metrics serves. */
    metrics: prometheus,
    /** The server the app listens on, once started (null for the worker role). */
    get server(): Server | null {
      return server;
    },
    /** The worker's health port, once started (null unless WORKER_HEALTH_PORT is set and the role runs a worker). */
    get healthServer(): Server | null {
      return healthServer;
    },
    /** The worker's metrics port, once started (null unless WORKER_METRICS_PORT is set and the role runs a worker). */
    get metricsServer(): Server | null {
      return metricsServer;
    },
    start(): Promise<void> {
      starting ??= start();
      return starting;
    },
    /**
     * Reads TLS_CERT_FILE and TLS_KEY_FILE again and serves them to new connections (what SIGHUP
     * runs); open connections are not dropped. A pair that fails keeps the one served, and is
     * logged. Resolves false then, and when the service serves no HTTPS of its own.
     */
    async reloadTls(): Promise<boolean> {
      const tls = web?.config.http.tls;
      if (!tls || !(server instanceof TlsServer)) {
        logger.warn('TLS reload asked, but this process serves no HTTPS of its own (TLS_CERT_FILE and TLS_KEY_FILE are not set)');
        return false;
      }
      const { reloadTlsFiles } = await import('./http/tls.js');
      return reloadTlsFiles(server, tls, logger);
    },
    close,
  };
}
export type Service = Awaited<ReturnType<typeof createService>>;

/**
 * Serves the app on the server given (used as it is, plain or TLS), or on PORT and HOST: HTTPS
 * when TLS_CERT_FILE and TLS_KEY_FILE are set, plain HTTP otherwise. Both get the same timeouts.
 */
async function listen(app: WebSide['app'], given: Server | undefined, config: WebConfig, logger: Logger): Promise<Server> {
  if (given) {
    applyTimeouts(given, config);
    given.on('request', app);
    if (!given.listening) await new Promise<void>((resolve, reject) => given.once('listening', resolve).once('error', reject));
    return given;
  }
  // Imported here, as the rest of the web side: the worker process does not load src/http/.
  const server = config.http.tls ? await (await import('./http/tls.js')).createTlsServer(app, config.http.tls, logger) : createServer(app);
  applyTimeouts(server, config);
  await listenOn(server, config.http.port, config.http.host);
  return server;
}

async function listenOn(server: Server, port: number, host: string): Promise<Server> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

function portOf(server: Server): number | null {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : null;
}

/**
 * Keep-alive longer than a load balancer's idle timeout (usually 60 s): otherwise the service
 * may close an idle connection just as the balancer sends the next request on it, and that
 * request fails with a 502. Headers may take longer than that (Node requires headersTimeout
 * above keepAliveTimeout for the keep-alive to hold), and the whole request longer still.
 */
function applyTimeouts(server: Server, config: WebConfig): void {
  server.keepAliveTimeout = config.http.keepAliveTimeoutMs;
  server.headersTimeout = config.http.headersTimeoutMs;
  if (server.requestTimeout !== 0 && server.requestTimeout <= server.headersTimeout) server.requestTimeout = server.headersTimeout + 60_000;
}

/**
 * Stops accepting connections, lets in-flight requests finish, and drops keep-alive sockets as
 * soon as they are idle: also those whose request finishes after the close began, which a
 * client would otherwise hold open (and the process up) until its own keep-alive timeout.
 */
function closeServer(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    server.close((error) => {
      clearInterval(sweep);
      if (error) reject(error);
      else resolve();
    });
    server.closeIdleConnections();
  });
}
