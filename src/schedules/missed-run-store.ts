import type { RedisClient } from '../redis-client.js';
import { z } from 'zod';
import { UnavailableError, parseStoredJson } from '../errors.js';
import { redisKeys } from '../redis-keys.js';
import { missedRunSchema, type MissedRun } from './missed-run.js';

/**
 * Records a missed run unless its callback has arrived meanwhile or it is recorded already, in
 * one step: a callback records its arrival before it looks for a missed record to mark late, so
 * either this sees the arrival or the callback sees this record. Then drops the oldest records
 * beyond the limit and those older than the retention. Fire times are ISO strings of one length,
 * so they sort as they compare.
 * KEYS: missed runs (hash), arrived runs (sorted set)
 * ARGV: fire time, record JSON, records kept, oldest fire time kept, ttl seconds
 * Returns 1 when recorded, 0 when arrived or already there.
 */
const ADD_MISSED_RUN = `
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then return 0 end
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[5]))
local fields = redis.call('HKEYS', KEYS[1])
table.sort(fields)
local excess = #fields - tonumber(ARGV[3])
local drop = {}
for i, field in ipairs(fields) do
  if i <= excess or field < ARGV[4] then drop[#drop + 1] = field end
end
if #drop > 0 then redis.call('HDEL', KEYS[1], unpack(drop)) end
return 1
`;

/**
 * Replaces a record only if it is still the one read (compare and set).
 * KEYS: missed runs (hash)  ARGV: fire time, expected JSON, new JSON, ttl seconds
 */
const REPLACE_MISSED_RUN = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return 1
`;

/** How far the check has looked at a schedule's runs: through this time, by this cron and time zone. */
export interface RunsChecked {
  through: string;
  cron: string;
  timezone: string;
}
const runsCheckedSchema: z.ZodType<RunsChecked> = z.object({ through: z.iso.datetime(), cron: z.string(), timezone: z.string() });

export interface MissedRunStoreOptions {
  prefix: string;
  /** How long records live after their last change (REPORT_RETENTION_DAYS, or REPORT_RETENTION_SECONDS in tests). */
  retentionSeconds: number;
  /** Records kept per schedule; the oldest go first. */
  keepPerSchedule?: number;
  now?: () => Date;
}

/** Records kept per schedule by default: a hundred runs are months of a daily schedule. */
export const MISSED_RUNS_KEPT = 100;

/** A record read back, checked with its schema; a mismatch names the key and the field. */
const parseRun = (key: string, fireTime: string, value: string): MissedRun => parseStoredJson(`${key} (field ${fireTime})`, missedRunSchema, value);

/** A change of a record read as `run`: the record to write instead, or null to leave it. */
export type MissedRunChange = (run: MissedRun) => MissedRun | null;

/**
 * Missed runs in Redis: one hash per schedule from fire time to record, bounded in count and
 * kept for the report retention, plus where the check got to for each schedule.
 */
export function createMissedRunStore(redis: RedisClient, options: MissedRunStoreOptions) {
  const keys = redisKeys(options.prefix).schedule;
  const now = options.now ?? (() => new Date());
  const keep = options.keepPerSchedule ?? MISSED_RUNS_KEPT;
  const ttl = String(options.retentionSeconds);

  async function get(scheduleId: string, fireTime: string): Promise<MissedRun | null> {
    const key = keys.missedRuns(scheduleId);
    const value = await redis.hget(key, fireTime);
    return value === null ? null : parseRun(key, fireTime, value);
  }

  return {
    get,

    /** Records a missed run; false when its callback arrived meanwhile or it was recorded already. */
    async add(run: MissedRun): Promise<boolean> {
      const oldest = new Date(now().getTime() - options.retentionSeconds * 1000).toISOString();
      const added = await redis.eval(
        ADD_MISSED_RUN,
        2,
        keys.missedRuns(run.scheduleId),
        keys.arrivedRuns(run.scheduleId),
        run.fireTime,
        JSON.stringify(run),
        String(keep),
        oldest,
        ttl,
      );
      return added === 1;
    },

    /** A schedule's missed runs, newest first. */
    async list(scheduleId: string): Promise<MissedRun[]> {
      const key = keys.missedRuns(scheduleId);
      const all = await redis.hgetall(key);
      // Same-length ISO times: comparing the text compares the times.
      const newestFirst = Object.entries(all).sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0));
      return newestFirst.map(([fireTime, value]) => parseRun(key, fireTime, value));
    },

    /**
     * Applies `change` to the record as it is now, compare-and-set: when another process changed it
     * between the read and the write, reads it again and asks `change` again. `run` is the record
     * as it ends up (null when there is none), `changed` whether this call wrote it.
     */
    async update(scheduleId: string, fireTime: string, change: MissedRunChange): Promise<{ run: MissedRun | null; changed: boolean }> {
      const key = keys.missedRuns(scheduleId);
      for (let attempt = 0; attempt < 10; attempt += 1) {
        const value = await redis.hget(key, fireTime);
        if (value === null) return { run: null, changed: false };
        const run = parseRun(key, fireTime, value);
        const next = change(run);
        if (next === null) return { run, changed: false };
        const written = await redis.eval(REPLACE_MISSED_RUN, 1, key, fireTime, value, JSON.stringify(next), ttl);
        if (written === 1) return { run: next, changed: true };
      }
      throw new UnavailableError(`The missed run ${fireTime} of schedule ${scheduleId} kept changing while it was being changed; try again`);
    },

    async runsChecked(scheduleId: string): Promise<RunsChecked | null> {
      const key = keys.runsChecked(scheduleId);
      const value = await redis.get(key);
      return value === null ? null : parseStoredJson(key, runsCheckedSchema, value);
    },

    async markChecked(scheduleId: string, checked: RunsChecked): Promise<void> {
      await redis.set(keys.runsChecked(scheduleId), JSON.stringify(checked), 'EX', options.retentionSeconds);
    },
  };
}
export type MissedRunStore = ReturnType<typeof createMissedRunStore>;
