import type { RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import { AppError } from '../errors.js';
import { redisKeys } from '../redis-keys.js';

export class RateLimitedError extends AppError {
  constructor(retryAfterSeconds: number) {
    super('rate_limited', `Too many requests; try again in ${retryAfterSeconds} s`, { retryable: true, details: { retryAfterSeconds } });
  }
}

/**
 * A fixed one-minute window per client address, counted in Redis so that every web process
 * shares the budget. Counting happens before authentication, so guessing tokens is limited too.
 */
export function rateLimit(redis: Redis, options: { prefix: string; perMinute: number; now?: () => number }): RequestHandler {
  const now = options.now ?? Date.now;
  const keys = redisKeys(options.prefix);
  return (req, res, next) => {
    const window = Math.floor(now() / 60_000);
    const key = keys.rateLimit(req.ip ?? 'unknown', window);
    redis
      .multi()
      .incr(key)
      .expire(key, 61)
      .exec()
      .then((results) => {
        const count = Number(results?.[0]?.[1] ?? 0);
        res.setHeader('RateLimit-Limit', String(options.perMinute));
        res.setHeader('RateLimit-Remaining', String(Math.max(0, options.perMinute - count)));
        if (count > options.perMinute) {
          const retryAfter = 60 - Math.floor((now() % 60_000) / 1000);
          res.setHeader('Retry-After', String(retryAfter));
          next(new RateLimitedError(retryAfter));
          return;
        }
        next();
      }, next);
  };
}
