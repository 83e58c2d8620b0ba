import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { createCore, createPipeline, createWebApp, createWorkerRuntime } from '../../src/deps.js';
import type { Core } from '../../src/deps.js';
import { createLogger } from '../../src/log.js';
import { waitUntilReady } from '../../src/redis.js';
import type { ReportRecord, ReportStatus } from '../../src/reports/record.js';
import { deleteKeysWithPrefix } from '../lib/redis-prefix.js';

export interface BenchService {
  url: string;
  core: Core;
  /** Polls the record until it reaches one of `statuses`. */
  waitForStatus(reportId: string, statuses: readonly ReportStatus[], timeoutMs?: number): Promise<ReportRecord>;
  stop(): Promise<void>;
}

/**
 * The whole service in this process, wired by src/deps.ts as the entry points do: web app on
 * 127.0.0.1, one worker (WORKER_CONCURRENCY default), SMTP to the given server, logs at info
 * level to /dev/null (their cost counts, their text does not matter).
 */
export async function startBenchService(options: { smtpUrl: string; dataDir: string; redisUrl: string; prefix: string }): Promise<BenchService> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    REDIS_URL: options.redisUrl,
    REDIS_PREFIX: options.prefix,
    ADMIN_TOKEN: 'bench-admin-token-0123456789abcdef',
    LOSANT_API_URL: 'http://127.0.0.1:9',
    LOSANT_API_TOKEN: 'bench-losant-token',
    LOSANT_INSTANCE_ID: 'a1b2c3d4e5f6a1b2c3d4e5f6',
    SMTP_URL: options.smtpUrl,
    DATA_DIR: options.dataDir,
    DOWNLOAD_ALLOWED_HOSTS: '127.0.0.1',
    DOWNLOAD_ALLOWED_PORTS: '*',
    DOWNLOAD_ALLOW_PRIVATE_NETWORKS: 'true',
  });
  const logger = createLogger({ level: config.logLevel, destination: pino.destination({ dest: '/dev/null', sync: false }) });
  const core = createCore(config, logger);
  await waitUntilReady(core.redis);
  const pipeline = createPipeline(core);
  const worker = createWorkerRuntime(core, pipeline);
  worker.start();
  server.on('request', createWebApp(core, worker));

  return {
    url: `http://127.0.0.1:${port}`,
    core,
    async waitForStatus(reportId, statuses, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const record = await core.store.get(reportId);
        if (record !== null && statuses.includes(record.status)) return record;
        if (Date.now() > deadline)
          throw new Error(`report ${reportId} did not reach ${statuses.join('/')}: ${record?.status ?? 'no record'} ${JSON.stringify(record?.error ?? null)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await worker.close();
      await pipeline.close();
      await deleteKeysWithPrefix(core.redis, options.prefix);
      await core.close();
    },
  };
}
