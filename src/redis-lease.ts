import { randomUUID } from 'node:crypto';
import type { RedisClient } from './redis-client.js';

// Renews the lease only while this owner still holds it.
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
// Deletes the lock only if this owner still holds it: after a lost lease another owner may.
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export interface Lease {
  /** True once a renewal found the lock gone or held by another owner: the work should stop. */
  readonly lost: boolean;
  release(): Promise<void>;
}

/**
 * A lock held as long as the work: taken with an owner token for `ttlMs`, renewed every third
 * of it while held (so a crashed holder frees it within `ttlMs`), and released by
 * compare-and-delete. Returns null when another owner holds it.
 */
export async function tryLease(redis: RedisClient, key: string, ttlMs: number): Promise<Lease | null> {
  const token = randomUUID();
  if ((await redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') return null;
  let lost = false;
  const renew = setInterval(
    () => {
      redis.eval(RENEW, 1, key, token, String(ttlMs)).then(
        (renewed) => {
          if (renewed !== 1) {
            lost = true;
            clearInterval(renew);
          }
        },
        // Redis away: the next renewal tries again; the lease lapses if it stays away past ttlMs.
        () => undefined,
      );
    },
    Math.max(10, Math.floor(ttlMs / 3)),
  );
  renew.unref();
  return {
    get lost() {
      return lost;
    },
    async release() {
      clearInterval(renew);
      await redis.eval(RELEASE, 1, key, token);
    },
  };
}

/** Waits up to `waitMs` for the lease, polling; null when it did not come free in time. */
export async function waitForLease(redis: RedisClient, key: string, ttlMs: number, waitMs: number): Promise<Lease | null> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const lease = await tryLease(redis, key, ttlMs);
    if (lease !== null || Date.now() > deadline) return lease;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
