import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { createLosantClient, type LosantClient } from '../losant/client.js';
import { createCallbackReceiver } from '../reports/receive-callback.js';
import { createRejectedCallbacks } from '../reports/rejected-callbacks.js';
import { createReportRequester } from '../reports/request-report.js';
import { createReportRetrier } from '../reports/retry-report.js';
import { createScheduleCallbackReceiver } from '../schedules/receive-schedule-callback.js';
import { createScheduleService } from '../schedules/schedule-service.js';
import { createScheduleStore } from '../schedules/schedule-store.js';
import { createStorage, type Storage, type StorageOverrides } from './storage.js';

export interface CoreOverrides extends StorageOverrides {
  losant?: LosantClient;
}

/** Storage plus what the web side serves: the Losant client, report requests, callbacks, schedules. */
export function addServices(storage: Storage, overrides: CoreOverrides = {}) {
  const { config, logger, redis, store, queue } = storage;
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
  const enqueue = (reportId: string, run: number) => queue.enqueue(reportId, run);
  const retryReport = createReportRetrier({ store, enqueue, logger });
  const rejected = createRejectedCallbacks(redis, { prefix: config.redis.prefix, retentionSeconds: config.jobs.reportRetentionSeconds });
  const callbacks = createCallbackReceiver({ store, enqueue, rejected, logger });
  const scheduleStore = createScheduleStore(redis, config.redis.prefix);
  const schedules = createScheduleService({
    store: scheduleStore,
    losant,
    publicUrl: config.http.publicUrl,
    defaultRecipients: config.mail.defaultRecipients,
    logger,
  });
  const scheduleCallbacks = createScheduleCallbackReceiver({ schedules: scheduleStore, reports: store, enqueue, prefix: config.redis.prefix, logger });

  return { ...storage, losant, requestReport, retryReport, callbacks, rejected, schedules, scheduleCallbacks };
}

/** Everything but the HTTP app and the pipeline: what the web process (and a single-machine process) builds on. */
export function createCore(config: Readonly<Config>, logger: Logger, overrides: CoreOverrides = {}) {
  return addServices(createStorage(config, logger, overrides), overrides);
}
export type Core = ReturnType<typeof createCore>;
