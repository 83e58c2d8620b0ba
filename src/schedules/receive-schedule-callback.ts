import type { Logger } from '../log.js';
import type { ReplicaWait } from '../redis-replica-wait.js';
import { unlessReplicated } from '../reports/unless-replicated.js';
import { redisKeys } from '../redis-keys.js';
import type { EnqueueRun } from '../reports/enqueue-run.js';
import { traceFields } from '../trace.js';
import { buildCallbackInfo, NOT_FOUND, type CallbackOutcome, type IncomingCallback } from '../reports/receive-callback.js';
import { generateId, SCHEDULE_ID_PATTERN, SECRET_PATTERN, secretMatches } from '../reports/secrets.js';
import { seriesKeyForSchedule } from '../reports/series.js';
import type { ReportStore } from '../reports/store.js';
import { runFireTime } from './fire-times.js';
import type { Schedule } from './schedule.js';
import type { MissedRunStore } from './missed-run-store.js';
import type { RunArrivals } from './run-arrivals.js';
import type { ScheduleStore } from './schedule-store.js';

export interface ScheduleCallbackDeps {
  schedules: ScheduleStore;
  reports: ReportStore;
  enqueue: EnqueueRun;
  /** Where each run that called back is noted, so the missed-run check does not list it. */
  arrivals: Pick<RunArrivals, 'record'>;
  missedRuns: Pick<MissedRunStore, 'update'>;
  prefix: string;
  logger: Logger;
  /** REDIS_WAIT_REPLICAS, on the connection `reports` writes on (see src/reports/unless-replicated.ts). */
  replicas?: ReplicaWait;
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
    const fireTime = runFireTime(schedule, now());
    // One run, one report: Losant's job id when the body names one; otherwise the fire time the
    // callback belongs to, so a resend whose body differs only in a freshly signed URL is a repeat.
    const fingerprint = info.jobId ?? `fired-${fireTime}`;
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
    const trace = traceFields(callback);
    const log = deps.logger.child({ scheduleId, reportId, ...trace });
    // After the report is stored (both for a first delivery and a repeat, which mends a note that
    // failed the first time): a run noted as arrived whose report was never stored would hide the
    // very runs the check is for.
    await noteArrival(schedule, fireTime, reportId, !created).catch((error: unknown) => {
      log.error({ err: error, fireTime }, 'schedule callback stored but its run not noted as arrived; the run may be listed as missed');
    });
    const refused = await unlessReplicated(deps.replicas, log, { outcome: created ? 'accepted' : 'duplicate' });
    if (refused) return refused;
    if (!created) {
      // As for a report's callback: the first delivery may have been stored but not enqueued (its
      // sender got an error and tries again). The job id is deterministic, so enqueueing the
      // report's current run again is a no-op when its job exists and repairs it at once when not.
      const runs = (await deps.reports.getCallbackMatch(reportId))?.runs ?? 1;
      await deps.enqueue(reportId, runs, trace).catch((error: unknown) => {
        log.warn({ err: error }, 'repeated schedule callback: enqueue failed; the reconciler will enqueue it');
      });
      log.info('repeated schedule callback acknowledged; already received');
      return { kind: 'duplicate', reportId };
    }
    try {
      await deps.enqueue(reportId, 1, trace);
    } catch (error) {
      log.error({ err: error }, 'schedule callback stored but not enqueued; the reconciler will enqueue it');
    }
    log.info({ bytes: info.bytes }, 'schedule callback received');
    return { kind: 'accepted', reportId };
  }

  /** Notes the run as arrived, then turns a record of it as missed, if any, into arrived_late. */
  async function noteArrival(schedule: Schedule, fireTime: string, reportId: string, repeat: boolean): Promise<void> {
    // A repeat belongs to the run its first delivery came in, which a resend after the next fire time would otherwise move.
    const firstReceivedAt = repeat ? (await deps.reports.get(reportId))?.callback?.receivedAt : undefined;
    const run = firstReceivedAt === undefined ? fireTime : runFireTime(schedule, new Date(firstReceivedAt));
    await deps.arrivals.record(schedule.id, run);
    const { changed } = await deps.missedRuns.update(schedule.id, run, (missed) =>
      missed.state === 'arrived_late' ? null : { ...missed, state: 'arrived_late', arrivedAt: now().toISOString(), arrivedReportId: reportId },
    );
    if (changed) deps.logger.warn({ scheduleId: schedule.id, fireTime: run, reportId }, 'a run listed as missed called back late; it is processed as usual');
  }

  return { authenticate, receive };
}
