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

/** As long as a callback secret (43 URL-safe characters), or nearly: ids and route names are shorter. */
const SECRET_LIKE = /[\w-]{32,}/gu;

/**
 * Removes the secret from a callback path ("/callbacks/r/<id>/<secret>") before it is logged.
 * Routing ignores case, and a proxy or a typo can double a slash or encode one, so the secret
 * segment is found case-insensitively and any run long enough to be a secret is cut out too.
 */
export function redactCallbackPath(path: string): string {
  return path.replace(/(\/callbacks\/[^/]+\/[^/?#]+\/)[^/?#]+/iu, '$1[redacted]').replace(SECRET_LIKE, '[redacted]');
}
