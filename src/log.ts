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
  dataDir: 'plain',
  'archive.url': 'plain',
  'archive.s3.endpoint': 'plain',
  'archive.s3.region': 'plain',
  // The key id alone signs nothing, but it names the account: kept out of logs with the secret.
  'archive.s3.accessKeyId': 'secret',
  'archive.s3.secretAccessKey': 'secret',
  instanceId: 'plain',
  'redis.url': 'secret',
  'redis.tlsCaFile': 'plain',
  'redis.prefix': 'plain',
  metricsToken: 'secret',
  'web.http.host': 'plain',
  'web.http.publicUrl': 'plain',
  // Where the certificate and key are, not what they hold: the key's content is never in the config.
  'web.http.tls.certFile': 'plain',
  'web.http.tls.keyFile': 'plain',
  'web.admin.token': 'secret',
  'web.losant.apiUrl': 'plain',
  'web.losant.apiToken': 'secret',
  'worker.health.host': 'plain',
  'worker.metrics.host': 'plain',
  'worker.mail.smtpUrl': 'secret',
  'worker.mail.from': 'plain',
  'worker.insights.losant.apiUrl': 'plain',
  'worker.insights.losant.apiToken': 'secret',
  // A receiver's URL may carry a token in its path or query.
  'worker.alerts.webhook.url': 'secret',
  'worker.alerts.webhook.secret': 'secret',
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

/** A secret's path and its endings of two segments or more: 'web.admin.token' and 'admin.token'. */
const pathEndings = (path: string): string[] => {
  const segments = path.split('.');
  return segments.slice(0, Math.max(1, segments.length - 1)).map((_, index) => segments.slice(index).join('.'));
};

/**
 * Paths that may hold secrets. Callback URLs carry a secret in their path, so every field that
 * could hold one is censored, not only obvious tokens. The config's secrets are censored wherever
 * the config (`{ config }`, or the config itself) or one of its sections (`{ redis: config.redis }`,
 * `{ admin: config.web.admin }`) is logged.
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
  ...CONFIG_SECRET_PATHS.flatMap(pathEndings).flatMap((path) => [path, `*.${path}`]),
];

/** Longest error message a log line keeps; the rest is cut and marked with "…". */
export const ERROR_MESSAGE_MAX_CHARS = 1_000;
/** Longest error name or code a log line keeps. */
const ERROR_NAME_MAX_CHARS = 100;
/** Longest text value at the top level of a log line (an error's message has its own bound). */
export const LOG_FIELD_MAX_CHARS = 2_000;
/**
 * No log line is longer than this (bytes of UTF-8, newline included): a longer one is replaced
 * by a line that says so, with its level, time and message.
 */
export const LOG_LINE_MAX_BYTES = 8_192;

/** What a log line keeps of an error. */
export interface LoggedError {
  name?: string;
  code?: string;
  message: string;
}

const cut = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max)}…` : text);

/**
 * The one serializer of the `err` key: an error's name, its string `code` and its message (cut
 * to ERROR_MESSAGE_MAX_CHARS), nothing else. pino's standard serializer copies every enumerable
 * field, and ioredis attaches the failed command with its arguments to its errors (`command.args`:
 * a callback's whole body, a signed download URL), so those never reach a line. A string is
 * taken as the message.
 */
export function serializeError(value: unknown): LoggedError {
  if (typeof value === 'string') return { message: cut(value, ERROR_MESSAGE_MAX_CHARS) };
  if (typeof value !== 'object' || value === null) return { message: cut(String(value), ERROR_MESSAGE_MAX_CHARS) };
  const { name, code, message } = value as { name?: unknown; code?: unknown; message?: unknown };
  return {
    ...(typeof name === 'string' && name !== '' ? { name: cut(name, ERROR_NAME_MAX_CHARS) } : {}),
    ...(typeof code === 'string' && code !== '' ? { code: cut(code, ERROR_NAME_MAX_CHARS) } : {}),
    message: cut(typeof message === 'string' ? message : Object.prototype.toString.call(value), ERROR_MESSAGE_MAX_CHARS),
  };
}

/** Cuts top-level text fields to LOG_FIELD_MAX_CHARS (nested values are the serializers' business). */
function boundFields(object: Record<string, unknown>): Record<string, unknown> {
  for (const key in object) {
    const value = object[key];
    if (typeof value === 'string' && value.length > LOG_FIELD_MAX_CHARS) return boundAll(object);
  }
  return object;
}

function boundAll(object: Record<string, unknown>): Record<string, unknown> {
  const bounded: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) bounded[key] = typeof value === 'string' ? cut(value, LOG_FIELD_MAX_CHARS) : value;
  return bounded;
}

/** The last resort of the line bound: a line still too long is replaced by one that says so. */
function boundLine(line: string): string {
  // Cheap test first: a line of at most a third of the bound in characters cannot exceed it in bytes.
  if (line.length <= LOG_LINE_MAX_BYTES / 3 || Buffer.byteLength(line) <= LOG_LINE_MAX_BYTES) return line;
  const level = /^\{"level":"(\w+)"/u.exec(line)?.[1] ?? 'info';
  const time = /"time":"([^"]{1,40})"/u.exec(line)?.[1] ?? new Date().toISOString();
  const name = /"name":"([^"\\]{1,100})"/u.exec(line)?.[1];
  const msg = /"msg":"((?:[^"\\]|\\.){0,200})"/u.exec(line)?.[1] ?? '';
  const replaced = {
    level,
    time,
    ...(name === undefined ? {} : { name }),
    msg: `log line dropped: ${Buffer.byteLength(line)} bytes, over the bound of ${LOG_LINE_MAX_BYTES}`,
    droppedMsg: msg,
  };
  return `${JSON.stringify(replaced)}\n`;
}

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
      serializers: { err: serializeError },
      formatters: { level: (label) => ({ level: label }), log: boundFields },
      hooks: { streamWrite: boundLine },
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
