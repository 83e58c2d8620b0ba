import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../../src/config.js';
import {
  createCore,
  createPipeline,
  createWebApp,
  createWorkerRuntime,
  type Core,
  type Pipeline,
  type PipelineOverrides,
  type WorkerRuntime,
} from '../../src/deps.js';
import type { Logger } from '../../src/log.js';
import { waitUntilReady } from '../../src/redis.js';
import type { ReportRecord, ReportStatus } from '../../src/reports/record.js';
import { testConfig } from './config.js';
import { silentLogger } from './logger.js';
import { deleteKeys, uniquePrefix } from './redis.js';

export interface RunningService {
  url: string;
  config: Readonly<Config>;
  core: Core;
  pipeline: Pipeline | null;
  worker: WorkerRuntime | null;
  server: Server;
  /** Polls the record until it reaches one of `statuses` (or throws after timeoutMs with its last state). */
  waitForStatus(reportId: string, statuses: ReportStatus[], timeoutMs?: number): Promise<ReportRecord>;
  stop(): Promise<void>;
}

/**
 * The whole service in this process: web app on 127.0.0.1 (port 0) and, unless `worker: false`,
 * a worker consuming the queue. Its own Redis prefix, data directory and config; the public
 * URL is the port it actually got.
 */
export async function startService(
  options: { env?: Record<string, string>; worker?: boolean; logger?: Logger; pipeline?: PipelineOverrides; name?: string } = {},
): Promise<RunningService> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const prefix = uniquePrefix(options.name ?? 'svc');
  const config = testConfig({ PUBLIC_URL: `http://127.0.0.1:${port}`, REDIS_PREFIX: prefix, ...options.env });
  const logger = options.logger ?? silentLogger();
  const core = createCore(config, logger);
  await waitUntilReady(core.redis);
  const pipeline = options.worker === false ? null : createPipeline(core, options.pipeline);
  const worker = pipeline ? createWorkerRuntime(core, pipeline, { maintenanceIntervalMs: 500 }) : null;
  worker?.start();
  const app = createWebApp(core, worker ?? undefined);
  server.on('request', app);

  async function waitForStatus(reportId: string, statuses: ReportStatus[], timeoutMs = 60_000): Promise<ReportRecord> {
    const deadline = Date.now() + timeoutMs;
    let last: ReportRecord | null = null;
    while (Date.now() < deadline) {
      last = await core.store.get(reportId);
      if (last && statuses.includes(last.status)) return last;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(
      `report ${reportId} did not reach ${statuses.join('/')}; last: ${JSON.stringify(last && { status: last.status, error: last.error, history: last.history })}`,
    );
  }

  return {
    url: `http://127.0.0.1:${port}`,
    config,
    core,
    pipeline,
    worker,
    server,
    waitForStatus,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await worker?.close();
      await pipeline?.close();
      await deleteKeys(core.redis, prefix);
      await core.close();
      if (!options.env?.DATA_DIR) await rm(config.dataDir, { recursive: true, force: true });
    },
  };
}
