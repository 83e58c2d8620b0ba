import { isIPv4, isIPv6 } from 'node:net';
import type { Request, RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import { AppError } from '../errors.js';
import { redisKeys } from '../redis-keys.js';

export class RateLimitedError extends AppError {
  constructor(retryAfterSeconds: number) {
    super('rate_limited', `Too many requests; try again in ${retryAfterSeconds} s`, { retryable: true, details: { retryAfterSeconds } });
  }
}

export interface AdminRateLimitOptions {
  prefix: string;
  /** Requests per client and minute that present the admin token. */
  perMinute: number;
  /** Failed authentications per client and minute (their own bucket). */
  authFailuresPerMinute: number;
  /** Decides whether a request is authenticated: null when it is, else the error to answer with. */
  authenticate: (req: Request) => Error | null;
  now?: () => number;
}

/**
 * The admin API's gate: authentication, then a fixed one-minute window per client, counted in
 * Redis so that every web process shares the budget. A request that presents the token counts
 * in the client's normal bucket only; one that does not counts in the client's failure bucket
 * only, with its own (lower) limit. So guessing tokens is limited, and a flood of wrong tokens,
 * from anywhere, never takes the budget of an operator who presents the right one.
 */
export function adminGate(redis: Redis, options: AdminRateLimitOptions): RequestHandler {
  const now = options.now ?? Date.now;
  const keys = redisKeys(options.prefix);
  return (req, res, next) => {
    const refusal = options.authenticate(req);
    const window = Math.floor(now() / 60_000);
    const client = clientKey(req.ip);
    const key = refusal ? keys.authFailures(client, window) : keys.rateLimit(client, window);
    const limit = refusal ? options.authFailuresPerMinute : options.perMinute;
    redis
      .multi()
      .incr(key)
      .expire(key, 61)
      .exec()
      .then((results) => {
        const count = Number(results?.[0]?.[1] ?? 0);
        res.setHeader('RateLimit-Limit', String(limit));
        res.setHeader('RateLimit-Remaining', String(Math.max(0, limit - count)));
        if (count > limit) {
          const retryAfter = 60 - Math.floor((now() % 60_000) / 1000);
          res.setHeader('Retry-After', String(retryAfter));
          next(new RateLimitedError(retryAfter));
          return;
        }
        next(refusal ?? undefined);
      }, next);
  };
}

/**
 * The bucket a client address counts in: an IPv4 address itself (also when it arrives
 * IPv4-mapped, ::ffff:a.b.c.d), an IPv6 address by its /64, since one subscriber usually
 * holds a whole /64 and could otherwise take a new budget per address.
 */
export function clientKey(ip: string | undefined): string {
  if (ip === undefined) return 'unknown';
  const address = ip.replace(/%.*$/u, '');
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return 'unknown';
  const groups = ipv6Groups(address);
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    const [high = 0, low = 0] = groups.slice(6);
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (checked by isIPv6 before). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/u.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const middle = tail === undefined ? [] : Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...middle, ...tailGroups].map((group) => Number.parseInt(group, 16));
}
