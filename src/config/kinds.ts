import { accessSync, constants, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';
import { redisPrefixProblem } from '../redis-prefix.js';
import { parseRedisUrl, RedisUrlError } from '../redis-url.js';

/**
 * How a setting's text is read. A kind parses a value that is set (an empty value counts as unset
 * and never reaches it) and says in words which values it allows: the README and example.env print
 * that text, so what is documented is what is enforced.
 */
export interface Kind<T> {
  readonly parse: z.ZodType<T, string>;
  /** The allowed values in words, e.g. "100 to 3600000" or "true or false". */
  readonly allowed: string;
  /** A whole number's bounds (the docs test tries both ends and one past each). */
  readonly range?: { readonly min: number; readonly max: number };
}

/** A kind of its own: a parser and the words that describe what it allows. */
export function kind<T>(parse: z.ZodType<T, string>, allowed: string): Kind<T> {
  return { parse, allowed };
}

export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER): Kind<number> {
  const unbounded = max === Number.MAX_SAFE_INTEGER;
  const allowed = unbounded ? `${min} or more` : `${min} to ${max}`;
  const bounds = unbounded ? `of at least ${min}` : `from ${min} to ${max}`;
  const parse = z.string().transform((value, ctx) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `must be a whole number ${bounds}, got "${value}"` });
      return z.NEVER;
    }
    return n;
  });
  return { parse, allowed, range: { min, max } };
}

const TRUE_WORDS = ['true', '1', 'yes'];

export const flag: Kind<boolean> = kind(
  z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((value) => TRUE_WORDS.includes(value)),
  'true or false (also 1/0, yes/no)',
);

export function oneOf<const T extends readonly [string, ...string[]]>(values: T): Kind<T[number]> {
  return kind(z.enum(values), values.join(' | '));
}

/** Any text (the parser may still refine it). */
export function text(allowed: string, parse: z.ZodType<string, string> = z.string()): Kind<string> {
  return kind(parse, allowed);
}

/** Comma-separated items, blanks dropped. */
export const commaList = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== ''),
);

export const emailList: Kind<string[]> = kind(
  commaList.pipe(z.array(z.email({ message: 'every address must be a valid email address' })).max(50)),
  'comma-separated email addresses, at most 50',
);

/** An absolute URL whose scheme is one of `schemes` (without the colon). */
export function urlWithScheme(schemes: readonly string[]): Kind<string> {
  const names = schemes.map((scheme) => `${scheme}://`);
  const parse = z
    .url({ message: 'must be an absolute URL' })
    .refine((value) => schemes.includes(new URL(value).protocol.slice(0, -1)), `must start with ${names.join(' or ')}`);
  return kind(parse, `a ${names.join(' or ')} URL`);
}

export function secretToken(minLength: number): Kind<string> {
  return kind(
    z.string().min(minLength, `must be at least ${minLength} characters (generate one with: openssl rand -hex 32)`),
    `at least ${minLength} characters`,
  );
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * Losant accepts callback URLs of at most 1024 characters. Ours are the base plus
 * "/callbacks/r/<26-character id>/<43-character secret>" (83 characters); 900 leaves room.
 */
const MAX_PUBLIC_URL_LENGTH = 900;

export const publicUrl: Kind<string> = kind(
  z.url({ message: 'must be an absolute URL' }).transform((value, ctx) => {
    const url = new URL(value);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
      ctx.addIssue({
        code: 'custom',
        message: 'must use https:// (callback URLs carry a secret); plain http:// is accepted only for localhost, 127.0.0.1 or [::1]',
      });
      return z.NEVER;
    }
    if (url.search !== '' || url.hash !== '') {
      ctx.addIssue({ code: 'custom', message: 'must not have a query string or fragment' });
      return z.NEVER;
    }
    const base = url.toString().replace(/\/+$/u, '');
    if (base.length > MAX_PUBLIC_URL_LENGTH) {
      ctx.addIssue({
        code: 'custom',
        message: `must be at most ${MAX_PUBLIC_URL_LENGTH} characters: Losant refuses callback URLs over 1024, and a callback URL is this base plus about 90 characters`,
      });
      return z.NEVER;
    }
    return base;
  }),
  `an https:// URL (http:// only for localhost, 127.0.0.1 or [::1]), no query or fragment, at most ${MAX_PUBLIC_URL_LENGTH} characters (Losant caps callback URLs at 1024)`,
);

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isProxyAddress(entry: string): boolean {
  const [address = '', bits, ...rest] = entry.split('/');
  if (rest.length > 0) return false;
  const version = isIP(address);
  if (version === 0) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/u.test(bits)) return false;
  return Number(bits) <= (version === 4 ? 32 : 128);
}

/**
 * Whom X-Forwarded-For is believed from, as Express's "trust proxy" takes it: a number of hops
 * or a list of proxy addresses/CIDRs (or Express's names loopback, linklocal, uniquelocal).
 * `true` (believe anyone) is refused: every client could then choose its own address.
 */
export const trustProxy: Kind<number | string | false> = kind(
  z.string().transform((value, ctx): number | string | false => {
    const given = value.trim();
    if (given === '' || given === 'false' || given === '0') return false;
    if (given === 'true') {
      ctx.addIssue({
        code: 'custom',
        message:
          "true is refused: it believes X-Forwarded-For from anyone, so every client could pick its own address (and rate limit). Set the number of proxy hops in front of the service (e.g. 1), or the proxies' addresses or CIDRs (e.g. 10.0.0.0/8, 192.0.2.1, loopback)",
      });
      return z.NEVER;
    }
    if (/^\d+$/u.test(given)) return Number(given);
    const entries = given.split(',').map((entry) => entry.trim());
    if (entries.every((entry) => PROXY_NAMES.has(entry) || isProxyAddress(entry))) return entries.join(', ');
    ctx.addIssue({
      code: 'custom',
      message: 'must be false, a number of proxy hops (e.g. 1), or a comma-separated list of proxy addresses or CIDRs (e.g. 10.0.0.0/8, 192.0.2.1, loopback)',
    });
    return z.NEVER;
  }),
  'false, a number of proxy hops, or comma-separated proxy addresses or CIDRs (or loopback, linklocal, uniquelocal); true is refused',
);

export const portList: Kind<number[] | '*'> = kind(
  commaList.transform((ports, ctx): number[] | '*' => {
    if (ports.includes('*')) return '*';
    const numbers = ports.map(Number);
    if (numbers.some((port) => !Number.isInteger(port) || port < 1 || port > 65535)) {
      ctx.addIssue({ code: 'custom', message: 'must be * or a comma-separated list of ports' });
      return z.NEVER;
    }
    return numbers;
  }),
  '* (any), or comma-separated ports 1 to 65535',
);

/**
 * A file the process can read now: checked when the configuration is loaded, so a wrong path or
 * mode refuses the start with the other problems instead of failing once the process runs.
 */
export const readableFile: Kind<string> = kind(
  z.string().transform((path, ctx) => {
    const reason = whyUnreadable(path);
    if (reason === null) return path;
    ctx.addIssue({ code: 'custom', message: `cannot read ${path} (${reason})` });
    return z.NEVER;
  }),
  'a path to a file this process can read',
);

function whyUnreadable(path: string): string | null {
  try {
    if (!statSync(path).isFile()) return 'not a regular file';
    accessSync(path, constants.R_OK);
    return null;
  } catch (error) {
    return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : String(error);
  }
}

/** ARCHIVE_URL: file: (DATA_DIR/archive), file:/path, or s3://bucket[/prefix]; parsed again by src/delivery/archive-url.ts. */
export const archiveUrl: Kind<string> = kind(
  z.string().refine((value) => /^file:(\/.*)?$/u.test(value) || /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[\w./-]*)?$/u.test(value), {
    message: 'must be file:, file:/some/path or s3://bucket/prefix (a bucket name of lowercase letters, digits, "." and "-")',
  }),
  'file:, file:/path or s3://bucket/prefix',
);

/** REDIS_URL: one server or a Sentinel set (src/redis-url.ts); the error says what is wrong, never the password. */
export const redisUrl: Kind<string> = kind(
  z.string().transform((value, ctx) => {
    try {
      parseRedisUrl(value);
      return value;
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: error instanceof RedisUrlError ? error.message : 'is not a Redis URL' });
      return z.NEVER;
    }
  }),
  'a redis://, rediss://, redis+sentinel://, rediss+sentinel://, redis+cluster:// or rediss+cluster:// URL',
);

/** REDIS_PREFIX: a name, optionally with one hash tag (src/redis-prefix.ts). */
export const redisPrefix: Kind<string> = kind(
  z.string().superRefine((value, ctx) => {
    const problem = redisPrefixProblem(value);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  }),
  'letters, digits, _ or -, at most 32, with at most one hash tag in braces (e.g. {report-relay})',
);
