import type { RedisClient } from '../redis-client.js';
import { z } from 'zod';
import { parseStoredJson } from '../errors.js';
import { dateGroupBySchema, resourceGroupBySchema } from '../losant/request-schemas.js';
import { redisKeys } from '../redis-keys.js';
import { waitForLease, type Lease } from '../redis-lease.js';
import type { Schedule } from './schedule.js';

export interface StoredSchedule {
  schedule: Schedule;
  secretHash: string;
  previousSecretHash: string | null;
}

/** A schedule document as read back from Redis (see parseStored: a mismatch names the key). */
const storedScheduleSchema: z.ZodType<StoredSchedule> = z.object({
  schedule: z.object({
    id: z.string().min(1),
    name: z.string(),
    cron: z.string(),
    timezone: z.string(),
    resourceGroupBy: resourceGroupBySchema,
    dateGroupBy: dateGroupBySchema,
    periods: z.number().int().positive(),
    includeSandbox: z.boolean(),
    delivery: z.object({ email: z.boolean(), archive: z.boolean(), recipients: z.array(z.string()) }),
    losantConfigId: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    previousSecretValidUntil: z.string().nullable(),
  }),
  secretHash: z.string().min(1),
  previousSecretHash: z.string().nullable(),
});

/** Schedules in Redis: one JSON document each, plus a set of ids. Schedules do not expire. */
export function createScheduleStore(redis: RedisClient, prefix: string) {
  const keys = redisKeys(prefix).schedule;

  async function load(id: string): Promise<StoredSchedule | null> {
    const key = keys.document(id);
    const value = await redis.get(key);
    return value === null ? null : parseStoredJson(key, storedScheduleSchema, value);
  }

  return {
    load,
    async get(id: string): Promise<Schedule | null> {
      return (await load(id))?.schedule ?? null;
    },
    async save(stored: StoredSchedule): Promise<void> {
      await redis.multi().set(keys.document(stored.schedule.id), JSON.stringify(stored)).sadd(keys.ids, stored.schedule.id).exec();
    },
    /** Removes the schedule and what is kept about its runs (arrivals, missed runs, how far they were checked). */
    async remove(id: string): Promise<void> {
      await redis.multi().del(keys.document(id), keys.arrivedRuns(id), keys.missedRuns(id), keys.runsChecked(id)).srem(keys.ids, id).exec();
    },
    async list(): Promise<Schedule[]> {
      const all = await redis.smembers(keys.ids);
      const loaded = await Promise.all(all.map((id) => load(id)));
      return loaded
        .filter((entry): entry is StoredSchedule => entry !== null)
        .map((entry) => entry.schedule)
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    },
    /** Serializes changes to the instance's reportConfigs (a read-modify-write on Losant). */
    /**
     * Runs `work` holding the lock (a lease of `leaseMs`, renewed while the work runs, however long
     * Losant takes); waits up to `waitMs` for it. Null when it did not come free in time.
     */
    async withLock<T>(work: (lease: Lease) => Promise<T>, leaseMs = 30_000, waitMs = leaseMs): Promise<T | null> {
      const lease = await waitForLease(redis, keys.lock, leaseMs, waitMs);
      if (lease === null) return null;
      try {
        return await work(lease);
      } finally {
        await lease.release();
      }
    },
  };
}
export type ScheduleStore = ReturnType<typeof createScheduleStore>;
