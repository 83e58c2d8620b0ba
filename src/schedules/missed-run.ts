import { z } from 'zod';

/**
 * - missed: no callback came within CALLBACK_OVERDUE_MS of the fire time;
 * - re-requested: an operator asked Losant for the run's period again (reRequestedReportId);
 * - arrived_late: the run's callback came after all (its report is arrivedReportId).
 */
export const MISSED_RUN_STATES = ['missed', 'arrived_late', 're-requested'] as const;
export type MissedRunState = (typeof MISSED_RUN_STATES)[number];

/** A run of a schedule whose callback did not arrive in time. */
export interface MissedRun {
  scheduleId: string;
  /** When the schedule fired (ISO): the run's name. */
  fireTime: string;
  /** What the run's report should have covered (src/schedules/run-period.ts). */
  period: { start: string; end: string };
  detectedAt: string;
  state: MissedRunState;
  /** The report asked for in its place, once re-requested. */
  reRequestedReportId: string | null;
  reRequestedAt: string | null;
  /** When the run's own callback came after all, and the report it made. */
  arrivedAt: string | null;
  arrivedReportId: string | null;
}

/** A missed run as read back from Redis (see parseStored: a mismatch names the key). */
export const missedRunSchema: z.ZodType<MissedRun> = z.object({
  scheduleId: z.string().min(1),
  fireTime: z.iso.datetime(),
  period: z.object({ start: z.iso.datetime(), end: z.iso.datetime() }),
  detectedAt: z.iso.datetime(),
  state: z.enum(MISSED_RUN_STATES),
  reRequestedReportId: z.string().min(1).nullable(),
  reRequestedAt: z.iso.datetime().nullable(),
  arrivedAt: z.iso.datetime().nullable(),
  arrivedReportId: z.string().min(1).nullable(),
});
