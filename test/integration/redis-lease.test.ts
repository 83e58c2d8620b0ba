import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { createMaintenance } from '../../src/jobs/maintenance.js';
import { redisKeys } from '../../src/redis-keys.js';
import { createReportStore } from '../../src/reports/store.js';
import { createScheduleStore } from '../../src/schedules/schedule-store.js';
import { silentLogger } from '../helpers/logger.js';
import { deleteKeys, testRedis, uniquePrefix } from '../helpers/redis.js';

/** The locks that serialize schedule changes and maintenance: held as long as the work, released only by their owner. */

let redis: Redis;
const prefix = uniquePrefix('lease');

describe('leases', () => {
  before(() => {
    redis = testRedis();
  });
  after(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  test('a schedule change that outlasts the lock lease keeps the lock: a second change waits for it', async () => {
    const store = createScheduleStore(redis, prefix);
    const events: string[] = [];
    let firstHolds!: () => void;
    const holding = new Promise<void>((resolve) => {
      firstHolds = resolve;
    });
    let finishFirst!: () => void;
    const firstMayFinish = new Promise<void>((resolve) => {
      finishFirst = resolve;
    });
    const first = store.withLock(async () => {
      events.push('first starts');
      firstHolds();
      await firstMayFinish;
      events.push('first ends');
      // A lease long enough for a renewal (every third of it) to get through on a busy machine.
    }, 1_000);
    await holding;
    const second = store.withLock(() => {
      events.push('second starts');
      return Promise.resolve();
    }, 5_000);
    // Well past the first's 1 s lease: without renewal the second would have taken the lock by now.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    events.push('first told to finish');
    finishFirst();
    await Promise.all([first, second]);
    assert.deepEqual(events, ['first starts', 'first told to finish', 'first ends', 'second starts']);
  });

  test("releasing a lock never deletes another owner's", async () => {
    const store = createScheduleStore(redis, prefix);
    const lock = redisKeys(prefix).schedule.lock;
    await store.withLock(async () => {
      // The lease was lost (expired while Redis was away) and another process took the lock.
      await redis.set(lock, 'another-owner', 'PX', 60_000);
    }, 5_000);
    assert.equal(await redis.get(lock), 'another-owner');
    await redis.del(lock);
  });
});

describe('the maintenance lock', () => {
  test('maintenance releases only its own lock, not one another worker took after its lease was lost', async () => {
    const redis = testRedis();
    const prefix = uniquePrefix('lease-maint');
    const lock = redisKeys(prefix).maintenanceLock;
    const store = createReportStore(redis, { prefix, retentionDays: 1 });
    const queue = { enqueue: () => Promise.resolve('job'), runState: () => Promise.resolve({ state: 'missing', remove: () => Promise.resolve() }) };
    try {
      const maintenance = createMaintenance({
        redis,
        // The store's own code, with one read standing in for the moment the lease was lost and another worker took the lock.
        store: {
          ...store,
          overdueCandidates: async () => {
            await redis.set(lock, 'another-worker', 'PX', 60_000);
            return [];
          },
        },
        queue,
        prefix,
        logger: silentLogger(),
      });
      assert.ok(await maintenance.runOnce());
      assert.equal(await redis.get(lock), 'another-worker');
    } finally {
      await deleteKeys(redis, prefix);
      redis.disconnect();
    }
  });
});
