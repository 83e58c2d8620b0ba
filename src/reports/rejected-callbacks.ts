import type { Redis } from 'ioredis';
import { z } from 'zod';
import { parseStoredJson } from '../errors.js';
import { redisKeys } from '../redis-keys.js';
import type { CallbackInfo } from './record.js';
import { callbackInfoSchema } from './record-schema.js';

const KEEP = 10;
const MAX_BODY_BYTES = 1024 * 1024;

export interface RejectedCallback {
  reason: string;
  info: CallbackInfo;
  truncated: boolean;
  bodyBase64: string;
}

const rejectedCallbackSchema: z.ZodType<RejectedCallback> = z.object({
  reason: z.string(),
  info: callbackInfoSchema,
  truncated: z.boolean(),
  bodyBase64: z.string(),
});

/**
 * Callbacks that authenticated but were refused (they name another Losant job than the one the
 * report recorded). They are not processed, but they are not dropped either: the last few are
 * kept beside the report, for an operator to look at.
 */
export function createRejectedCallbacks(redis: Redis, options: { prefix: string; retentionSeconds: number }) {
  const key = redisKeys(options.prefix).report.rejectedCallbacks;
  return {
    async keep(reportId: string, info: CallbackInfo, body: Buffer, reason: string): Promise<void> {
      const entry: RejectedCallback = {
        reason,
        info,
        truncated: body.length > MAX_BODY_BYTES,
        bodyBase64: body.subarray(0, MAX_BODY_BYTES).toString('base64'),
      };
      await redis
        .multi()
        .lpush(key(reportId), JSON.stringify(entry))
        .ltrim(key(reportId), 0, KEEP - 1)
        .expire(key(reportId), options.retentionSeconds)
        .exec();
    },
    async list(reportId: string): Promise<RejectedCallback[]> {
      return (await redis.lrange(key(reportId), 0, -1)).map((entry) => parseStoredJson(key(reportId), rejectedCallbackSchema, entry));
    },
  };
}
export type RejectedCallbacks = ReturnType<typeof createRejectedCallbacks>;
