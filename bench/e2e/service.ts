import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { closeRedis, createRedis } from '../../src/redis.js';
import type { ReportRecord, ReportStatus } from '../../src/reports/record.js';
import { createService, type Service } from '../../src/service.js';
import { deleteKeysWithPrefix } from '../lib/redis-prefix.js';

export interface BenchService {
  url: string;
  store: Service['store'];
  /** Polls the record until it reaches one of `statuses`. */
  waitForStatus(reportId: string, statuses: readonly ReportStatus[], timeoutMs?: number): Promise<ReportRecord>;
  stop(): Promise<void>;
}

/**
 * The whole service in this process, built by createService as the entry points build it: web app on
 * 127.0.0.1, one worker (WORKER_CONCURRENCY default), SMTP to the given server, logs at info
 * level to /dev/null (their cost counts, their text does not matter).
 */
export async function startBenchService(options: { smtpUrl: string; dataDir: string; redisUrl: string; prefix: string }): Promise<BenchService> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const config = loadConfig('all', {
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
    // The SMTP sink is plain TCP on loopback.
    SMTP_REQUIRE_TLS: 'false',
    DATA_DIR: options.dataDir,
    DOWNLOAD_ALLOWED_HOSTS: '127.0.0.1',
    DOWNLOAD_ALLOWED_PORTS: '*',
    DOWNLOAD_ALLOW_PRIVATE_NETWORKS: 'true',
  });
  const logger = createLogger({ level: config.logLevel, destination: pino.destination({ dest: '/dev/null', sync: false }) });
  // The bench's own connection: it outlives the service, to delete the bench's keys after close.
  const redis = createRedis(config.redis.url, 'commands');
  const service = await createService({ config, role: 'all', overrides: { logger, server, redis } });
  await service.start();

  return {
    url: `http://127.0.0.1:${port}`,
    store: service.store,
    async waitForStatus(reportId, statuses, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const record = await service.store.get(reportId);
        if (record !== null && statuses.includes(record.status)) return record;
        if (Date.now() > deadline)
          throw new Error(`report ${reportId} did not reach ${statuses.join('/')}: ${record?.status ?? 'no record'} ${JSON.stringify(record?.error ?? null)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await service.close();
      await deleteKeysWithPrefix(redis, options.prefix);
      await closeRedis(redis);
    },
  };
}
