import { insightsSchema } from '../../insights/schema.js';
import { z } from 'zod';
import type { ReportRecord } from '../../reports/record.js';
import { REPORT_STATUSES } from '../../reports/state-machine.js';

/**
 * What the admin API says about a report: a view built from the stored record at the HTTP edge.
 * Bookkeeping the steps keep for themselves (run counter, email attempts, download hosts, outbox
 * paths, archive keys) stays out, so the stored shape can change
 * without changing the API, and the API promises only what is named here. The schemas are strict:
 * the tests validate every answer against them, so a field that leaks in fails there.
 */

const status = z.enum(REPORT_STATUSES);
const timestamp = z.string();

export const reportErrorViewSchema = z.strictObject({
  step: z.enum(['request', 'callback', 'download', 'archive', 'parse', 'email', 'internal']),
  code: z.string(),
  message: z.string(),
  /** Whether running the report again may succeed (false: the cause must be fixed first). */
  retryable: z.boolean(),
  at: timestamp,
});

const requestViewSchema = z.strictObject({
  start: z.string().optional(),
  end: z.string().optional(),
  resourceGroupBy: z.enum(['application', 'organization']).optional(),
  dateGroupBy: z.enum(['day', 'month']).optional(),
  includeSandbox: z.boolean().optional(),
});

const periodSchema = z.strictObject({ start: z.string().nullable(), end: z.string().nullable() });

export const summaryViewSchema = z.strictObject({
  rows: z.number().int().nonnegative(),
  badRowCount: z.number().int().nonnegative(),
  badRows: z.array(z.strictObject({ line: z.number().int(), reason: z.string() })),
  columns: z.array(z.string()),
  period: periodSchema,
  grouping: z.strictObject({ resource: z.enum(['organization', 'application', 'unknown']), date: z.enum(['day', 'month', 'unknown']) }),
  resourceCount: z.number().int().nonnegative(),
  /** Rows counted in the totals only: their resources came after the resource cap (100,000) was reached. */
  resourcesCapped: z.number().int().nonnegative(),
  /** Column name -> sum over the rows. */
  totals: z.record(z.string(), z.number()),
  /** Column name -> per-period peak and latest, for columns that are levels (device counts...). */
  levels: z.record(z.string(), z.strictObject({ peak: z.number(), latest: z.number(), peakPeriod: z.string().nullable() })),
  levelsUnavailable: z.string().nullable(),
  top: z.array(
    z.strictObject({
      column: z.string(),
      label: z.string(),
      entries: z.array(z.strictObject({ id: z.string(), name: z.string(), value: z.number(), share: z.number() })),
    }),
  ),
  /**
   * The main usage columns summed across resources per day or month (as grouping.date says), dated
   * periods in order, at most 400 (capped: more were in the report); null without dated rows and
   * for reports summarized before it existed.
   */
  periodSeries: z.strictObject({ starts: z.array(z.string()), columns: z.record(z.string(), z.array(z.number().nullable())), capped: z.boolean() }).nullable(),
  /** Limits, month-end projections and the reconciliation with Losant (src/insights); null when not computed, absent on summaries stored before them. */
  insights: insightsSchema.nullable().optional(),
});

const comparisonViewSchema = z.strictObject({
  previousReportId: z.string(),
  previousPeriod: periodSchema,
  totals: z.record(z.string(), z.strictObject({ previous: z.number(), current: z.number(), delta: z.number(), ratio: z.number().nullable() })),
});

const archivedFileViewSchema = z.strictObject({ location: z.string(), sha256: z.string(), bytes: z.number().nonnegative() });

/** The fields a report's list entry and its full view share. */
const reportHeadShape = {
  id: z.string(),
  status,
  source: z.enum(['api', 'schedule']),
  scheduleId: z.string().nullable(),
  scheduleName: z.string().nullable(),
  request: requestViewSchema,
  /** Reports in one series are compared with each other. */
  seriesKey: z.string(),
  createdAt: timestamp,
  updatedAt: timestamp,
  overdueAt: timestamp.nullable(),
  error: reportErrorViewSchema.nullable(),
};

export const reportListItemSchema = z.strictObject(reportHeadShape);

export const reportViewSchema = z.strictObject({
  ...reportHeadShape,
  delivery: z.strictObject({ email: z.boolean(), archive: z.boolean(), recipients: z.array(z.string()) }),
  losant: z.strictObject({ jobId: z.string().nullable(), acceptedAt: timestamp.nullable() }),
  /** The overdue report this one was asked of Losant in place of, and the one asked for in this one's place. */
  reRequestOf: z.string().nullable(),
  reRequestedAs: z.string().nullable(),
  callback: z
    .strictObject({
      receivedAt: timestamp,
      contentType: z.string().nullable(),
      bytes: z.number().int().nonnegative(),
      sha256: z.string(),
      jobId: z.string().nullable(),
      /** Repeated deliveries of the same callback, answered without processing. */
      duplicates: z.number().int().nonnegative(),
      /** The body's Content-Encoding when it was kept compressed, as it arrived; null when it came plain. */
      contentEncoding: z.string().nullable(),
      /** The request's headers as received: every one, up to 64, credentials shown as "[redacted]". */
      headers: z.record(z.string(), z.string()),
      /** Headers left out past the 64 kept. */
      headersDropped: z.number().int().nonnegative(),
    })
    .nullable(),
  interpretation: z
    .strictObject({
      kind: z.enum(['download', 'inline', 'failure', 'unrecognized']),
      urlCount: z.number().int().nonnegative().optional(),
      error: z.strictObject({ name: z.string(), message: z.string() }).optional(),
      reason: z.string().optional(),
    })
    .nullable(),
  download: z.strictObject({ bytes: z.number().nonnegative(), sha256: z.string(), sources: z.number().int().nonnegative(), at: timestamp }).nullable(),
  archive: z.strictObject({ csv: archivedFileViewSchema, summary: archivedFileViewSchema.nullable(), at: timestamp }).nullable(),
  summary: summaryViewSchema.nullable(),
  comparison: comparisonViewSchema.nullable(),
  email: z
    .strictObject({ messageId: z.string(), accepted: z.array(z.string()), rejected: z.array(z.string()), sentAt: timestamp, attachment: z.string() })
    .nullable(),
  history: z.array(z.strictObject({ at: timestamp, status, note: z.string().optional() })),
});

export type ReportListItem = z.infer<typeof reportListItemSchema>;
export type ReportView = z.infer<typeof reportViewSchema>;

function errorView(record: ReportRecord): ReportListItem['error'] {
  const { error } = record;
  return error === null ? null : { step: error.step, code: error.code, message: error.message, retryable: !error.permanent, at: error.at };
}

function head(record: ReportRecord): ReportListItem {
  return {
    id: record.id,
    status: record.status,
    source: record.source,
    scheduleId: record.scheduleId,
    scheduleName: record.scheduleName,
    request: { ...record.request },
    seriesKey: record.seriesKey,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    overdueAt: record.overdueAt,
    error: errorView(record),
  };
}

/** A report in a list: what it is and where it stands, without its summary. */
export function toReportListItem(record: ReportRecord): ReportListItem {
  return head(record);
}

/** A report in full: its request, where it stands, what each step produced, and its history. */
export function toReportView(record: ReportRecord): ReportView {
  const { callback, interpretation, download, archive, email } = record;
  const file = (archived: { location: string; sha256: string; bytes: number }) => ({
    location: archived.location,
    sha256: archived.sha256,
    bytes: archived.bytes,
  });
  return {
    ...head(record),
    delivery: { email: record.delivery.email, archive: record.delivery.archive, recipients: [...record.delivery.recipients] },
    losant: { jobId: record.losant.jobId, acceptedAt: record.losant.acceptedAt },
    reRequestOf: record.reRequest?.of ?? null,
    reRequestedAs: record.reRequest?.as ?? null,
    callback:
      callback === null
        ? null
        : {
            receivedAt: callback.receivedAt,
            contentType: callback.contentType,
            bytes: callback.bytes,
            sha256: callback.sha256,
            jobId: callback.jobId,
            duplicates: callback.duplicates,
            contentEncoding: callback.contentEncoding ?? null,
            headers: { ...callback.headers },
            headersDropped: callback.headersDropped ?? 0,
          },
    interpretation:
      interpretation === null
        ? null
        : {
            kind: interpretation.kind,
            ...(interpretation.urlCount === undefined ? {} : { urlCount: interpretation.urlCount }),
            ...(interpretation.error === undefined ? {} : { error: { name: interpretation.error.name, message: interpretation.error.message } }),
            ...(interpretation.reason === undefined ? {} : { reason: interpretation.reason }),
          },
    download: download === null ? null : { bytes: download.bytes, sha256: download.sha256, sources: download.sources, at: download.at },
    archive: archive === null ? null : { csv: file(archive.csv), summary: archive.summary === null ? null : file(archive.summary), at: archive.at },
    summary: record.summary,
    comparison: record.comparison,
    email:
      email === null
        ? null
        : { messageId: email.messageId, accepted: [...email.accepted], rejected: [...email.rejected], sentAt: email.sentAt, attachment: email.attachment },
    history: record.history.map((entry) => ({ at: entry.at, status: entry.status, ...(entry.note === undefined ? {} : { note: entry.note }) })),
  };
}
