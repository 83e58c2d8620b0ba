import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Paths that may hold secrets. Callback URLs carry a secret in their path, so every field that
 * could hold one is censored, not only obvious tokens.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'token',
  'secret',
  'password',
  'callbackUrl',
  '*.callbackUrl',
  '*.token',
  '*.secret',
  '*.password',
  'config.adminToken',
  'config.losantApiToken',
  'config.smtpUrl',
];

export interface LogOptions {
  level?: string;
  name?: string;
  destination?: DestinationStream;
}

export function createLogger(options: LogOptions = {}): Logger {
  return pino(
    {
      name: options.name ?? 'report-relay',
      level: options.level ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}

/** Removes the secret segment of a callback path ("/callbacks/r/<id>/<secret>") before it is logged. */
export function redactCallbackPath(path: string): string {
  return path.replace(/(\/callbacks\/[^/]+\/[^/?#]+\/)[^/?#]+/u, '$1[redacted]');
}
