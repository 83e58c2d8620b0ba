import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { JOB_BACKOFF, jobBackoffStrategy, jobRetrySchedule } from '../../src/jobs/job-backoff.js';

const HOUR = 3_600_000;
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

describe('job retry schedule', () => {
  // The worker's defaults: it alone reads JOB_BACKOFF_MAX_MS.
  const jobs = loadConfig('worker', { LOSANT_INSTANCE_ID: '0123456789abcdef01234567' }).worker.retries;

  test('by default the retries of a report job span more than an hour, each delay capped', () => {
    const schedule = jobRetrySchedule(jobs);
    assert.equal(schedule.length, jobs.attempts - 1, 'one delay before each retry');
    assert.ok(jobs.backoffMaxMs <= 15 * 60_000, `cap ${jobs.backoffMaxMs}`);
    for (const delay of schedule) assert.ok(delay <= jobs.backoffMaxMs, `${delay} above the cap`);
    // The shortest the jittered delays can be still covers an hour's outage.
    const shortest = schedule.map((_, index) => jobBackoffStrategy(jobs, () => 0.999_999)(index + 1, JOB_BACKOFF));
    assert.ok(sum(shortest) >= HOUR, `shortest window ${sum(shortest) / 60_000} min`);
    assert.ok(sum(schedule) >= HOUR, `window ${sum(schedule) / 60_000} min`);
    assert.deepEqual(
      schedule.map((delay) => delay / 1000),
      [5, 10, 20, 40, 80, 160, 320, 640, 900, 900, 900, 900],
      'the schedule README documents',
    );
  });

  test('the delays double from JOB_BACKOFF_MS up to JOB_BACKOFF_MAX_MS, minus at most a tenth of jitter', () => {
    const settings = { backoffMs: 1_000, backoffMaxMs: 10_000 };
    assert.deepEqual(jobRetrySchedule({ ...settings, attempts: 7 }), [1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
    for (let attemptsMade = 1; attemptsMade <= 40; attemptsMade += 1) {
      const ceiling = Math.min(10_000, 1_000 * 2 ** (attemptsMade - 1));
      for (const random of [0, 0.5, 0.999_999]) {
        const delay = jobBackoffStrategy(settings, () => random)(attemptsMade, JOB_BACKOFF);
        assert.ok(delay <= ceiling && delay >= ceiling * 0.9, `${attemptsMade}: ${delay} outside [${ceiling * 0.9}, ${ceiling}]`);
        assert.ok(Number.isInteger(delay));
      }
    }
  });
});
