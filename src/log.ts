import { pino, type Logger, type DestinationStream } from 'pino';
import type { Config } from './config.js';

export type { Logger };

/**
 * Every text setting of Config, by its dotted path, marked secret or not. The key type is derived
 * from Config, so adding a text setting fails to compile until it is classified here: a new
 * secret cannot be forgotten by the log redaction. The Redis URL may carry a password.
 */
const CONFIG_TEXT_SETTINGS = {
  logLevel: 'plain',
  'http.host': 'plain',
  'http.publicUrl': 'plain',
  'redis.url': 'secret',
  'redis.prefix': 'plain',
  'admin.token': 'secret',
  'losant.apiUrl': 'plain',
  'losant.apiToken': 'secret',
  'losant.instanceId': 'plain',
  'mail.smtpUrl': 'secret',
  'mail.from': 'plain',
  dataDir: 'plain',
} as const satisfies Record<TextSettingPath<Config>, 'secret' | 'plain'>;

/** Dotted paths of the settings whose value is text (string, or string | undefined). */
type TextSettingPath<T, Prefix extends string = ''> = {
  [K in keyof T & string]: NonNullable<T[K]> extends string
    ? `${Prefix}${K}`
    : NonNullable<T[K]> extends readonly unknown[]
      ? never
      : NonNullable<T[K]> extends object
        ? TextSettingPath<NonNullable<T[K]>, `${Prefix}${K}.`>
        : never;
}[keyof T & string];

/** The secret settings' paths, e.g. 'redis.url'. */
// as: Object.keys gives string[]; the object is a literal, so its keys are exactly these.
export const CONFIG_SECRET_PATHS = (Object.keys(CONFIG_TEXT_SETTINGS) as Array<keyof typeof CONFIG_TEXT_SETTINGS>).filter(
  (path) => CONFIG_TEXT_SETTINGS[path] === 'secret',
);

/**
 * Paths that may hold secrets. Callback URLs carry a secret in their path, so every field that
 * could hold one is censored, not only obvious tokens. The config's secrets are censored wherever
 * the config (`{ config }`, or the config itself) or one of its sections (`{ redis: config.redis }`)
 * is logged.
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
  ...CONFIG_SECRET_PATHS.flatMap((path) => [path, `*.${path}`]),
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
