import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { startSimulator, type SimJob, type Simulator } from '../../src/sim/index.js';
import { TEST_ADMIN_TOKEN } from '../helpers/config.js';
import { startService, type RunningService } from '../helpers/service.js';

/**
 * Missed schedule runs (README, Schedules): a run whose callback has not arrived
 * CALLBACK_OVERDUE_MS after its fire time is listed, can be asked for again, and turns
 * arrived_late when its callback comes after all. Schedules fire on the minute, so the service's
 * schedule clock and the simulator's share an offset that puts a fire time a few seconds ahead.
 */

const OVERDUE_MS = 4_000;
const ZONE = 'America/Chicago';
const auth = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

let offset = 0;
const clock = () => new Date(Date.now() + offset);
let sim: Simulator;
let service: RunningService;

/** Moves the shared clock so that the next whole minute is `seconds` ahead; returns that minute. */
function aimAtNextMinute(seconds: number): Date {
  const target = Math.ceil((clock().getTime() + seconds * 1000 + 1) / 60_000) * 60_000;
  offset += target - seconds * 1000 - clock().getTime();
  return new Date(target);
}

/** A cron firing daily at `at` (a whole minute) in `timeZone`. */
function dailyCronAt(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', minute: 'numeric', hourCycle: 'h23' }).formatToParts(at);
  const part = (type: 'hour' | 'minute') => Number(parts.find((entry) => entry.type === type)?.value);
  return `${part('minute')} ${part('hour')} * * *`;
}

/** Polls `probe` until it gives a value (a generous deadline: the signal, not the wait, ends it). */
async function eventually<T>(what: string, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function createSchedule(body: Record<string, unknown>): Promise<{ id: string; losantConfigId: string }> {
  const created = await request(service.url)
    .post('/admin/schedules')
    .set(auth)
    .send({ timezone: ZONE, dateGroupBy: 'day', periods: 2, email: false, ...body });
  assert.equal(created.status, 201, created.text);
  return created.body.schedule;
}

const missedRuns = async (scheduleId: string) => {
  const listed = await request(service.url).get(`/admin/schedules/${scheduleId}/missed-runs`).set(auth);
  assert.equal(listed.status, 200, listed.text);
  return listed.body.items as Array<Record<string, unknown> & { fireTime: string; state: string }>;
};

const reRequest = (scheduleId: string, fireTime: string) =>
  request(service.url)
    .post(`/admin/schedules/${scheduleId}/missed-runs/${encodeURIComponent(fireTime)}/re-request`)
    .set(auth);

/** A whole pass of the check that started after this call (the periodic one may hold the lease). */
const afterOneMoreCheck = () => eventually('a pass of the missed-run check', async () => (await service.web!.missedRunCheck.runOnce()) ?? undefined);

describe('missed schedule runs', () => {
  before(async () => {
    sim = await startSimulator({ reportDelayMs: 10, downloadTtlMs: 3_600_000, now: clock });
    service = await startService({
      name: 'missed-runs',
      env: {
        LOSANT_API_URL: sim.url,
        LOSANT_API_TOKEN: sim.token,
        LOSANT_INSTANCE_ID: sim.instanceId,
        LOSANT_MAX_RETRIES: '1',
        CALLBACK_OVERDUE_MS: String(OVERDUE_MS),
        MISSED_RUN_CHECK_INTERVAL_MS: '200',
      },
      overrides: { scheduleClock: clock },
    });
  });
  after(async () => {
    try {
      await service?.stop();
    } finally {
      await sim?.close();
    }
  });

  test('a run Losant never calls back for is listed once overdue, a run that called back is not; a re-request gets its period and is linked', async () => {
    const fire = aimAtNextMinute(5);
    const cron = dailyCronAt(fire, ZONE);
    const dropped = await createSchedule({ cron, name: 'dropped run' });
    const kept = await createSchedule({ cron, name: 'kept run' });
    sim.setFaults({ skipScheduledCallbacks: { count: 1, configId: dropped.losantConfigId } });

    const runOf = (configId: string) => eventually(`the run of ${configId}`, () => sim.jobs.find((job) => job.configId === configId && job.state === 'done'));
    const [droppedRun, keptRun] = await Promise.all([runOf(dropped.losantConfigId), runOf(kept.losantConfigId)]);
    assert.equal(droppedRun.firedAt?.toISOString(), fire.toISOString(), 'the schedules fired at the minute aimed at (created in time)');
    assert.equal(droppedRun.callbackSkipped, true, 'the simulator skipped the run');
    assert.deepEqual(
      keptRun.callbacks.map((outcome) => outcome.status),
      [202],
      'the other run called back',
    );

    const [missed] = await eventually('the skipped run listed as missed', async () => {
      const items = await missedRuns(dropped.id);
      return items.length > 0 ? items : undefined;
    });
    assert.ok(missed);
    assert.deepEqual(
      { scheduleId: missed.scheduleId, fireTime: missed.fireTime, period: missed.period, state: missed.state, reRequestedReportId: missed.reRequestedReportId },
      {
        scheduleId: dropped.id,
        fireTime: fire.toISOString(),
        period: { start: droppedRun.options.start, end: droppedRun.options.end },
        state: 'missed',
        reRequestedReportId: null,
      },
      'the run, and the period Losant would have reported on',
    );
    assert.ok(Date.parse(String(missed.detectedAt)) - fire.getTime() >= OVERDUE_MS, 'listed only once overdue');
    await afterOneMoreCheck();
    assert.deepEqual(await missedRuns(kept.id), [], 'the run that called back is not listed');
    assert.equal((await missedRuns(dropped.id)).length, 1, 'and the missed one only once');

    const asked = await reRequest(dropped.id, missed.fireTime);
    assert.equal(asked.status, 202, asked.text);
    const reportId = asked.body.report.id as string;
    assert.deepEqual(
      [asked.body.missedRun.state, asked.body.missedRun.reRequestedReportId, asked.body.report.scheduleId, asked.body.report.seriesKey],
      ['re-requested', reportId, dropped.id, `schedule-${dropped.id}`],
      "linked both ways, and in the schedule's series",
    );
    const sent = sim.requests.filter((entry) => entry.action === 'generateReport').at(-1)?.body as Record<string, unknown>;
    assert.deepEqual(
      { start: sent.start, end: sent.end, resourceGroupBy: sent.resourceGroupBy, dateGroupBy: sent.dateGroupBy, includeSandbox: sent.includeSandbox },
      { start: droppedRun.options.start, end: droppedRun.options.end, resourceGroupBy: 'organization', dateGroupBy: 'day', includeSandbox: false },
      "Losant is asked for the run's period with the schedule's options",
    );
    assert.match(String(sent.callbackUrl), new RegExp(`/callbacks/r/${reportId}/`, 'u'));
    const delivered = await service.waitForStatus(reportId, ['delivered']);
    assert.deepEqual(delivered.request, {
      start: droppedRun.options.start,
      end: droppedRun.options.end,
      resourceGroupBy: 'organization',
      dateGroupBy: 'day',
      includeSandbox: false,
    });

    const [linked] = await missedRuns(dropped.id);
    assert.deepEqual([linked?.state, linked?.reRequestedReportId], ['re-requested', reportId]);
    const again = await reRequest(dropped.id, missed.fireTime);
    assert.equal(again.status, 409, again.text);
    assert.match(again.body.error.message, new RegExp(`already re-requested: report ${reportId}`, 'u'));
    assert.equal(again.body.error.details.reportId, reportId);
  });

  test('a callback that comes after its run was listed as missed marks it arrived_late and is processed as usual', async () => {
    // A run ten minutes ahead: the simulator's own timer is far off, and the clock is moved past it.
    const fire = aimAtNextMinute(600);
    const late = await createSchedule({ cron: dailyCronAt(fire, ZONE), name: 'late run' });
    offset += fire.getTime() + OVERDUE_MS + 500 - clock().getTime();

    await eventually('the run listed as missed', async () => ((await missedRuns(late.id)).length > 0 ? true : undefined));
    const run: SimJob = await sim.triggerReportConfig(late.losantConfigId);
    assert.deepEqual(
      run.callbacks.map((outcome) => outcome.status),
      [202],
      'the late callback is accepted',
    );

    const [marked] = await missedRuns(late.id);
    assert.equal(marked?.fireTime, fire.toISOString());
    assert.equal(marked.state, 'arrived_late');
    assert.ok(typeof marked.arrivedAt === 'string' && Date.parse(marked.arrivedAt) > fire.getTime() + OVERDUE_MS);
    const reportId = String(marked.arrivedReportId);
    const report = await service.waitForStatus(reportId, ['delivered']);
    assert.equal(report.scheduleId, late.id);

    const refused = await reRequest(late.id, marked.fireTime);
    assert.equal(refused.status, 409, refused.text);
    assert.match(refused.body.error.message, /arrived late/u);
  });

  test('an unknown schedule, a fire time that is not one, and a run that is not missed get clear answers', async () => {
    const schedule = await createSchedule({ cron: '0 4 * * *' });
    const unknown = 's0000000000000000000000000';
    assert.equal((await request(service.url).get(`/admin/schedules/${unknown}/missed-runs`).set(auth)).status, 404);
    assert.equal((await request(service.url).get('/admin/schedules/nope/missed-runs').set(auth)).status, 404);
    const noSchedule = await reRequest(unknown, '2026-01-01T04:00:00.000Z');
    assert.equal(noSchedule.status, 404);
    assert.match(noSchedule.body.error.message, /No schedule/u);

    const badTime = await reRequest(schedule.id, 'yesterday');
    assert.equal(badTime.status, 400);
    assert.match(badTime.body.error.message, /fireTime: "yesterday" is not an ISO 8601 date-time/u);

    const notMissed = await reRequest(schedule.id, '2026-01-01T10:00:00Z');
    assert.equal(notMissed.status, 404);
    assert.match(notMissed.body.error.message, /has no missed run at 2026-01-01T10:00:00\.000Z/u);
  });
});
