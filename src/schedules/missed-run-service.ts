import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import type { Logger } from '../log.js';
import { traceFields, type Trace } from '../trace.js';
import type { RequestReport, RequestReportResult } from '../reports/request-report.js';
import { generateId, SCHEDULE_ID_PATTERN } from '../reports/secrets.js';
import type { MissedRun } from './missed-run.js';
import type { MissedRunStore } from './missed-run-store.js';
import type { Schedule } from './schedule.js';
import type { ScheduleStore } from './schedule-store.js';

export interface MissedRunServiceDeps {
  schedules: Pick<ScheduleStore, 'get' | 'list'>;
  missedRuns: Pick<MissedRunStore, 'list' | 'get' | 'update'>;
  requestReport: RequestReport;
  logger: Logger;
  now?: () => Date;
}

/** What a re-request did: the missed run as it now stands, and the report asked for (refused: with Losant's error). */
export type ReRequestResult = RequestReportResult & { run: MissedRun };

/** A missed run's name: when its schedule fired (the admin API's route names a run by it). */
export const fireTimeSchema = z.iso.datetime({ offset: true });

/** Why a run cannot be re-requested (already re-requested, or its callback came after all), or null when it can. */
function conflictOf(run: MissedRun): ConflictError | null {
  if (run.reRequestedReportId !== null) {
    return new ConflictError(`The run of ${run.fireTime} was already re-requested: report ${run.reRequestedReportId}`, {
      reportId: run.reRequestedReportId,
    });
  }
  if (run.state === 'arrived_late') {
    return new ConflictError(`The run of ${run.fireTime} is not missed any more: its callback arrived late (report ${run.arrivedReportId ?? 'unknown'})`, {
      reportId: run.arrivedReportId,
    });
  }
  return null;
}

/**
 * The admin side of missed runs: listing them, and asking Losant again for a missed run's period
 * with the schedule's options. A re-request is linked to the run before Losant is asked (compare
 * and set), so two at once ask once; the second is told which report the first made.
 */
export function createMissedRunService(deps: MissedRunServiceDeps) {
  const now = deps.now ?? (() => new Date());

  async function mustGetSchedule(id: string): Promise<Schedule> {
    const schedule = SCHEDULE_ID_PATTERN.test(id) ? await deps.schedules.get(id) : null;
    if (!schedule) throw new NotFoundError(`No schedule ${id.slice(0, 40)}`);
    return schedule;
  }

  function parseFireTime(text: string): string {
    if (!fireTimeSchema.safeParse(text).success) {
      throw new ValidationError(`fireTime: "${text.slice(0, 40)}" is not an ISO 8601 date-time; use a missed run's fireTime, e.g. 2026-05-04T09:30:00.000Z`);
    }
    return new Date(text).toISOString();
  }

  /** Takes back a link to a report Losant refused, so the run can be re-requested again. */
  async function unlink(run: MissedRun, reportId: string): Promise<MissedRun> {
    const { run: after } = await deps.missedRuns.update(run.scheduleId, run.fireTime, (current) =>
      current.reRequestedReportId === reportId
        ? { ...current, state: current.state === 're-requested' ? 'missed' : current.state, reRequestedReportId: null, reRequestedAt: null }
        : null,
    );
    return after ?? run;
  }

  return {
    /** A schedule's missed runs, newest first. */
    async list(scheduleId: string): Promise<MissedRun[]> {
      await mustGetSchedule(scheduleId);
      return deps.missedRuns.list(scheduleId);
    },

    /**
     * The runs of every schedule that are still missed (neither re-requested nor arrived late),
     * newest first, at most `limit`, each with its schedule.
     */
    async stillMissed(limit = 50): Promise<Array<{ schedule: Schedule; run: MissedRun }>> {
      const schedules = await deps.schedules.list();
      const perSchedule = await Promise.all(
        schedules.map(async (schedule) => (await deps.missedRuns.list(schedule.id)).filter((run) => run.state === 'missed').map((run) => ({ schedule, run }))),
      );
      // Same-length ISO times: comparing the text compares the times.
      return perSchedule
        .flat()
        .sort((a, b) => (a.run.fireTime < b.run.fireTime ? 1 : a.run.fireTime > b.run.fireTime ? -1 : 0))
        .slice(0, limit);
    },

    async reRequest(scheduleId: string, fireTimeText: string, trace?: Trace): Promise<ReRequestResult> {
      const schedule = await mustGetSchedule(scheduleId);
      const fireTime = parseFireTime(fireTimeText);
      const reportId = generateId('r');
      const at = now().toISOString();
      const { run, changed } = await deps.missedRuns.update(scheduleId, fireTime, (current) =>
        conflictOf(current) === null ? { ...current, state: 're-requested', reRequestedReportId: reportId, reRequestedAt: at } : null,
      );
      if (run === null) {
        throw new NotFoundError(`Schedule ${scheduleId} has no missed run at ${fireTime}; GET /admin/schedules/${scheduleId}/missed-runs lists those it has`);
      }
      if (!changed) throw conflictOf(run) ?? new ConflictError(`The run of ${fireTime} could not be re-requested; try again`);

      const log = deps.logger.child({ scheduleId, fireTime, reportId, ...traceFields(trace) });
      let result: RequestReportResult;
      try {
        result = await deps.requestReport(
          {
            start: run.period.start,
            end: run.period.end,
            resourceGroupBy: schedule.resourceGroupBy,
            dateGroupBy: schedule.dateGroupBy,
            includeSandbox: schedule.includeSandbox,
            recipients: [...schedule.delivery.recipients],
            email: schedule.delivery.email,
            archive: schedule.delivery.archive,
          },
          { reportId, scheduleId, scheduleName: schedule.name, note: `missed run of "${schedule.name}" (fired ${fireTime}) requested again` },
          trace,
        );
      } catch (error) {
        await unlink(run, reportId);
        throw error;
      }
      // A lost answer may still have queued the job: the link stays, and the report waits for its callback.
      if (!result.ok && result.error.code !== 'losant_outcome_unknown') {
        log.warn({ code: result.error.code }, 'missed run re-request refused by Losant; it can be re-requested again');
        return { ...result, run: await unlink(run, reportId) };
      }
      log.info('missed run re-requested');
      return { ...result, run };
    },
  };
}
export type MissedRunService = ReturnType<typeof createMissedRunService>;
