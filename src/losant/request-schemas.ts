import { z } from 'zod';

/**
 * What Losant accepts in the bodies this project sends (and the simulator receives), transcribed
 * from Losant's published JSON schemas (instanceReportOptionsPost, instanceReportConfig,
 * instancePatch). Objects are strict because Losant's schemas say additionalProperties: false:
 * an unknown key is refused here, with its name, before Losant would refuse it.
 */

export const INSTANCE_ID_PATTERN = /^[A-Fa-f\d]{24}$/u;
export const instanceIdSchema = z.string().regex(INSTANCE_ID_PATTERN, 'instance id must be 24 hexadecimal digits');

export const resourceGroupBySchema = z.enum(['application', 'organization']);
export const dateGroupBySchema = z.enum(['day', 'month']);
export type ResourceGroupBy = z.infer<typeof resourceGroupBySchema>;
export type DateGroupBy = z.infer<typeof dateGroupBySchema>;

const email = z.email({ message: 'must be a valid email address' }).max(1024, 'must be at most 1024 characters');
const callbackUrl = z.url({ message: 'must be an absolute URI' }).max(1024, 'must be at most 1024 characters');
const dateTime = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time, e.g. 2026-01-31T00:00:00Z' });

/** Body of POST /instances/{id}/generateReport (every field optional, no others allowed). */
export const reportOptionsSchema = z.strictObject({
  email: email.optional(),
  callbackUrl: callbackUrl.optional(),
  resourceGroupBy: resourceGroupBySchema.optional(),
  dateGroupBy: dateGroupBySchema.optional(),
  includeSandbox: z.boolean().optional(),
  start: dateTime.optional(),
  end: dateTime.optional(),
});
export type ReportOptions = z.infer<typeof reportOptionsSchema>;

/** One item of an instance's reportConfigs (Losant allows at most 10). */
export const reportConfigSchema = z.strictObject({
  id: z.string().max(48, 'must be at most 48 characters').optional(),
  cron: z.string().min(1, 'is required').max(255, 'must be at most 255 characters'),
  timezone: z.string().max(255, 'must be at most 255 characters').optional(),
  emails: z.array(email).max(10, 'at most 10 addresses').optional(),
  callbackUrl: callbackUrl.optional(),
  resourceGroupBy: resourceGroupBySchema.optional(),
  dateGroupBy: dateGroupBySchema.optional(),
  periods: z.number().int('must be a whole number').min(1, 'must be from 1 to 90').max(90, 'must be from 1 to 90').optional(),
  includeSandbox: z.boolean().optional(),
});
export type ReportConfig = z.infer<typeof reportConfigSchema>;

export const reportConfigsSchema = z.array(reportConfigSchema).max(10, 'an instance holds at most 10 report configs');

const limitValue = z.number().int('must be a whole number').min(0, 'must be 0 or more');

/** The limit keys an organization default limit config may set. */
export const ORG_LIMIT_KEYS = [
  'apitoken',
  'application',
  'applicationcertificate',
  'applicationcertificateauthority',
  'applicationkey',
  'credential',
  'dashboard',
  'datatable',
  'device',
  'devicerecipe',
  'experiencedomain',
  'experienceendpoint',
  'experiencegroup',
  'experienceslug',
  'experienceuser',
  'experienceversion',
  'experienceview',
  'file',
  'flow',
  'integration',
  'notebook',
  'privatefile',
  'resourcejob',
  'webhook',
  'dataTTL',
  'member',
  'payload',
  'storage',
  'notebookMinutesPerRun',
  'notebookMinutesPerMonth',
  'notebookInParallel',
  'experienceFlowSlots',
  'applicationFlowSlots',
  'systemInterval',
] as const;

type OrgLimitKey = (typeof ORG_LIMIT_KEYS)[number];

/** The limits whose bounds in Losant's schema are narrower than "a whole number, 0 or more". */
const NARROWER_LIMITS: Partial<Record<OrgLimitKey, z.ZodNumber>> = {
  dataTTL: z.number().int('must be a whole number').min(86_400, 'must be at least 86400'),
  systemInterval: z.number().int('must be a whole number').min(5, 'must be from 5 to 3600').max(3600, 'must be from 5 to 3600'),
};

const orgDefaultLimitConfigSchema = z.strictObject(
  // as: Object.fromEntries forgets the keys; there is one entry per organization limit.
  Object.fromEntries(ORG_LIMIT_KEYS.map((key) => [key, (NARROWER_LIMITS[key] ?? limitValue).optional()])) as Record<OrgLimitKey, z.ZodOptional<z.ZodNumber>>,
);

/** Body of PATCH /instances/{id}: only these three keys are accepted by Losant. */
export const instancePatchSchema = z.strictObject({
  reportConfigs: reportConfigsSchema.optional(),
  orgDefaultLimitConfig: orgDefaultLimitConfigSchema.optional(),
  mfaMode: z.enum(['notRequired', 'adminRequired', 'required']).optional(),
});
export type InstancePatch = z.infer<typeof instancePatchSchema>;

/**
 * What the client sends as a PATCH. Losant's PATCH replaces the whole reportConfigs array, so it
 * carries the instance's other configs too, and those go back as Losant gave them: fields this
 * version does not know (Losant adds some between API versions) included, never checked against
 * this version's rules, which they need not meet. The configs this service manages are checked
 * strictly where they are made (reportConfigSchema, src/schedules/schedule-service.ts).
 */
export const instancePatchBodySchema = instancePatchSchema.extend({
  reportConfigs: z
    .array(z.looseObject({ cron: z.string().min(1, 'is required') }))
    .max(10, 'an instance holds at most 10 report configs')
    .optional(),
});
export type InstancePatchBody = z.input<typeof instancePatchBodySchema>;
