import type { Server } from 'node:http';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger, type Logger } from './log.js';
import { checkEvictionPolicy } from './redis-policy.js';
import { waitUntilReady } from './redis.js';
import { onShutdownSignals } from './shutdown.js';
import { createPipeline } from './wiring/pipeline.js';
import { createStorage } from './wiring/storage.js';
import { createWorkerRuntime, type WorkerRuntime } from './wiring/worker-runtime.js';

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
  const storage = createStorage(config, logger);
  await waitUntilReady(storage.redis, 10_000).catch(() => {
    throw new Error(`Redis at ${new URL(config.redis.url).host} did not answer within 10 s; is it running? (see README: Redis)`);
  });
  await checkEvictionPolicy(storage.redis, { require: config.redis.requireNoEviction, logger });

  let runtime: WorkerRuntime | null = null;
  const pipeline = role === 'web' ? null : createPipeline(storage);
  if (pipeline) {
    runtime = createWorkerRuntime(storage, pipeline);
    runtime.start();
  }

  let server: Server | null = null;
  if (role !== 'worker') {
    // Loaded here only: the worker process never uses Express, helmet, the admin routes, the Losant
    // client or the schedules, so it does not pay for their memory.
    const [{ addServices }, { createWebApp }] = await Promise.all([import('./wiring/core.js'), import('./wiring/web-app.js')]);
    const app = createWebApp(addServices(storage), runtime ?? undefined);
    server = app.listen(config.http.port, config.http.host);
    await new Promise<void>((resolve, reject) => {
      server!.once('listening', resolve);
      server!.once('error', reject);
    });
  }

  onShutdownSignals({
    logger,
    timeoutMs: config.shutdownTimeoutMs,
    closers: [
      ...(server ? [{ name: 'http', close: () => closeServer(server) }] : []),
      // Jobs still running near the deadline are returned to the queue, leaving time to close the rest.
      ...(runtime ? [{ name: 'worker', close: (remainingMs: number) => runtime.close(remainingMs - Math.min(3_000, remainingMs / 2)) }] : []),
      ...(pipeline ? [{ name: 'pipeline', close: () => pipeline.close() }] : []),
      { name: 'redis', close: () => storage.close() },
    ],
  });

  // Announced only once a signal would be handled: whoever waits for these lines may stop the
  // process right away (loading the web side just before can delay the handlers by a collection).
  if (pipeline) logger.info({ concurrency: config.jobs.concurrency, mail: pipeline.mailer.description }, 'worker consuming report jobs');
  if (server) {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.http.port;
    logger.info({ port, publicUrl: config.http.publicUrl }, 'web listening');
  }
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
