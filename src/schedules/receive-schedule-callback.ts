import type { Logger } from '../log.js';
import { redisKeys } from '../redis-keys.js';
import type { EnqueueRun } from '../reports/enqueue-run.js';
import { buildCallbackInfo, NOT_FOUND, type CallbackOutcome, type IncomingCallback } from '../reports/receive-callback.js';
import { generateId, SCHEDULE_ID_PATTERN, SECRET_PATTERN, secretMatches } from '../reports/secrets.js';
import { seriesKeyForSchedule } from '../reports/series.js';
import type { ReportStore } from '../reports/store.js';
import { runFireTime } from './fire-times.js';
import type { ScheduleStore } from './schedule-store.js';

export interface ScheduleCallbackDeps {
  schedules: ScheduleStore;
  reports: ReportStore;
  enqueue: EnqueueRun;
  prefix: string;
  logger: Logger;
  now?: () => Date;
}

/**
 * A callback on a schedule's URL is one run of that schedule: it creates a new report record
 * (with the callback already stored, in one atomic step) and runs the same pipeline as an
 * ad-hoc report. A repeat of the same run (same Losant job id, or the same body) is answered
 * 200 and not processed again.
 */
export function createScheduleCallbackReceiver(deps: ScheduleCallbackDeps) {
  const now = deps.now ?? (() => new Date());
  const keys = redisKeys(deps.prefix);

  async function authenticate(scheduleId: string, secret: string): Promise<boolean> {
    if (!SCHEDULE_ID_PATTERN.test(scheduleId) || !SECRET_PATTERN.test(secret)) {
      secretMatches(secret, null);
      return false;
    }
    const stored = await deps.schedules.load(scheduleId);
    const current = secretMatches(secret, stored?.secretHash);
    const previousValid =
      stored?.previousSecretHash != null &&
      stored.schedule.previousSecretValidUntil !== null &&
      Date.parse(stored.schedule.previousSecretValidUntil) > now().getTime();
    const previous = secretMatches(secret, previousValid ? stored.previousSecretHash : null);
    return current || previous;
  }

  async function receive(scheduleId: string, callback: IncomingCallback): Promise<CallbackOutcome> {
    const schedule = await deps.schedules.get(scheduleId);
    if (!schedule) return NOT_FOUND;
    const info = buildCallbackInfo(callback, now());
    // One run, one report: Losant's job id when the body names one; otherwise the fire time the
    // callback belongs to, so a resend whose body differs only in a freshly signed URL is a repeat.
    const fingerprint = info.jobId ?? `fired-${runFireTime(schedule, now())}`;
    const id = generateId('r');
    const { id: reportId, created } = await deps.reports.create(
      {
        id,
        source: 'schedule',
        scheduleId,
        request: { resourceGroupBy: schedule.resourceGroupBy, dateGroupBy: schedule.dateGroupBy, includeSandbox: schedule.includeSandbox },
        delivery: schedule.delivery,
        seriesKey: seriesKeyForSchedule(scheduleId),
        secretHash: null,
        status: 'callback_received',
        overdueAt: null,
        scheduleName: schedule.name,
        note: `scheduled run of "${schedule.name}"`,
      },
      { callback: { info, body: callback.body }, dedupeKey: keys.schedule.delivery(scheduleId, fingerprint) },
    );
    const log = deps.logger.child({ scheduleId, reportId });
    if (!created) {
      log.info('repeated schedule callback acknowledged; already received');
      return { kind: 'duplicate', reportId };
    }
    try {
      await deps.enqueue(reportId, 1);
    } catch (error) {
      log.error({ err: error }, 'schedule callback stored but not enqueued; the reconciler will enqueue it');
    }
    log.info({ bytes: info.bytes }, 'schedule callback received');
    return { kind: 'accepted', reportId };
  }

  return { authenticate, receive };
}
