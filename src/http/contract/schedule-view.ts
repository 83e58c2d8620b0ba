import { z } from 'zod';
import type { ScheduleWithConfig } from '../../schedules/schedule-service.js';

/**
 * What the admin API says about a schedule: its settings, and the report config Losant holds for
 * it now (known fields only; the callback URL, which carries the secret, never).
 */
const losantConfigViewSchema = z.strictObject({
  id: z.string().optional(),
  cron: z.string(),
  timezone: z.string().optional(),
  resourceGroupBy: z.string().optional(),
  dateGroupBy: z.string().optional(),
  periods: z.number().optional(),
  includeSandbox: z.boolean().optional(),
});

export const scheduleViewSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  cron: z.string(),
  timezone: z.string(),
  resourceGroupBy: z.enum(['application', 'organization']),
  dateGroupBy: z.enum(['day', 'month']),
  periods: z.number().int(),
  includeSandbox: z.boolean(),
  delivery: z.strictObject({ email: z.boolean(), archive: z.boolean(), recipients: z.array(z.string()) }),
  losantConfigId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** When the previous secret stops working after a rotation (null when there is none). */
  previousSecretValidUntil: z.string().nullable(),
  losantConfig: losantConfigViewSchema.nullable(),
});
export type ScheduleView = z.infer<typeof scheduleViewSchema>;

export function toScheduleView(schedule: ScheduleWithConfig): ScheduleView {
  const config = schedule.losantConfig;
  return {
    id: schedule.id,
    name: schedule.name,
    cron: schedule.cron,
    timezone: schedule.timezone,
    resourceGroupBy: schedule.resourceGroupBy,
    dateGroupBy: schedule.dateGroupBy,
    periods: schedule.periods,
    includeSandbox: schedule.includeSandbox,
    delivery: { email: schedule.delivery.email, archive: schedule.delivery.archive, recipients: [...schedule.delivery.recipients] },
    losantConfigId: schedule.losantConfigId,
    createdAt: schedule.createdAt,
    updatedAt: schedule.updatedAt,
    previousSecretValidUntil: schedule.previousSecretValidUntil,
    losantConfig:
      config === null
        ? null
        : {
            ...(config.id === undefined ? {} : { id: config.id }),
            cron: config.cron,
            ...(config.timezone === undefined ? {} : { timezone: config.timezone }),
            ...(config.resourceGroupBy === undefined ? {} : { resourceGroupBy: config.resourceGroupBy }),
            ...(config.dateGroupBy === undefined ? {} : { dateGroupBy: config.dateGroupBy }),
            ...(config.periods === undefined ? {} : { periods: config.periods }),
            ...(config.includeSandbox === undefined ? {} : { includeSandbox: config.includeSandbox }),
          },
  };
}
