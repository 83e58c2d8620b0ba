import type { Server } from 'node:http';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createCore, createPipeline, createWebApp, createWorkerRuntime, type WorkerRuntime } from './deps.js';
import { createLogger, type Logger } from './log.js';
import { checkEvictionPolicy } from './redis-policy.js';
import { waitUntilReady } from './redis.js';
import { onShutdownSignals } from './shutdown.js';

export type Role = 'web' | 'worker' | 'all';

/**
 * Starts a process in one of its roles: `web` (HTTP), `worker` (BullMQ) or `all` (both, for a
 * single machine). Refuses to start on a bad configuration, listing every problem.
 */
export async function start(role: Role): Promise<void> {
  let config: Readonly<Config>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel, name: `report-relay:${role}` });
  try {
    await run(role, config, logger);
  } catch (error) {
    logger.fatal({ err: (error as Error).message }, 'failed to start');
    process.exit(1);
  }
}

async function run(role: Role, config: Readonly<Config>, logger: Logger): Promise<void> {
  const core = createCore(config, logger);
  await waitUntilReady(core.redis, 10_000).catch(() => {
    throw new Error(`Redis at ${new URL(config.redis.url).host} did not answer within 10 s; is it running? (see README: Redis)`);
  });
  await checkEvictionPolicy(core.redis, { require: config.redis.requireNoEviction, logger });

  let runtime: WorkerRuntime | null = null;
  const pipeline = role === 'web' ? null : createPipeline(core);
  if (pipeline) {
    runtime = createWorkerRuntime(core, pipeline);
    runtime.start();
    logger.info({ concurrency: config.jobs.concurrency, mail: pipeline.mailer.description }, 'worker consuming report jobs');
  }

  let server: Server | null = null;
  if (role !== 'worker') {
    const app = createWebApp(core, runtime ?? undefined);
    server = app.listen(config.http.port, config.http.host);
    await new Promise<void>((resolve, reject) => {
      server!.once('listening', resolve);
      server!.once('error', reject);
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.http.port;
    logger.info({ port, publicUrl: config.http.publicUrl }, 'web listening');
  }

  onShutdownSignals({
    logger,
    timeoutMs: config.shutdownTimeoutMs,
    closers: [
      ...(server ? [{ name: 'http', close: () => closeServer(server) }] : []),
      // Jobs still running near the deadline are returned to the queue, leaving time to close the rest.
      ...(runtime ? [{ name: 'worker', close: (remainingMs: number) => runtime.close(remainingMs - Math.min(3_000, remainingMs / 2)) }] : []),
      ...(pipeline ? [{ name: 'pipeline', close: () => pipeline.close() }] : []),
      { name: 'redis', close: () => core.close() },
    ],
  });
}

/**
 * Stops accepting connections, lets in-flight requests finish, and drops keep-alive sockets as
 * soon as they are idle: also those whose request finishes after the close began, which a
 * client would otherwise hold open (and the process up) until its own keep-alive timeout.
 */
function closeServer(server: Server): Promise<void> {
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
