import { z } from 'zod';

/**
 * What Losant answers, after Losant's published JSON schemas (API v1.30.0). Those schemas mark no
 * field as required, so "required" here means what every documented example carries and what this
 * project reads; those fields must be present with the right type, or the answer is refused as
 * malformed at the edge instead of failing later. Objects are loose: a field Losant adds later is
 * kept, not an error. Enums are checked only where we send the value back (report configs);
 * elsewhere a new value from a newer Losant is plain data.
 */

const dateTime = z.iso.datetime({ offset: true });
const count = z.number().int();
const hexId = z.string().regex(/^[A-Fa-f\d]{24}$/u, 'must be 24 hexadecimal digits');
/** `{source: number}` per payload type, e.g. `{"device.mqtt": 1016}`; bytes with asBytes=true. */
const sourceCounts = z.record(z.string(), z.number());

/**
 * A report config as stored on the instance (with the id Losant assigned). Loose, enums included:
 * the instance's configs that this service does not manage go back to Losant as read, so a field
 * or a value a newer Losant added is kept, not refused (the configs this service manages are
 * checked where they are made).
 */
export const instanceReportConfigSchema = z.looseObject({
  id: z.string().optional(),
  cron: z.string(),
  timezone: z.string().optional(),
  emails: z.array(z.string()).optional(),
  callbackUrl: z.string().optional(),
  resourceGroupBy: z.string().optional(),
  dateGroupBy: z.string().optional(),
  periods: count.optional(),
  includeSandbox: z.boolean().optional(),
});
export type InstanceReportConfig = z.infer<typeof instanceReportConfigSchema>;

export const instanceSchema = z.looseObject({
  id: hexId,
  instanceId: hexId,
  name: z.string(),
  creationDate: dateTime.optional(),
  lastUpdated: dateTime.optional(),
  allowAuditLogging: z.boolean().optional(),
  reportConfigs: z.array(instanceReportConfigSchema).optional(),
  limits: z.record(z.string(), z.number()).optional(),
  orgDefaultLimitConfig: z.record(z.string(), z.number()).optional(),
  members: z.array(z.looseObject({ userId: z.string(), role: z.string() })).optional(),
  mfaMode: z.string().optional(),
});
export type Instance = z.infer<typeof instanceSchema>;

const rangeOf = <T extends z.ZodType>(item: T) =>
  z.looseObject({
    start: dateTime,
    end: dateTime,
    counts: z.array(item),
  });

export const deviceCountsSchema = rangeOf(z.looseObject({ date: dateTime, created: count, deleted: count, total: count }));
export type DeviceCounts = z.infer<typeof deviceCountsSchema>;

export const notebookMinuteCountsSchema = rangeOf(
  z.looseObject({ date: dateTime, minutes: count, completed: count, canceled: count, errored: count, timeout: count }),
);
export type NotebookMinuteCounts = z.infer<typeof notebookMinuteCountsSchema>;

export const payloadCountsBreakdownSchema = rangeOf(z.looseObject({ date: dateTime, value: count }));
export type PayloadCountsBreakdown = z.infer<typeof payloadCountsBreakdownSchema>;

export const PAYLOAD_TYPES = [
  'appFile',
  'dataTable',
  'deviceCreate',
  'deviceCommand',
  'deviceConnect',
  'deviceDisconnect',
  'deviceState',
  'endpoint',
  'event',
  'flowError',
  'inboundEmail',
  'integration',
  'mqttIn',
  'mqttOut',
  'notebook',
  'resourceJob',
  'timer',
  'virtualButton',
  'webhook',
] as const;
export type PayloadType = (typeof PAYLOAD_TYPES)[number];

/**
 * Payload Stats: a map per payload type. Losant's own example summaries carry types outside the
 * 19 documented ones (`mqtt`), so any key is accepted as long as its value has the same shape.
 */
export const payloadStatsSchema = z.record(z.string(), sourceCounts);
export type PayloadStats = z.infer<typeof payloadStatsSchema>;

const optionalNumber = z.number().optional();

export const historicalSummarySchema = z.looseObject({
  resourceType: z.string(),
  resourceId: z.string(),
  resourceName: z.string().optional(),
  resourceProration: optionalNumber,
  ownerType: z.string().optional(),
  ownerId: z.string().optional(),
  ownerName: z.string().optional(),
  limits: z.record(z.string(), z.number()).optional(),
  currentPeriodStart: dateTime,
  currentPeriodEnd: dateTime,
  applicationCount: optionalNumber,
  applicationCountProrated: optionalNumber,
  userCount: optionalNumber,
  userCountProrated: optionalNumber,
  apiTokenCount: optionalNumber,
  applicationKeyCount: optionalNumber,
  certificateAuthorityCount: optionalNumber,
  certificateCount: optionalNumber,
  credentialCount: optionalNumber,
  dashboardCount: optionalNumber,
  dashboardCountProrated: optionalNumber,
  dataTableCount: optionalNumber,
  dataTableRowCount: optionalNumber,
  dataTableTotalSizeMb: optionalNumber,
  deviceCount: optionalNumber,
  deviceCountProrated: optionalNumber,
  deviceRecipeCount: optionalNumber,
  eventCount: optionalNumber,
  experienceDomainCount: optionalNumber,
  experienceEndpointCount: optionalNumber,
  experienceGroupCount: optionalNumber,
  experienceSlugCount: optionalNumber,
  experienceUserCount: optionalNumber,
  experienceVersionCount: optionalNumber,
  experienceViewCount: optionalNumber,
  fileCount: optionalNumber,
  fileTotalSizeMb: optionalNumber,
  integrationCount: optionalNumber,
  notebookCount: optionalNumber,
  resourceJobCount: optionalNumber,
  notebookRunCount: optionalNumber,
  notebookMinutesCount: optionalNumber,
  privateFileCount: optionalNumber,
  privateFileTotalSizeMb: optionalNumber,
  webhookCount: optionalNumber,
  workflowCount: optionalNumber,
  payloadBillableCount: optionalNumber,
  payloadNonbillableCount: optionalNumber,
  payloadBillableSizeMb: optionalNumber,
  payloadNonbillableSizeMb: optionalNumber,
  payloadCountDetails: payloadStatsSchema.optional(),
  payloadSizeDetails: payloadStatsSchema.optional(),
});
export type HistoricalSummary = z.infer<typeof historicalSummarySchema>;

export const historicalSummariesSchema = z.looseObject({
  items: z.array(historicalSummarySchema),
  count: count,
  totalCount: count,
  perPage: count,
  page: count,
  filter: z.string().optional(),
  filterField: z.string().optional(),
  sortField: z.string().optional(),
  sortDirection: z.string().optional(),
});
export type HistoricalSummaries = z.infer<typeof historicalSummariesSchema>;

/** The 202 answer to generateReport (API v1.24.2 and later). */
export const jobEnqueuedApiResultSchema = z.looseObject({
  jobQueued: z.literal(true),
  jobId: z.string().min(1).max(21),
  success: z.literal(true),
});
export type JobEnqueuedApiResult = z.infer<typeof jobEnqueuedApiResultSchema>;

/** The 200 answer to generateReport before API v1.24.2 (no job id). */
export const successSchema = z.looseObject({ success: z.literal(true) });
export type Success = z.infer<typeof successSchema>;

/** Every Losant error body. Both fields are optional here: an error is an error even if its body is odd. */
export const errorSchema = z.looseObject({
  type: z.string().optional(),
  message: z.string().optional(),
});
export type LosantErrorBody = z.infer<typeof errorSchema>;
