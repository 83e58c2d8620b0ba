import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fireTimesBetween, latestFireTime, nextFireTimes, runFireTime, type CronSchedule } from '../../src/schedules/fire-times.js';
import { runPeriod } from '../../src/schedules/run-period.js';
import { lastFullBuckets } from '../../src/sim/periods.js';
import { nextFireTime } from '../../src/sim/schedules.js';

const iso = (dates: Date[]) => dates.map((date) => date.toISOString());
const between = (schedule: CronSchedule, after: string, through: string, max = 100) =>
  iso(fireTimesBetween(schedule, { after: new Date(after), through: new Date(through) }, max));

/** The fire times a scheduler meets stepping forward from `from` (the simulator's, standing for Losant's). */
function schedulerRuns(schedule: CronSchedule, from: string, through: string): string[] {
  const runs: string[] = [];
  for (let at = nextFireTime(schedule, new Date(from)); at.getTime() <= Date.parse(through); at = nextFireTime(schedule, at)) runs.push(at.toISOString());
  return runs;
}

describe('fire times of a schedule', () => {
  test('the window excludes its start and includes its end; only the latest `max` are kept', () => {
    const daily = { cron: '30 9 * * *', timezone: 'UTC' };
    assert.deepEqual(between(daily, '2026-05-01T09:30:00Z', '2026-05-03T09:30:00Z'), ['2026-05-02T09:30:00.000Z', '2026-05-03T09:30:00.000Z']);
    assert.deepEqual(between(daily, '2026-04-01T00:00:00Z', '2026-05-03T12:00:00Z', 2), ['2026-05-02T09:30:00.000Z', '2026-05-03T09:30:00.000Z']);
    assert.deepEqual(between(daily, '2026-05-03T09:30:00Z', '2026-05-04T09:29:59.999Z'), []);
    assert.deepEqual(between(daily, '2026-04-01T00:00:00Z', '2026-05-03T12:00:00Z', 0), []);
  });

  test('a time zone moves the fire time: a half-hour offset, and a monthly run across a DST change', () => {
    assert.deepEqual(between({ cron: '0 9 * * *', timezone: 'Asia/Kolkata' }, '2026-05-01T00:00:00Z', '2026-05-02T00:00:00Z'), ['2026-05-01T03:30:00.000Z']);
    assert.deepEqual(between({ cron: '0 4 1 * *', timezone: 'Europe/Berlin' }, '2026-02-15T00:00:00Z', '2026-04-15T00:00:00Z'), [
      '2026-03-01T03:00:00.000Z',
      '2026-04-01T02:00:00.000Z',
    ]);
  });

  test('spring forward: a run in the skipped hour fires once, an hour later, and is the latest run after it', () => {
    const early = { cron: '30 2 * * *', timezone: 'America/New_York' };
    const runs = ['2026-03-07T07:30:00.000Z', '2026-03-08T07:30:00.000Z', '2026-03-09T06:30:00.000Z', '2026-03-10T06:30:00.000Z'];
    assert.deepEqual(between(early, '2026-03-06T12:00:00Z', '2026-03-10T12:00:00Z'), runs);
    assert.deepEqual(schedulerRuns(early, '2026-03-06T12:00:00Z', '2026-03-10T12:00:00Z'), runs, 'as the scheduler fires them');
    // A step backwards from the 9th's run skips the 8th: the run a callback on the 8th belongs to is still the 8th's.
    assert.equal(latestFireTime(early, new Date('2026-03-08T12:00:00Z'))?.toISOString(), '2026-03-08T07:30:00.000Z');
    assert.equal(runFireTime(early, new Date('2026-03-09T06:29:59Z')), '2026-03-08T07:30:00.000Z');
  });

  test('fall back: a run in the repeated hour fires once; an hourly schedule fires in both copies of the hour', () => {
    const early = { cron: '30 1 * * *', timezone: 'America/New_York' };
    const runs = ['2026-10-31T05:30:00.000Z', '2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z'];
    assert.deepEqual(between(early, '2026-10-30T12:00:00Z', '2026-11-02T12:00:00Z'), runs);
    assert.deepEqual(schedulerRuns(early, '2026-10-30T12:00:00Z', '2026-11-02T12:00:00Z'), runs, 'as the scheduler fires them');
    assert.equal(latestFireTime(early, new Date('2026-11-01T07:00:00Z'))?.toISOString(), '2026-11-01T05:30:00.000Z', 'not a second 01:30');

    const hourly = { cron: '0 * * * *', timezone: 'America/New_York' };
    const hours = ['2026-11-01T05:00:00.000Z', '2026-11-01T06:00:00.000Z', '2026-11-01T07:00:00.000Z', '2026-11-01T08:00:00.000Z'];
    assert.deepEqual(between(hourly, '2026-11-01T04:00:00Z', '2026-11-01T08:00:00Z'), hours);
    assert.deepEqual(schedulerRuns(hourly, '2026-11-01T04:00:00Z', '2026-11-01T08:00:00Z'), hours);
  });

  test('over a year of runs in DST zones, the window lists what the scheduler fires, latest 100 at most', () => {
    for (const schedule of [
      { cron: '30 1 * * 0', timezone: 'America/New_York' },
      { cron: '30 2 * * 0', timezone: 'Europe/Berlin' },
      { cron: '0 4 1,15 * *', timezone: 'America/Chicago' },
      { cron: '30 1 * * *', timezone: 'America/New_York' },
      { cron: '0 */6 * * *', timezone: 'Australia/Sydney' },
    ]) {
      const fired = schedulerRuns(schedule, '2026-01-01T00:00:00Z', '2026-12-31T00:00:00Z');
      assert.deepEqual(between(schedule, '2026-01-01T00:00:00Z', '2026-12-31T00:00:00Z'), fired.slice(-100), schedule.cron);
    }
  });

  test('runFireTime: a callback at the fire time itself belongs to that run', () => {
    assert.equal(runFireTime({ cron: '0 5 * * *', timezone: 'UTC' }, new Date('2026-05-04T05:00:00Z')), '2026-05-04T05:00:00.000Z');
    assert.equal(runFireTime({ cron: '0 5 * * *', timezone: 'UTC' }, new Date('2026-05-04T04:59:59Z')), '2026-05-03T05:00:00.000Z');
  });
});

describe('the period a run covers', () => {
  test('`periods` whole UTC buckets ending with the last full one before the fire time, as the simulator builds them', () => {
    const at = new Date('2026-05-04T09:30:00Z');
    assert.deepEqual(runPeriod({ dateGroupBy: 'day', periods: 1 }, at), { start: '2026-05-03T00:00:00.000Z', end: '2026-05-03T23:59:59.999Z' });
    assert.deepEqual(runPeriod({ dateGroupBy: 'day', periods: 7 }, at), { start: '2026-04-27T00:00:00.000Z', end: '2026-05-03T23:59:59.999Z' });
    const newYear = new Date('2026-01-01T04:00:00Z');
    assert.deepEqual(runPeriod({ dateGroupBy: 'month', periods: 3 }, newYear), { start: '2025-10-01T00:00:00.000Z', end: '2025-12-31T23:59:59.999Z' });
    for (const [by, periods, fired] of [
      ['day', 14, '2026-03-08T07:30:00Z'],
      ['month', 1, '2026-03-01T05:00:00Z'],
      ['month', 12, '2024-02-29T23:59:59.999Z'],
    ] as const) {
      const sim = lastFullBuckets(Date.parse(fired), by, periods);
      assert.deepEqual(runPeriod({ dateGroupBy: by, periods }, new Date(fired)), {
        start: new Date(sim.start).toISOString(),
        end: new Date(sim.end).toISOString(),
      });
    }
  });

  test('nextFireTimes: the next runs after a time (never that time itself), as the scheduler fires them across a DST change', () => {
    const daily = { cron: '30 9 * * *', timezone: 'UTC' };
    assert.deepEqual(iso(nextFireTimes(daily, new Date('2026-05-01T09:30:00Z'), 2)), ['2026-05-02T09:30:00.000Z', '2026-05-03T09:30:00.000Z']);
    assert.deepEqual(iso(nextFireTimes(daily, new Date('2026-05-01T09:29:59Z'), 1)), ['2026-05-01T09:30:00.000Z']);
    assert.deepEqual(nextFireTimes(daily, new Date('2026-05-01T00:00:00Z'), 0), []);
    const early = { cron: '30 2 * * *', timezone: 'America/New_York' };
    assert.deepEqual(iso(nextFireTimes(early, new Date('2026-03-06T12:00:00Z'), 4)), schedulerRuns(early, '2026-03-06T12:00:00Z', '2026-03-10T12:00:00Z'));
  });
});
