import type { Redis } from 'ioredis';
import type { CallbackInfo } from './record.js';

const KEEP = 10;
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Callbacks that authenticated but were refused (they name another Losant job than the one the
 * report recorded). They are not processed, but they are not dropped either: the last few are
 * kept beside the report, for an operator to look at.
 */
export function createRejectedCallbacks(redis: Redis, options: { prefix: string; retentionSeconds: number }) {
  const key = (reportId: string) => `${options.prefix}:report:${reportId}:rejected-callbacks`;
  return {
    async keep(reportId: string, info: CallbackInfo, body: Buffer, reason: string): Promise<void> {
      const entry = JSON.stringify({
        reason,
        info,
        truncated: body.length > MAX_BODY_BYTES,
        bodyBase64: body.subarray(0, MAX_BODY_BYTES).toString('base64'),
      });
      await redis
        .multi()
        .lpush(key(reportId), entry)
        .ltrim(key(reportId), 0, KEEP - 1)
        .expire(key(reportId), options.retentionSeconds)
        .exec();
    },
    async list(reportId: string): Promise<Array<{ reason: string; info: CallbackInfo; truncated: boolean; bodyBase64: string }>> {
      return (await redis.lrange(key(reportId), 0, -1)).map(
        (entry) => JSON.parse(entry) as { reason: string; info: CallbackInfo; truncated: boolean; bodyBase64: string },
      );
    },
  };
}
export type RejectedCallbacks = ReturnType<typeof createRejectedCallbacks>;
