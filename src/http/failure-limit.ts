import type { RedisClient } from '../redis-client.js';
import { RateLimitedError } from './rate-limit-error.js';

export interface FailureLimitOptions {
  /** Failures per client and minute; the next request of that client in that minute is refused unseen. */
  perMinute: number;
  /** The Redis key of one client's failures in one minute (src/redis-keys.ts). */
  keyOf: (client: string, minute: number) => string;
  now?: () => number;
}

/**
 * A fixed one-minute window of failed authentications per client, counted in Redis so every web
 * process shares it. Callers ask `refusal` BEFORE they look at the credentials: a client over the
 * limit is refused without its token being compared, so it cannot go on guessing and recognize
 * the right token by a different answer.
 */
export function createFailureLimit(redis: RedisClient, options: FailureLimitOptions) {
  const now = options.now ?? Date.now;
  const window = () => Math.floor(now() / 60_000);
  const limited = () => new RateLimitedError(60 - Math.floor((now() % 60_000) / 1000));

  return {
    perMinute: options.perMinute,

    /** The error to refuse the client with when it has used up its failures this minute, else null. */
    async refusal(client: string): Promise<RateLimitedError | null> {
      const count = Number((await redis.get(options.keyOf(client, window()))) ?? 0);
      return count >= options.perMinute ? limited() : null;
    },

    /** Counts one failure; the error to refuse with when this one went past the limit (several at once), else null. */
    async record(client: string): Promise<{ refusal: RateLimitedError | null; remaining: number }> {
      const key = options.keyOf(client, window());
      const results = await redis.multi().incr(key).expire(key, 61).exec();
      const count = Number(results?.[0]?.[1] ?? 0);
      return { refusal: count > options.perMinute ? limited() : null, remaining: Math.max(0, options.perMinute - count) };
    },
  };
}
export type FailureLimit = ReturnType<typeof createFailureLimit>;
