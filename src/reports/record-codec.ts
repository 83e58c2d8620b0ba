import { z } from 'zod';
import { CorruptDataError, describeIssues } from '../errors.js';
import type { ReportRecord } from './record.js';
import { countFieldSchema, historyEntrySchema, JSON_FIELD_SCHEMAS, JSON_FIELDS, reportStatusSchema, type JsonField } from './record-schema.js';

/** Fields a record's hash holds besides its JSON parts and status, as written by the store. */
export type RecordFields = Partial<Pick<ReportRecord, JsonField | 'emailAttempts' | 'runs'>>;

/** A JSON field's text, parsed and checked; a text that is not JSON is an issue of that field. */
const jsonText = <T>(schema: z.ZodType<T>) =>
  z
    .string()
    .transform((text, ctx): unknown => {
      try {
        return JSON.parse(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);

/** '' (how the store writes "none") and a missing field both read as null. */
const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value === '' ? null : value));

const recordHashSchema = z.object({
  id: z.string().min(1),
  status: reportStatusSchema,
  source: z.enum(['api', 'schedule']),
  scheduleId: optionalText,
  scheduleName: optionalText,
  seriesKey: z.string().min(1),
  createdAt: z.string().min(1),
  updatedAt: z.string().min(1),
  overdueAt: optionalText,
  emailAttempts: countFieldSchema.default(0),
  runs: countFieldSchema.default(1),
  callbackDuplicates: countFieldSchema.default(0),
  request: jsonText(JSON_FIELD_SCHEMAS.request),
  delivery: jsonText(JSON_FIELD_SCHEMAS.delivery),
  losant: jsonText(JSON_FIELD_SCHEMAS.losant),
  reRequest: jsonText(JSON_FIELD_SCHEMAS.reRequest).default(null),
  callback: jsonText(JSON_FIELD_SCHEMAS.callback).default(null),
  interpretation: jsonText(JSON_FIELD_SCHEMAS.interpretation).default(null),
  download: jsonText(JSON_FIELD_SCHEMAS.download).default(null),
  archive: jsonText(JSON_FIELD_SCHEMAS.archive).default(null),
  summary: jsonText(JSON_FIELD_SCHEMAS.summary).default(null),
  comparison: jsonText(JSON_FIELD_SCHEMAS.comparison).default(null),
  email: jsonText(JSON_FIELD_SCHEMAS.email).default(null),
  error: jsonText(JSON_FIELD_SCHEMAS.error).default(null),
});

const historySchema = z.array(jsonText(historyEntrySchema));

/**
 * A record as read from its hash and history list. Anything off (a field missing, a status this
 * version does not know, JSON that does not parse or has another shape) is a CorruptDataError
 * naming the key and every problem.
 */
export function decodeRecord(key: string, hash: Record<string, string>, history: string[]): ReportRecord {
  const parsed = recordHashSchema.safeParse(hash);
  const entries = historySchema.safeParse(history);
  if (!parsed.success || !entries.success) {
    const problems = [
      ...(parsed.success ? [] : describeIssues(parsed.error.issues)),
      ...(entries.success ? [] : describeIssues(entries.error.issues).map((problem) => `history ${problem}`)),
    ];
    throw new CorruptDataError(key, problems);
  }
  const { callbackDuplicates, ...record } = parsed.data;
  return {
    ...record,
    callback: record.callback === null ? null : { ...record.callback, duplicates: callbackDuplicates },
    history: entries.data,
  };
}

/** The hash fields and values that store `fields`: JSON parts as JSON, counts as decimal text. */
export function encodeFields(fields: RecordFields): string[] {
  const out: string[] = [];
  for (const name of JSON_FIELDS) {
    if (fields[name] !== undefined) out.push(name, JSON.stringify(fields[name]));
  }
  if (fields.emailAttempts !== undefined) out.push('emailAttempts', String(fields.emailAttempts));
  if (fields.runs !== undefined) out.push('runs', String(fields.runs));
  return out;
}
