import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { CorruptDataError } from '../../src/errors.js';
import { redisKeys } from '../../src/redis-keys.js';
import { tryLease } from '../../src/redis-lease.js';
import { createMissedRunCheck } from '../../src/schedules/missed-run-check.js';
import { createMissedRunStore } from '../../src/schedules/missed-run-store.js';
import { createRunArrivals } from '../../src/schedules/run-arrivals.js';
import type { Schedule } from '../../src/schedules/schedule.js';
import { createScheduleStore } from '../../src/schedules/schedule-store.js';
import { silentLogger } from '../helpers/logger.js';
import { deleteKeys, testRedis, uniquePrefix } from '../helpers/redis.js';

/**
 * The missed-run check against a real Redis, with its own clock: what it looks at is bounded
 * (100 fire times, 7 days), what it keeps is bounded (100 records per schedule, the report
 * retention), runs that arrived are never recorded, and one process checks at a time.
 */

const RETENTION_SECONDS = 30 * 86_400;
const OVERDUE_MS = 60_000;
let redis: Redis;
let prefix: string;
let at = new Date('2026-06-10T12:00:30Z');

function parts() {
  const schedules = createScheduleStore(redis, prefix);
  const arrivals = createRunArrivals(redis, { prefix, retentionSeconds: RETENTION_SECONDS });
  const missedRuns = createMissedRunStore(redis, { prefix, retentionSeconds: RETENTION_SECONDS, now: () => at });
  const check = createMissedRunCheck({ redis, prefix, schedules, arrivals, missedRuns, overdueMs: OVERDUE_MS, logger: silentLogger(), now: () => at });
  return { schedules, arrivals, missedRuns, check };
}

let count = 0;
async function saveSchedule(fields: Partial<Schedule>): Promise<Schedule> {
  count += 1;
  const schedule: Schedule = {
    id: `s00000000${count}${'0'.repeat(16)}`.slice(0, 26),
    name: `schedule ${count}`,
    cron: '* * * * *',
    timezone: 'UTC',
    resourceGroupBy: 'organization',
    dateGroupBy: 'day',
    periods: 1,
    includeSandbox: false,
    delivery: { email: false, archive: true, recipients: [] },
    losantConfigId: null,
    createdAt: '2026-06-01T00:00:00.000Z',
    updatedAt: '2026-06-01T00:00:00.000Z',
    previousSecretValidUntil: null,
    ...fields,
  };
  await parts().schedules.save({ schedule, secretHash: 'x', previousSecretHash: null });
  return schedule;
}

describe('missed-run check', () => {
  before(() => {
    redis = testRedis();
    prefix = uniquePrefix('missed-check');
  });
  after(async () => {
    try {
      await deleteKeys(redis, prefix);
    } finally {
      await redis.quit();
    }
  });

  test('looks back at most 100 fire times, keeps at most 100 records per schedule, for the retention', async () => {
    at = new Date('2026-06-10T12:00:30Z');
    const { check, missedRuns } = parts();
    const schedule = await saveSchedule({ cron: '* * * * *' });
    const result = await check.runOnce();
    assert.deepEqual(result, { schedules: 1, missed: 100 });
    const listed = await missedRuns.list(schedule.id);
    assert.equal(listed.length, 100);
    assert.equal(listed[0]?.fireTime, '2026-06-10T11:59:00.000Z', 'newest first: the latest run overdue by a minute');
    assert.equal(listed.at(-1)?.fireTime, '2026-06-10T10:20:00.000Z');

    at = new Date(at.getTime() + 5 * 60_000);
    assert.deepEqual(await check.runOnce(), { schedules: 1, missed: 5 }, 'the next pass starts where this one ended');
    const after = await missedRuns.list(schedule.id);
    assert.equal(after.length, 100, 'the oldest records make room');
    assert.equal(after[0]?.fireTime, '2026-06-10T12:04:00.000Z');
    assert.equal(after.at(-1)?.fireTime, '2026-06-10T10:25:00.000Z');
    const ttl = await redis.ttl(redisKeys(prefix).schedule.missedRuns(schedule.id));
    assert.ok(ttl > 0 && ttl <= RETENTION_SECONDS, `kept for the retention (ttl ${ttl})`);
  });

  test('never looks back more than 7 days, nor before the schedule was made or its cron last changed', async () => {
    at = new Date('2026-06-30T04:30:00Z');
    const { check, missedRuns } = parts();
    const daily = await saveSchedule({ cron: '0 4 * * *', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' });
    const young = await saveSchedule({ cron: '0 4 * * *', createdAt: '2026-06-28T12:00:00.000Z', updatedAt: '2026-06-28T12:00:00.000Z' });
    await check.runOnce();
    assert.deepEqual(
      (await missedRuns.list(daily.id)).map((run) => run.fireTime),
      [
        '2026-06-30T04:00:00.000Z',
        '2026-06-29T04:00:00.000Z',
        '2026-06-28T04:00:00.000Z',
        '2026-06-27T04:00:00.000Z',
        '2026-06-26T04:00:00.000Z',
        '2026-06-25T04:00:00.000Z',
        '2026-06-24T04:00:00.000Z',
      ],
    );
    assert.deepEqual(
      (await missedRuns.list(young.id)).map((run) => run.fireTime),
      ['2026-06-30T04:00:00.000Z', '2026-06-29T04:00:00.000Z'],
    );

    // A new cron: the days between the last check and the change were due by the old one.
    await saveSchedule({ ...young, cron: '0 6 * * *', updatedAt: '2026-07-02T00:00:00.000Z' });
    at = new Date('2026-07-03T07:00:00Z');
    await check.runOnce();
    assert.deepEqual(
      (await missedRuns.list(young.id)).map((run) => run.fireTime),
      ['2026-07-03T06:00:00.000Z', '2026-07-02T06:00:00.000Z', '2026-06-30T04:00:00.000Z', '2026-06-29T04:00:00.000Z'],
    );
  });

  test("runs that called back are not recorded, even when the callback lands between the check's read and its write", async () => {
    at = new Date('2026-06-10T07:00:30Z');
    const { check, arrivals, missedRuns } = parts();
    const schedule = await saveSchedule({ cron: '0 * * * *', createdAt: '2026-06-10T02:30:00.000Z', updatedAt: '2026-06-10T02:30:00.000Z' });
    await arrivals.record(schedule.id, '2026-06-10T04:00:00.000Z');
    await arrivals.record(schedule.id, '2026-06-10T06:00:00.000Z');
    await check.runOnce();
    assert.deepEqual(
      (await missedRuns.list(schedule.id)).map((run) => run.fireTime),
      ['2026-06-10T05:00:00.000Z', '2026-06-10T03:00:00.000Z'],
      '07:00 is not overdue yet; 04:00 and 06:00 called back',
    );

    const late = '2026-06-10T07:00:00.000Z';
    await arrivals.record(schedule.id, late);
    const run = { ...(await missedRuns.list(schedule.id))[0]!, fireTime: late };
    assert.equal(await missedRuns.add(run), false, 'the arrival is seen in the same step as the write');
    assert.equal(await missedRuns.get(schedule.id, late), null);
  });

  test("stored data of another shape names its key; one schedule's does not stop the check of the others", async () => {
    at = new Date('2026-06-10T12:00:30Z');
    const { check, missedRuns } = parts();
    const keys = redisKeys(prefix).schedule;
    const broken = await saveSchedule({ cron: '0 * * * *', createdAt: '2026-06-10T09:30:00.000Z', updatedAt: '2026-06-10T09:30:00.000Z' });
    const sound = await saveSchedule({ cron: '0 * * * *', createdAt: '2026-06-10T09:30:00.000Z', updatedAt: '2026-06-10T09:30:00.000Z' });
    await redis.set(keys.runsChecked(broken.id), JSON.stringify({ through: 'yesterday' }));
    await check.runOnce();
    assert.deepEqual(
      (await missedRuns.list(sound.id)).map((run) => run.fireTime),
      ['2026-06-10T11:00:00.000Z', '2026-06-10T10:00:00.000Z'],
    );

    await redis.hset(keys.missedRuns(sound.id), '2026-06-10T08:00:00.000Z', JSON.stringify({ scheduleId: sound.id, state: 'lost' }));
    await assert.rejects(missedRuns.list(sound.id), (error: unknown) => {
      assert.ok(error instanceof CorruptDataError);
      assert.equal(error.key, `${keys.missedRuns(sound.id)} (field 2026-06-10T08:00:00.000Z)`);
      assert.match(error.message, /state/u);
      return true;
    });
  });

  test('one process checks at a time: while another holds the lease, a pass does nothing', async () => {
    const { check } = parts();
    const lease = await tryLease(redis, redisKeys(prefix).missedRunCheckLock, 10_000);
    assert.ok(lease);
    try {
      assert.equal(await check.runOnce(), null);
    } finally {
      await lease.release();
    }
    assert.notEqual(await check.runOnce(), null);
  });
});
