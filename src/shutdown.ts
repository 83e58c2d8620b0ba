import type { Logger } from './log.js';

/**
 * Shutdown is a feature: on SIGTERM/SIGINT run `close` (the service's: stop intake first, then
 * finish work, then close connections) within a deadline; exit 0 when it finishes, 1 when the
 * deadline passes. A second signal exits at once.
 */
export function onShutdownSignals(options: {
  logger: Logger;
  timeoutMs: number;
  /** Told how much of the deadline is left, so it can give up on waiting in time. */
  close: (remainingMs: number) => Promise<void>;
  exit?: (code: number) => void;
}): void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let shuttingDown = false;

  const handler = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      options.logger.warn({ signal }, 'second signal: exiting now');
      exit(1);
      return;
    }
    shuttingDown = true;
    options.logger.info({ signal, timeoutMs: options.timeoutMs }, 'shutting down');
    const deadline = setTimeout(() => {
      options.logger.error('shutdown deadline passed; exiting');
      exit(1);
    }, options.timeoutMs);
    deadline.unref();

    void (async () => {
      try {
        await options.close(options.timeoutMs);
      } catch (error) {
        options.logger.warn({ err: error }, 'close failed');
      }
      clearTimeout(deadline);
      options.logger.info('shutdown complete');
      exit(0);
    })();
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
