import { z } from 'zod';
import { AppError, InternalError, ValidationError, formatIssues } from '../errors.js';
import type { Logger } from '../log.js';
import { traceFields, type Trace } from '../trace.js';
import { dateGroupBySchema, resourceGroupBySchema, type ReportOptions } from '../losant/request-schemas.js';
import type { ReportRecord, ReportRequest, ReRequestLink } from './record.js';
import { generateId, generateSecret, hashSecret } from './secrets.js';
import { seriesKeyForRequest, seriesKeyForSchedule } from './series.js';
import type { ReportStore } from './store.js';

/** What the admin API accepts for a new report. */
export const reportRequestSchema = z
  .strictObject({
    start: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional(),
    end: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional(),
    resourceGroupBy: resourceGroupBySchema.optional(),
    dateGroupBy: dateGroupBySchema.optional(),
    includeSandbox: z.boolean().optional(),
    recipients: z
      .array(z.email({ message: 'must be a valid email address' }))
      .max(10, 'at most 10 recipients')
      .optional(),
    email: z.boolean().optional(),
    archive: z.boolean().optional(),
  })
  .refine((body) => body.start === undefined || body.end === undefined || Date.parse(body.start) < Date.parse(body.end), {
    message: 'start must be before end',
    path: ['end'],
  });
export type AdminReportRequest = z.infer<typeof reportRequestSchema>;

/** The part of the Losant client this needs: a narrow interface keeps tests honest and simple. */
export interface ReportGenerator {
  generateReport(options: ReportOptions): Promise<{ jobId: string | null; legacy: boolean }>;
}

export interface RequestReportDeps {
  store: ReportStore;
  losant: ReportGenerator;
  publicUrl: string;
  defaultRecipients: readonly string[];
  overdueMs: number;
  logger: Logger;
  now?: () => Date;
}

/**
 * A report asked for on behalf of something else, whose id the caller chose (and linked) before
 * Losant is asked: a schedule's missed run asked for again (linked to the schedule and in its
 * series, so it is compared with the schedule's other runs), or an overdue report asked for again
 * (linked to it and in its series).
 */
export interface RequestOrigin {
  reportId: string;
  note: string;
  scheduleId?: string | null;
  scheduleName?: string | null;
  /** The series, when not the one the options or the schedule make. */
  seriesKey?: string;
  reRequest?: ReRequestLink;
}

export type RequestReportResult = { ok: true; record: ReportRecord } | { ok: false; record: ReportRecord; error: AppError };

export function parseReportRequest(body: unknown): AdminReportRequest {
  const result = reportRequestSchema.safeParse(body ?? {});
  if (!result.success) throw new ValidationError(`Invalid report request: ${formatIssues(result.error.issues)}`, result.error.issues);
  return result.data;
}

/**
 * Creates the record first (with a fresh secret), then asks Losant. The record exists before
 * Losant can call back, so a callback that beats Losant's 202 answer still finds it.
 */
export function createReportRequester(deps: RequestReportDeps) {
  const now = deps.now ?? (() => new Date());

  return async function requestReport(input: AdminReportRequest, origin?: RequestOrigin, trace?: Trace): Promise<RequestReportResult> {
    const recipients = input.recipients ?? [...deps.defaultRecipients];
    const email = input.email ?? recipients.length > 0;
    const archive = input.archive ?? true;
    if (email && recipients.length === 0) {
      throw new ValidationError('email is requested but there are no recipients: give "recipients" or set REPORT_EMAIL_TO');
    }
    if (!email && !archive) throw new ValidationError('nothing to deliver: set "email" or "archive" (or both) to true');

    const request: ReportRequest = {};
    for (const key of ['start', 'end', 'resourceGroupBy', 'dateGroupBy', 'includeSandbox'] as const) {
      if (input[key] !== undefined) Object.assign(request, { [key]: input[key] });
    }
    const id = origin?.reportId ?? generateId('r');
    const secret = generateSecret();
    await deps.store.create({
      id,
      source: 'api',
      scheduleId: origin?.scheduleId ?? null,
      ...(typeof origin?.scheduleName === 'string' ? { scheduleName: origin.scheduleName } : {}),
      ...(origin?.reRequest ? { reRequest: origin.reRequest } : {}),
      request,
      delivery: { email, archive, recipients: email ? recipients : [] },
      seriesKey: origin?.seriesKey ?? (typeof origin?.scheduleId === 'string' ? seriesKeyForSchedule(origin.scheduleId) : seriesKeyForRequest(request)),
      secretHash: hashSecret(secret),
      status: 'requested',
      overdueAt: new Date(now().getTime() + deps.overdueMs),
      note: origin?.note ?? 'report requested through the admin API',
    });

    const callbackUrl = `${deps.publicUrl}/callbacks/r/${id}/${secret}`;
    const log = deps.logger.child({ reportId: id, ...traceFields(trace) });
    try {
      const answer = await deps.losant.generateReport({ ...request, callbackUrl });
      const losant = { jobId: answer.jobId, acceptedAt: now().toISOString(), legacy: answer.legacy };
      const note = answer.legacy ? 'Losant accepted the request (old API: no job id)' : `Losant queued job ${answer.jobId ?? ''}`;
      const moved = await deps.store.markAccepted(id, losant, note);
      if (!moved.ok) {
        // The callback came first: keep its status, just record Losant's job id.
        const current = await deps.store.get(id);
        const known = current?.losant.jobId ?? null;
        await deps.store.recordLosantJob(id, { ...losant, jobId: known ?? answer.jobId }, note);
      }
      log.info({ losantJobId: answer.jobId }, 'report requested from Losant');
      return { ok: true, record: await deps.store.getExisting(id) };
    } catch (error) {
      const appError = error instanceof AppError ? error : new InternalError('Unexpected error while calling Losant', { cause: error });
      if (appError.code === 'losant_outcome_unknown') {
        // Losant may have queued the job before the connection failed: keep waiting for its callback.
        await deps.store.addNote(id, `Losant's answer was lost (${appError.message}); waiting for a callback until the overdue deadline`);
      } else {
        await deps.store.markRequestFailed(
          id,
          { step: 'request', code: appError.code, message: appError.message, permanent: true, at: now().toISOString() },
          `Losant refused the request: ${appError.message}`,
        );
      }
      log.warn({ code: appError.code, err: appError }, 'report request to Losant failed');
      return { ok: false, record: await deps.store.getExisting(id), error: appError };
    }
  };
}
export type RequestReport = ReturnType<typeof createReportRequester>;
