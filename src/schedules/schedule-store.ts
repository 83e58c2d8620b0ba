import type { Redis } from 'ioredis';
import type { Schedule } from './schedule.js';

interface StoredSchedule {
  schedule: Schedule;
  secretHash: string;
  previousSecretHash: string | null;
}

/** Schedules in Redis: one JSON document each, plus a set of ids. Schedules do not expire. */
export function createScheduleStore(redis: Redis, prefix: string) {
  const key = (id: string) => `${prefix}:schedule:${id}`;
  const ids = `${prefix}:schedules`;

  async function load(id: string): Promise<StoredSchedule | null> {
    const value = await redis.get(key(id));
    return value === null ? null : (JSON.parse(value) as StoredSchedule);
  }

  return {
    load,
    async get(id: string): Promise<Schedule | null> {
      return (await load(id))?.schedule ?? null;
    },
    async save(stored: StoredSchedule): Promise<void> {
      await redis.multi().set(key(stored.schedule.id), JSON.stringify(stored)).sadd(ids, stored.schedule.id).exec();
    },
    async remove(id: string): Promise<void> {
      await redis.multi().del(key(id)).srem(ids, id).exec();
    },
    async list(): Promise<Schedule[]> {
      const all = await redis.smembers(ids);
      const loaded = await Promise.all(all.map((id) => load(id)));
      return loaded
        .filter((entry): entry is StoredSchedule => entry !== null)
        .map((entry) => entry.schedule)
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    },
    /** Serializes changes to the instance's reportConfigs (a read-modify-write on Losant). */
    async withLock<T>(work: () => Promise<T>, timeoutMs = 30_000): Promise<T | null> {
      const lock = `${prefix}:schedules-lock`;
      const token = `${process.pid}-${Math.random()}`;
      const deadline = Date.now() + timeoutMs;
      while ((await redis.set(lock, token, 'PX', timeoutMs, 'NX')) !== 'OK') {
        if (Date.now() > deadline) return null;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      try {
        return await work();
      } finally {
        if ((await redis.get(lock)) === token) await redis.del(lock);
      }
    },
  };
}
export type ScheduleStore = ReturnType<typeof createScheduleStore>;
export type { StoredSchedule };
