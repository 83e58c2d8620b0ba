import { z } from 'zod';
import { setOwn } from '../own-record.js';
import { insightsSchema } from '../insights/schema.js';
import type { ReportSummary, SummaryComparison } from '../summary/types.js';
import type {
  ArchiveInfo,
  CallbackInfo,
  DeliveryPlan,
  DownloadInfo,
  EmailInfo,
  HistoryEntry,
  Interpretation,
  LosantJobInfo,
  ReRequestLink,
  ReportError,
  ReportRequest,
} from './record.js';
import { REPORT_STATUSES } from './state-machine.js';

/**
 * What a report record's parts must look like when read back from Redis. Redis data is input
 * like any other: a record written by an older version, edited by hand or by another program
 * sharing the prefix fails here, with the key's name, instead of deep inside a step. Each
 * schema is tied to its TypeScript type, so the two cannot drift apart.
 */

export const reportStatusSchema = z.enum(REPORT_STATUSES);

// Spelled out rather than imported from src/losant: the worker process reads records and must
// not load the Losant client's modules (test/unit/worker-import-graph.test.ts). The ZodType
// annotation keeps the values in step with the Losant request types.
const requestSchema: z.ZodType<ReportRequest> = z.object({
  start: z.string().exactOptional(),
  end: z.string().exactOptional(),
  resourceGroupBy: z.enum(['application', 'organization']).exactOptional(),
  dateGroupBy: z.enum(['day', 'month']).exactOptional(),
  includeSandbox: z.boolean().exactOptional(),
});

const deliverySchema: z.ZodType<DeliveryPlan> = z.object({ email: z.boolean(), archive: z.boolean(), recipients: z.array(z.string()) });

const reRequestSchema: z.ZodType<ReRequestLink> = z.object({ of: z.string().nullable(), as: z.string().nullable(), group: z.string().min(1) });

const losantSchema: z.ZodType<LosantJobInfo> = z.object({ jobId: z.string().nullable(), acceptedAt: z.string().nullable(), legacy: z.boolean() });

export const callbackInfoSchema: z.ZodType<CallbackInfo> = z.object({
  receivedAt: z.string(),
  contentType: z.string().nullable(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string(),
  headers: z.record(z.string(), z.string()),
  jobId: z.string().nullable(),
  duplicates: z.number().int().nonnegative(),
  headersDropped: z.number().int().nonnegative().exactOptional(),
  contentEncoding: z.string().exactOptional(),
  bodyArchiveKey: z.string().exactOptional(),
});

const interpretationSchema: z.ZodType<Interpretation> = z.object({
  kind: z.enum(['download', 'inline', 'failure', 'unrecognized']),
  hosts: z.array(z.string()).exactOptional(),
  urlCount: z.number().int().nonnegative().exactOptional(),
  error: z.object({ name: z.string(), message: z.string() }).exactOptional(),
  reason: z.string().exactOptional(),
});

const downloadSchema: z.ZodType<DownloadInfo> = z.object({
  bytes: z.number().nonnegative(),
  sha256: z.string(),
  sources: z.number().int().nonnegative(),
  at: z.string(),
});

const archivedFileSchema = z.object({ key: z.string(), location: z.string(), sha256: z.string(), bytes: z.number().nonnegative() });
const archiveSchema: z.ZodType<ArchiveInfo> = z.object({ csv: archivedFileSchema, summary: archivedFileSchema.nullable(), at: z.string() });

const emailSchema: z.ZodType<EmailInfo> = z.object({
  messageId: z.string(),
  accepted: z.array(z.string()),
  rejected: z.array(z.string()),
  outboxPath: z.string().nullable(),
  sentAt: z.string(),
  attachment: z.string(),
});

const errorSchema: z.ZodType<ReportError> = z.object({
  step: z.enum(['request', 'callback', 'download', 'archive', 'parse', 'email', 'internal']),
  code: z.string(),
  message: z.string(),
  permanent: z.boolean(),
  at: z.string(),
});

/**
 * A record keyed by names that come from the CSV (column names): any name is a key, `__proto__`
 * included. zod's own record schema copies entries by assignment, which would turn such a key
 * into a prototype change and lose it, so entries are defined as own properties (setOwn) instead.
 */
export function namedRecord<T>(valueSchema: z.ZodType<T>) {
  return z.unknown().transform((value, ctx): Record<string, T> => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      ctx.addIssue({ code: 'custom', message: 'must be an object' });
      return z.NEVER;
    }
    const out: Record<string, T> = {};
    for (const [name, item] of Object.entries(value)) {
      const parsed = valueSchema.safeParse(item);
      if (parsed.success) setOwn(out, name, parsed.data);
      else for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: [name, ...issue.path] });
    }
    return out;
  });
}

const periodSchema = z.object({ start: z.string().nullable(), end: z.string().nullable() });

const periodSeriesSchema = z.object({
  starts: z.array(z.string()),
  columns: namedRecord(z.array(z.number().nullable())),
  capped: z.boolean(),
});

export const summarySchema: z.ZodType<ReportSummary> = z.object({
  rows: z.number().int().nonnegative(),
  badRowCount: z.number().int().nonnegative(),
  badRows: z.array(z.object({ line: z.number().int(), reason: z.string() })),
  columns: z.array(z.string()),
  period: periodSchema,
  grouping: z.object({ resource: z.enum(['organization', 'application', 'unknown']), date: z.enum(['day', 'month', 'unknown']) }),
  resourceCount: z.number().int().nonnegative(),
  // A summary stored before the field existed reads as 0: whether it was capped was not recorded.
  resourcesCapped: z.number().int().nonnegative().default(0),
  totals: namedRecord(z.number()),
  levels: namedRecord(z.object({ peak: z.number(), latest: z.number(), peakPeriod: z.string().nullable() })),
  levelsUnavailable: z.string().nullable(),
  top: z.array(
    z.object({
      column: z.string(),
      label: z.string(),
      entries: z.array(z.object({ id: z.string(), name: z.string(), value: z.number(), share: z.number() })),
    }),
  ),
  // A summary stored before the field existed has no series.
  periodSeries: periodSeriesSchema.nullable().default(null),
  // A summary stored before the field existed has no insights.
  insights: insightsSchema.nullable().optional(),
});

const comparisonSchema: z.ZodType<SummaryComparison> = z.object({
  previousReportId: z.string(),
  previousPeriod: periodSchema,
  totals: namedRecord(z.object({ previous: z.number(), current: z.number(), delta: z.number(), ratio: z.number().nullable() })),
});

/** The record's fields stored as JSON in its hash, each with its schema. */
export const JSON_FIELD_SCHEMAS = {
  request: requestSchema,
  delivery: deliverySchema,
  losant: losantSchema,
  reRequest: reRequestSchema.nullable(),
  callback: callbackInfoSchema.nullable(),
  interpretation: interpretationSchema.nullable(),
  download: downloadSchema.nullable(),
  archive: archiveSchema.nullable(),
  summary: summarySchema.nullable(),
  comparison: comparisonSchema.nullable(),
  email: emailSchema.nullable(),
  error: errorSchema.nullable(),
};
export type JsonField = keyof typeof JSON_FIELD_SCHEMAS;
// as: Object.keys gives string[]; the object is a literal, so its keys are exactly the JSON fields.
export const JSON_FIELDS = Object.keys(JSON_FIELD_SCHEMAS) as JsonField[];

export const historyEntrySchema: z.ZodType<HistoryEntry> = z.object({ at: z.string(), status: reportStatusSchema, note: z.string().exactOptional() });

/** A series' latest delivered summary. */
export const seriesEntrySchema = z.object({ reportId: z.string(), summary: summarySchema });

/** A count or size stored as a decimal string. */
export const countFieldSchema = z.string().regex(/^\d+$/u, 'must be a whole number').transform(Number);
