import { createReadStream } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LookupFunction } from 'node:net';
import type { Redis } from 'ioredis';
import type { Config } from './config.js';
import { neutralizeCsv } from './csv/neutralize.js';
import { summarizeReportCsv } from './csv/summarize-stream.js';
import { summarizeWithAttachment } from './csv/summarize-with-attachment.js';
import { createFileArchive } from './delivery/file-archive.js';
import { createMailer, type Mailer } from './delivery/mailer.js';
import { createDownloader, type Downloader } from './download/downloader.js';
import { createMaintenance } from './jobs/maintenance.js';
import type { PipelineDeps } from './jobs/pipeline.js';
import { createReportProcessor } from './jobs/process-report.js';
import { createReportQueue } from './jobs/queue.js';
import { createReportWorker } from './jobs/worker.js';
import { writeAtomically } from './jobs/work-files.js';
import type { Logger } from './log.js';
import { createLosantClient, type LosantClient } from './losant/client.js';
import { createRedis, closeRedis } from './redis.js';
import { createCallbackReceiver } from './reports/receive-callback.js';
import { createReportRequester } from './reports/request-report.js';
import { createReportRetrier } from './reports/retry-report.js';
import { createRejectedCallbacks } from './reports/rejected-callbacks.js';
import { createReportStore } from './reports/store.js';
import { createScheduleCallbackReceiver } from './schedules/receive-schedule-callback.js';
import { createScheduleService } from './schedules/schedule-service.js';
import { createScheduleStore } from './schedules/schedule-store.js';
import { compareSummaries } from './summary/compare.js';
import { createApp } from './http/app.js';
import type { WorkerHealth } from './http/routes/health.js';

/**
 * The one place that builds the service's parts from the configuration. Entry points call
 * these; tests call them too, with a test configuration and the odd part replaced.
 */

export interface CoreOverrides {
  redis?: Redis;
  losant?: LosantClient;
}

export function createCore(config: Readonly<Config>, logger: Logger, overrides: CoreOverrides = {}) {
  const redis = overrides.redis ?? createRedis(config.redis.url, 'commands');
  const store = createReportStore(redis, {
    prefix: config.redis.prefix,
    retentionDays: config.jobs.reportRetentionDays,
    retentionSeconds: config.jobs.reportRetentionSeconds,
  });
  const queue = createReportQueue(redis, {
    prefix: config.redis.prefix,
    attempts: config.jobs.attempts,
    backoffMs: config.jobs.backoffMs,
    completedKeep: config.jobs.completedKeep,
    failedKeep: config.jobs.failedKeep,
  });
  const losant =
    overrides.losant ??
    createLosantClient({
      baseUrl: config.losant.apiUrl,
      token: config.losant.apiToken,
      instanceId: config.losant.instanceId,
      timeoutMs: config.losant.timeoutMs,
      maxRetries: config.losant.maxRetries,
      logger,
    });
  const requestReport = createReportRequester({
    store,
    losant,
    publicUrl: config.http.publicUrl,
    defaultRecipients: config.mail.defaultRecipients,
    overdueMs: config.callbacks.overdueMs,
    logger,
  });
  const retryReport = createReportRetrier({ store, queue, logger });
  const rejected = createRejectedCallbacks(redis, { prefix: config.redis.prefix, retentionSeconds: config.jobs.reportRetentionSeconds });
  const callbacks = createCallbackReceiver({ store, queue, rejected, logger });
  const scheduleStore = createScheduleStore(redis, config.redis.prefix);
  const schedules = createScheduleService({
    store: scheduleStore,
    losant,
    publicUrl: config.http.publicUrl,
    defaultRecipients: config.mail.defaultRecipients,
    logger,
  });
  const scheduleCallbacks = createScheduleCallbackReceiver({ schedules: scheduleStore, reports: store, queue, prefix: config.redis.prefix, logger });

  return {
    config,
    logger,
    redis,
    store,
    queue,
    losant,
    requestReport,
    retryReport,
    callbacks,
    rejected,
    schedules,
    scheduleCallbacks,
    async close(): Promise<void> {
      await queue.close();
      if (!overrides.redis) await closeRedis(redis);
    },
  };
}
export type Core = ReturnType<typeof createCore>;

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

export interface PipelineOverrides {
  /** A stub resolver for downloads (tests). */
  lookup?: LookupFunction;
  /** Exact addresses downloads may reach although they are private (tests: a stub-resolved name on loopback). */
  allowedPrivateAddresses?: string[];
  downloader?: Downloader;
  mailer?: Mailer;
  now?: () => Date;
}

export function createPipeline(core: Core, overrides: PipelineOverrides = {}) {
  const { config, logger } = core;
  const dataDir = resolve(config.dataDir);
  const downloader =
    overrides.downloader ??
    createDownloader({
      allowedHosts: [...config.download.allowedHosts],
      allowedPorts: config.download.allowedPorts === '*' ? '*' : [...config.download.allowedPorts],
      allowPrivateNetworks: config.download.allowPrivateNetworks,
      maxBytes: config.download.maxBytes,
      connectTimeoutMs: config.download.connectTimeoutMs,
      idleTimeoutMs: config.download.idleTimeoutMs,
      totalTimeoutMs: config.download.totalTimeoutMs,
      logger,
      ...(overrides.lookup ? { lookup: overrides.lookup } : {}),
      ...(overrides.allowedPrivateAddresses ? { allowedPrivateAddresses: overrides.allowedPrivateAddresses } : {}),
    });
  const mailer =
    overrides.mailer ??
    createMailer({ smtpUrl: config.mail.smtpUrl, outboxDir: join(dataDir, 'outbox'), timeoutMs: config.mail.timeoutMs, logger });
  const csvLimits = { maxColumns: config.csv.maxColumns, maxFieldBytes: config.csv.maxFieldBytes };

  const deps: PipelineDeps = {
    store: core.store,
    download: (url, destination, signal) => downloader.download(url, destination, signal),
    summarize: (input, neutralizedCopyPath) =>
      neutralizedCopyPath === undefined ? summarizeReportCsv(input, csvLimits) : summarizeWithAttachment(input, csvLimits, neutralizedCopyPath),
    compare: compareSummaries,
    // Through a temporary file: a half-written attachment must never pass for a finished one.
    neutralize: (source, destination) => writeAtomically(destination, neutralizeCsv(createReadStream(source), csvLimits)),
    archive: createFileArchive(join(dataDir, 'archive')),
    mailer,
    workDir: join(dataDir, 'work'),
    mail: { from: config.mail.from, gzipAboveBytes: config.mail.gzipAboveBytes, maxAttachmentBytes: config.mail.maxAttachmentBytes },
    instanceId: config.losant.instanceId,
    logger,
    now: overrides.now ?? (() => new Date()),
  };
  return {
    deps,
    downloader,
    mailer,
    async close(): Promise<void> {
      mailer.close();
      await downloader.close();
    },
  };
}
export type Pipeline = ReturnType<typeof createPipeline>;

export function createWorkerRuntime(core: Core, pipeline: Pipeline, options: { maintenanceIntervalMs?: number } = {}) {
  const { config, logger } = core;
  const blocking = createRedis(config.redis.url, 'blocking');
  const worker = createReportWorker({
    connection: blocking,
    prefix: config.redis.prefix,
    concurrency: config.jobs.concurrency,
    lockMs: config.jobs.lockMs,
    processor: createReportProcessor(pipeline.deps),
    logger,
  });
  const maintenance = createMaintenance({ redis: core.redis, store: core.store, queue: core.queue, prefix: config.redis.prefix, logger });
  let stopMaintenance: (() => void) | null = null;

  return {
    worker,
    maintenance,
    start(): void {
      worker.start();
      stopMaintenance = maintenance.start(options.maintenanceIntervalMs ?? 60_000);
    },
    isConsuming: () => worker.isConsuming(),
    /** Finishes active jobs; those still running after `graceMs` are returned to the queue. */
    async close(graceMs?: number): Promise<void> {
      stopMaintenance?.();
      await worker.close(graceMs);
      await closeRedis(blocking);
    },
  };
}
export type WorkerRuntime = ReturnType<typeof createWorkerRuntime>;
