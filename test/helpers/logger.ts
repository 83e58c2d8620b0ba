import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log.js';

/** A real pino logger whose lines are kept in memory, so tests can read what was logged. */
export function captureLogger(level = 'debug'): { logger: Logger; lines: string[]; text: () => string } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((line) => line !== ''),
      );
      callback();
    },
  });
  const logger = createLogger({ level, destination });
  return { logger, lines, text: () => lines.join('\n') };
}

/** A logger that writes nothing, for tests that do not read logs. */
export function silentLogger(): Logger {
  return createLogger({ level: 'silent' });
}
