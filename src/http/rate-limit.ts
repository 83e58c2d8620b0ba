import { isIPv4, isIPv6 } from 'node:net';
import type { Request, RequestHandler, Response } from 'express';
import type { RedisClient } from '../redis-client.js';
import { redisKeys } from '../redis-keys.js';
import { createFailureLimit } from './failure-limit.js';
import { RateLimitedError } from './rate-limit-error.js';

export { RateLimitedError } from './rate-limit-error.js';

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
 * The admin API's gate: the failure limit, authentication, then the rate limit, each a fixed
 * one-minute window per client counted in Redis so that every web process shares the budget.
 *
 * A client that has used up its failed authentications this minute is refused (429) before its
 * credentials are looked at: otherwise it could go on guessing and know the right token by the
 * answer that is not a 429. A request that presents the token counts in the client's normal bucket
 * only; one that does not counts in the client's failure bucket only, with its own (lower) limit.
 * So guessing is limited, and wrong tokens from elsewhere never take the budget of an operator.
 */
export function adminGate(redis: RedisClient, options: AdminRateLimitOptions): RequestHandler {
  const now = options.now ?? Date.now;
  const keys = redisKeys(options.prefix);
  const failures = createFailureLimit(redis, { perMinute: options.authFailuresPerMinute, keyOf: keys.authFailures, now });
  const refuse = (res: Response, limit: number, error: RateLimitedError) => {
    res.setHeader('RateLimit-Limit', String(limit));
    res.setHeader('RateLimit-Remaining', '0');
    res.setHeader('Retry-After', String(error.retryAfterSeconds));
    return error;
  };

  async function gate(req: Request, res: Response): Promise<Error | null> {
    const client = clientKey(req.ip);
    const overLimit = await failures.refusal(client);
    if (overLimit) return refuse(res, options.authFailuresPerMinute, overLimit);
    const refusal = options.authenticate(req);
    if (refusal) {
      const counted = await failures.record(client);
      if (counted.refusal) return refuse(res, options.authFailuresPerMinute, counted.refusal);
      res.setHeader('RateLimit-Limit', String(options.authFailuresPerMinute));
      res.setHeader('RateLimit-Remaining', String(counted.remaining));
      return refusal;
    }
    const key = keys.rateLimit(client, Math.floor(now() / 60_000));
    const results = await redis.multi().incr(key).expire(key, 61).exec();
    const count = Number(results?.[0]?.[1] ?? 0);
    if (count > options.perMinute) return refuse(res, options.perMinute, new RateLimitedError(60 - Math.floor((now() % 60_000) / 1000)));
    res.setHeader('RateLimit-Limit', String(options.perMinute));
    res.setHeader('RateLimit-Remaining', String(Math.max(0, options.perMinute - count)));
    return null;
  }

  return (req, res, next) => {
    gate(req, res).then((error) => next(error ?? undefined), next);
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
