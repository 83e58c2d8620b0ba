import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { dateGroupBySchema, resourceGroupBySchema } from '../losant/request-schemas.js';
import { errorMessage } from '../errors.js';

/**
 * A schedule is one of the instance's reportConfigs that this service manages: Losant fires it
 * on its cron and calls back on the schedule's own URL, which carries the schedule's secret.
 */
export interface Schedule {
  id: string;
  name: string;
  cron: string;
  timezone: string;
  resourceGroupBy: 'application' | 'organization';
  dateGroupBy: 'day' | 'month';
  periods: number;
  includeSandbox: boolean;
  delivery: { email: boolean; archive: boolean; recipients: string[] };
  /** The id Losant gave the config, once known. */
  losantConfigId: string | null;
  createdAt: string;
  updatedAt: string;
  /** When the previous secret stops working after a rotation (null when there is none). */
  previousSecretValidUntil: string | null;
}

export function isValidTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return timezone.length <= 255;
  } catch {
    return false;
  }
}

export function cronProblem(cron: string, timezone: string): string | null {
  if (cron.length > 255) return 'must be at most 255 characters';
  if (cron.trim().split(/\s+/u).length !== 5) return 'must have 5 fields: minute hour day-of-month month day-of-week';
  try {
    CronExpressionParser.parse(cron, { tz: timezone });
    return null;
  } catch (error) {
    return `is not a valid cron expression (${errorMessage(error)})`;
  }
}

const fields = {
  name: z.string().trim().min(1).max(100),
  cron: z.string().trim(),
  timezone: z.string(),
  resourceGroupBy: resourceGroupBySchema,
  dateGroupBy: dateGroupBySchema,
  periods: z.number().int('must be a whole number').min(1, 'must be from 1 to 90').max(90, 'must be from 1 to 90'),
  includeSandbox: z.boolean(),
  recipients: z.array(z.email({ message: 'must be a valid email address' })).max(10, 'at most 10 recipients'),
  email: z.boolean(),
  archive: z.boolean(),
};

function checkCronAndZone(value: { cron?: string | undefined; timezone?: string | undefined }, ctx: z.RefinementCtx): void {
  const timezone = value.timezone ?? 'UTC';
  if (!isValidTimezone(timezone)) {
    ctx.addIssue({ code: 'custom', path: ['timezone'], message: `"${timezone.slice(0, 60)}" is not an IANA time zone (e.g. America/Chicago)` });
    return;
  }
  if (value.cron !== undefined) {
    const problem = cronProblem(value.cron, timezone);
    if (problem) ctx.addIssue({ code: 'custom', path: ['cron'], message: problem });
  }
}

/** POST /admin/schedules: cron is required; the rest has defaults. */
export const createScheduleSchema = z
  .strictObject({
    name: fields.name.optional(),
    cron: fields.cron,
    timezone: fields.timezone.default('UTC'),
    resourceGroupBy: fields.resourceGroupBy.default('organization'),
    dateGroupBy: fields.dateGroupBy.default('day'),
    periods: fields.periods.default(1),
    includeSandbox: fields.includeSandbox.default(false),
    recipients: fields.recipients.optional(),
    email: fields.email.optional(),
    archive: fields.archive.optional(),
  })
  .superRefine(checkCronAndZone);
export type CreateScheduleInput = z.infer<typeof createScheduleSchema>;

/** PUT /admin/schedules/{id}: any subset of the fields. */
export const updateScheduleSchema = z
  .strictObject({
    name: fields.name.optional(),
    cron: fields.cron.optional(),
    timezone: fields.timezone.optional(),
    resourceGroupBy: fields.resourceGroupBy.optional(),
    dateGroupBy: fields.dateGroupBy.optional(),
    periods: fields.periods.optional(),
    includeSandbox: fields.includeSandbox.optional(),
    recipients: fields.recipients.optional(),
    email: fields.email.optional(),
    archive: fields.archive.optional(),
  })
  .superRefine(checkCronAndZone);
export type UpdateScheduleInput = z.infer<typeof updateScheduleSchema>;

export const rotateSecretSchema = z.strictObject({
  /** How long the previous secret keeps working (default one day). */
  graceSeconds: z
    .number()
    .int()
    .min(0)
    .max(30 * 86_400)
    .default(86_400),
});
