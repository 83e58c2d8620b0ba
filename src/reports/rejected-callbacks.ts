import type { RedisClient } from '../redis-client.js';
import { z } from 'zod';
import { parseStoredJson } from '../errors.js';
import { redisKeys } from '../redis-keys.js';
import type { CallbackInfo } from './record.js';
import { callbackInfoSchema } from './record-schema.js';

/** Refused deliveries kept per report, at most (the newest). */
export const KEEP_REJECTED = 10;

export interface RejectedCallback {
  reason: string;
  info: CallbackInfo;
}

const rejectedCallbackSchema: z.ZodType<RejectedCallback> = z.object({
  reason: z.string(),
  info: callbackInfoSchema,
});

/**
 * Keeps one refused delivery: its entry at the head of the list and its body, whole, in the bodies
 * hash under its sha256. Entries past the newest `keep` go, and with them the bodies no kept entry
 * names, so a report holds at most `keep` bodies. The body is written first: a full Redis refuses
 * the step before anything is written.
 * KEYS: list, bodies
 * ARGV: entryJson, sha256, body, keep, ttlSeconds
 */
const KEEP_REJECTED_SCRIPT = `
local keep = tonumber(ARGV[4])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('LPUSH', KEYS[1], ARGV[1])
local dropped = redis.call('LRANGE', KEYS[1], keep, -1)
if #dropped > 0 then
  redis.call('LTRIM', KEYS[1], 0, keep - 1)
  local named = {}
  for _, entry in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
    local ok, decoded = pcall(cjson.decode, entry)
    if ok and decoded.info then named[decoded.info.sha256] = true end
  end
  for _, entry in ipairs(dropped) do
    local ok, decoded = pcall(cjson.decode, entry)
    if ok and decoded.info and not named[decoded.info.sha256] then redis.call('HDEL', KEYS[2], decoded.info.sha256) end
  end
end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[5]))
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[5]))
return 1
`;

/**
 * Callbacks that authenticated but were refused (they name another Losant job than the one the
 * report recorded). They are not processed, but they are not dropped either: the last few are
 * kept beside the report, each with its whole body as it arrived, for an operator to look at.
 */
export function createRejectedCallbacks(redis: RedisClient, options: { prefix: string; retentionSeconds: number }) {
  const keys = redisKeys(options.prefix).report;
  return {
    async keep(reportId: string, info: CallbackInfo, body: Buffer, reason: string): Promise<void> {
      const entry: RejectedCallback = { reason, info };
      await redis.eval(
        KEEP_REJECTED_SCRIPT,
        2,
        keys.rejectedCallbacks(reportId),
        keys.rejectedCallbackBodies(reportId),
        JSON.stringify(entry),
        info.sha256,
        body,
        String(KEEP_REJECTED),
        String(options.retentionSeconds),
      );
    },
    async list(reportId: string): Promise<RejectedCallback[]> {
      const key = keys.rejectedCallbacks(reportId);
      return (await redis.lrange(key, 0, -1)).map((entry) => parseStoredJson(key, rejectedCallbackSchema, entry));
    },
    /** The body of a refused delivery as it arrived, by its sha256; null when none is kept. */
    body(reportId: string, sha256: string): Promise<Buffer | null> {
      return redis.hgetBuffer(keys.rejectedCallbackBodies(reportId), sha256);
    },
  };
}
export type RejectedCallbacks = ReturnType<typeof createRejectedCallbacks>;
