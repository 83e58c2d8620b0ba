import { rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../src/log.js';
import { closeRedis, connectOptionsFrom, createRedis } from '../../src/redis.js';
import type { ReportRecord, ReportStatus } from '../../src/reports/record.js';
import { createService, type Service, type ServiceOverrides } from '../../src/service.js';
import { watchAdminAnswers, type AnswerWatch } from './admin-contract.js';
import { testConfig } from './config.js';
import { silentLogger } from './logger.js';
import { deleteKeys, uniquePrefix } from './redis.js';

export type RunningService = Service & {
  url: string;
  /** Every admin answer, held to the API's contract; stop() fails if one broke it. */
  answers: AnswerWatch;
  /** Polls the record until it reaches one of `statuses` (or throws after timeoutMs with its last state). */
  waitForStatus(reportId: string, statuses: ReportStatus[], timeoutMs?: number): Promise<ReportRecord>;
  stop(): Promise<void>;
};

/**
 * The whole service in this process, built by createService as the entry points build it: web app
 * on 127.0.0.1 (port 0) and, unless `worker: false`, a worker consuming the queue. Its own Redis
 * prefix, data directory and config; the public URL is the port it actually got. `overrides`
 * replaces single parts (a mailer, a resolver, ...).
 */
export async function startService(
  options: { env?: Record<string, string>; worker?: boolean; logger?: Logger; overrides?: ServiceOverrides; name?: string } = {},
): Promise<RunningService> {
  const server = createServer();
  const answers = watchAdminAnswers(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  // A REDIS_PREFIX given (a hash tag for a cluster, or one that several services share as the hosts
  // of one deployment) is the test's own to clean up: stopping one host must not delete what the
  // next one takes over. A generated one is cleaned up on stop.
  const givenPrefix = options.env?.REDIS_PREFIX;
  const prefix = givenPrefix ?? uniquePrefix(options.name ?? 'svc');
  const config = testConfig({ PUBLIC_URL: `http://127.0.0.1:${port}`, REDIS_PREFIX: prefix, ...options.env });
  // The test's own connection: it outlives the service, to delete the test's keys after close.
  const redis = createRedis(config.redis.url, 'commands', connectOptionsFrom(config.redis));
  const service = await createService({
    config,
    role: options.worker === false ? 'web' : 'all',
    overrides: { logger: options.logger ?? silentLogger(), server, redis, ...options.overrides },
    maintenanceIntervalMs: 500,
  });
  await service.start();

  async function waitForStatus(reportId: string, statuses: ReportStatus[], timeoutMs = 60_000): Promise<ReportRecord> {
    const deadline = Date.now() + timeoutMs;
    let last: ReportRecord | null = null;
    while (Date.now() < deadline) {
      last = await service.store.get(reportId);
      if (last && statuses.includes(last.status)) return last;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(
      `report ${reportId} did not reach ${statuses.join('/')}; last: ${JSON.stringify(last && { status: last.status, error: last.error, history: last.history })}`,
    );
  }

  return Object.assign(service, {
    url: `http://127.0.0.1:${port}`,
    answers,
    waitForStatus,
    async stop() {
      // A test may leave a request hanging on purpose; it must not hold the close up.
      server.closeAllConnections();
      await service.close();
      if (givenPrefix === undefined) await deleteKeys(redis, prefix);
      await closeRedis(redis);
      if (!options.env?.DATA_DIR) await rm(config.dataDir, { recursive: true, force: true });
      if (answers.violations.length > 0) throw new Error(`admin answers broke the API's contract:\n${answers.violations.join('\n')}`);
    },
  });
}
