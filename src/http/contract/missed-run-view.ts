import { z } from 'zod';
import { MISSED_RUN_STATES, type MissedRun } from '../../schedules/missed-run.js';

/** What the admin API says about a run of a schedule whose callback did not arrive in time. */
export const missedRunViewSchema = z.strictObject({
  scheduleId: z.string(),
  /** When the schedule fired: the run's name in the re-request route. */
  fireTime: z.string(),
  /** What the run's report should have covered (both ends inclusive). */
  period: z.strictObject({ start: z.string(), end: z.string() }),
  detectedAt: z.string(),
  state: z.enum(MISSED_RUN_STATES),
  /** The report asked for in the run's place, once re-requested. */
  reRequestedReportId: z.string().nullable(),
  reRequestedAt: z.string().nullable(),
  /** When the run's own callback came after all, and the report it made. */
  arrivedAt: z.string().nullable(),
  arrivedReportId: z.string().nullable(),
});
export type MissedRunView = z.infer<typeof missedRunViewSchema>;

export function toMissedRunView(run: MissedRun): MissedRunView {
  return {
    scheduleId: run.scheduleId,
    fireTime: run.fireTime,
    period: { start: run.period.start, end: run.period.end },
    detectedAt: run.detectedAt,
    state: run.state,
    reRequestedReportId: run.reRequestedReportId,
    reRequestedAt: run.reRequestedAt,
    arrivedAt: run.arrivedAt,
    arrivedReportId: run.arrivedReportId,
  };
}
