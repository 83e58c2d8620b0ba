import type { RedisClient } from '../redis-client.js';
import { z } from 'zod';
import { parseStored } from '../errors.js';
import { redisKeys } from '../redis-keys.js';

export interface RunArrivalsOptions {
  prefix: string;
  /** How long the set lives after its last arrival (the report retention). */
  retentionSeconds: number;
  /** Arrivals kept per schedule: more than the missed-run check looks back at (100 fire times). */
  keepPerSchedule?: number;
}

const fireTimesSchema = z.array(z.iso.datetime());

/**
 * Which runs of each schedule have called back: a sorted set per schedule of fire times (ISO),
 * scored by their time, so the missed-run check asks about a window of runs in one command.
 * Bounded in count and kept for the report retention.
 */
export function createRunArrivals(redis: RedisClient, options: RunArrivalsOptions) {
  const keys = redisKeys(options.prefix).schedule;
  const keep = options.keepPerSchedule ?? 200;

  return {
    /** Notes that the run fired at `fireTime` called back; a repeat changes nothing. */
    async record(scheduleId: string, fireTime: string): Promise<void> {
      const key = keys.arrivedRuns(scheduleId);
      const replies = await redis
        .multi()
        .zadd(key, Date.parse(fireTime), fireTime)
        .zremrangebyrank(key, 0, -(keep + 1))
        .expire(key, options.retentionSeconds)
        .exec();
      // A command refused inside the MULTI is a reply, not a rejection.
      const refused = replies?.find(([error]) => error !== null)?.[0];
      if (refused) throw refused;
    },

    /** Those of `fireTimes` (ISO) whose runs called back. */
    async among(scheduleId: string, fireTimes: readonly string[]): Promise<Set<string>> {
      if (fireTimes.length === 0) return new Set();
      const key = keys.arrivedRuns(scheduleId);
      const scores = fireTimes.map((time) => Date.parse(time));
      const found = parseStored(key, fireTimesSchema, await redis.zrangebyscore(key, Math.min(...scores), Math.max(...scores)));
      const wanted = new Set(fireTimes);
      return new Set(found.filter((time) => wanted.has(time)));
    },
  };
}
export type RunArrivals = ReturnType<typeof createRunArrivals>;
