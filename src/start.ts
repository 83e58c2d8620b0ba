import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './log.js';
import { createService, type Role } from './service.js';
import { onShutdownSignals } from './shutdown.js';

export type { Role } from './service.js';

/**
 * Starts a process in one of its roles: `web` (HTTP), `worker` (BullMQ) or `all` (both, for a
 * single machine). Refuses to start on a bad configuration, listing every problem.
 */
export async function start(role: Role): Promise<void> {
  let config: Readonly<Config>;
  try {
    config = loadConfig(role);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel, name: `report-relay:${role}` });
  try {
    const service = await createService({ config, role, overrides: { logger } });
    // Handlers first: whoever waits for the "listening" and "consuming" lines start() logs may stop
    // the process right away.
    onShutdownSignals({ logger, timeoutMs: config.shutdownTimeoutMs, close: (remainingMs) => service.close(remainingMs) });
    // SIGHUP reads a renewed certificate and key (kill -HUP) without dropping a connection. Only
    // where there is one to read: elsewhere SIGHUP keeps its default, ending the process.
    if (config.web?.http.tls) process.on('SIGHUP', () => void service.reloadTls());
    await service.start();
  } catch (error) {
    logger.fatal({ err: error }, 'failed to start');
    process.exit(1);
  }
}
