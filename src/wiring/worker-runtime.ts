import { createMaintenance } from '../jobs/maintenance.js';
import { createReportProcessor } from '../jobs/process-report.js';
import { createReportWorker } from '../jobs/worker.js';
import { createRedis, closeRedis } from '../redis.js';
import type { Pipeline } from './pipeline.js';
import type { Storage } from './storage.js';

/** The BullMQ worker running report jobs through the pipeline, and the periodic maintenance. */
export function createWorkerRuntime(storage: Storage, pipeline: Pipeline, options: { maintenanceIntervalMs?: number } = {}) {
  const { config, logger } = storage;
  const blocking = createRedis(config.redis.url, 'blocking');
  const worker = createReportWorker({
    connection: blocking,
    prefix: config.redis.prefix,
    concurrency: config.jobs.concurrency,
    lockMs: config.jobs.lockMs,
    processor: createReportProcessor(pipeline.deps),
    logger,
  });
  const maintenance = createMaintenance({ redis: storage.redis, store: storage.store, queue: storage.queue, prefix: config.redis.prefix, logger });
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
