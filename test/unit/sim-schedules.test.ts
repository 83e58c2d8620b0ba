import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createScheduler, isValidTimezone, nextFireTime, scheduleProblem } from '../../src/sim/schedules.js';

test('fire times follow the cron expression in the config time zone, daylight saving included', () => {
  const config = { cron: '0 4 1 * *', timezone: 'America/New_York' };
  assert.equal(nextFireTime(config, new Date('2026-01-01T09:00:00Z')).toISOString(), '2026-02-01T09:00:00.000Z');
  assert.equal(nextFireTime(config, new Date('2026-06-15T00:00:00Z')).toISOString(), '2026-07-01T08:00:00.000Z');
  assert.equal(nextFireTime({ cron: '0 4 1 * *' }, new Date('2026-01-01T09:00:00Z')).toISOString(), '2026-02-01T04:00:00.000Z', 'UTC by default');
});

test('invalid cron expressions and time zones are named', () => {
  assert.equal(scheduleProblem({ cron: '0 4 1,15 * *', timezone: 'Europe/Berlin' }), null);
  assert.match(scheduleProblem({ cron: '0 25 * * *' }) ?? '', /^cron: /u);
  assert.match(scheduleProblem({ cron: '0 4 * * *', timezone: 'Nowhere/Land' }) ?? '', /^timezone: /u);
  assert.equal(isValidTimezone('Asia/Kolkata'), true);
  assert.equal(isValidTimezone('UTC+5'), false);
});

test('the scheduler fires a config at its due time, with that time, and schedules the next one', async () => {
  const due = Date.parse('2026-03-01T09:00:00Z');
  const offset = due - 80 - Date.now();
  const fired: string[] = [];
  const scheduler = createScheduler({ now: () => new Date(Date.now() + offset), onFire: (config, at) => fired.push(`${config.id}@${at.toISOString()}`) });
  scheduler.replace([{ id: 'monthly', cron: '0 4 1 * *', timezone: 'America/New_York' }]);
  assert.equal(scheduler.nextRuns().get('monthly')?.toISOString(), '2026-03-01T09:00:00.000Z');
  const deadline = Date.now() + 60_000;
  while (fired.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(fired, ['monthly@2026-03-01T09:00:00.000Z']);
  assert.equal(scheduler.nextRuns().get('monthly')?.toISOString(), '2026-04-01T08:00:00.000Z', 'the next run, after the switch to daylight time');
  scheduler.close();
  assert.equal(scheduler.nextRuns().size, 0);
});

test('a fire time months away is scheduled (timers are capped, not overflowed) and close() clears it', () => {
  const scheduler = createScheduler({ now: () => new Date('2026-01-02T00:00:00Z'), onFire: () => assert.fail('must not fire') });
  scheduler.replace([{ id: 'yearly', cron: '0 0 1 1 *' }]);
  assert.equal(scheduler.nextRuns().get('yearly')?.toISOString(), '2027-01-01T00:00:00.000Z');
  scheduler.close();
  assert.equal(scheduler.nextRuns().size, 0);
});
