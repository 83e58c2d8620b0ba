import { Router } from 'express';
import type { z } from 'zod';
import { NotFoundError, ValidationError, formatIssues } from '../../errors.js';
import { callbackDownloadHeaders, openKeptCallback } from '../../reports/kept-callback.js';
import type { RejectedCallbacks } from '../../reports/rejected-callbacks.js';
import type { ReRequestReport } from '../../reports/re-request-report.js';
import { parseReportRequest, type RequestReport, type RequestReportResult } from '../../reports/request-report.js';
import type { RetryReport } from '../../reports/retry-report.js';
import type { ReportStore } from '../../reports/store.js';
import type { ArchiveTarget } from '../../delivery/archive.js';
import { rejectedCallbackParamsSchema, reportIdParamsSchema, reportListQuerySchema } from '../contract/admin-requests.js';
import { toRejectedCallbackView } from '../contract/rejected-callback-view.js';
import { toReportListItem, toReportView } from '../contract/report-view.js';
import { httpStatusOf } from '../error-status.js';
import { requestIdField } from '../request-context.js';
import { route } from '../handler.js';

export interface AdminReportDeps {
  store: ReportStore;
  /** Where callback bodies dropped from Redis after archiving are read back from. */
  archive: Pick<ArchiveTarget, 'openRead'>;
  rejected: RejectedCallbacks;
  requestReport: RequestReport;
  retryReport: RetryReport;
  reRequestReport: ReRequestReport;
}

/** The path's parameters, parsed with the route's contract (admin-requests.ts): what cannot exist is not found. */
function pathParams<T extends z.ZodObject>(
  schema: T,
  params: Record<string, string | string[]>,
  notFound: (shown: Record<string, string>) => string,
): z.infer<T> {
  const parsed = schema.safeParse(params);
  if (parsed.success) return parsed.data;
  const shown = Object.fromEntries(Object.entries(params).map(([name, value]) => [name, String(value).slice(0, 64)]));
  throw new NotFoundError(notFound(shown));
}

const reportId = (params: Record<string, string | string[]>): string => pathParams(reportIdParamsSchema, params, ({ id }) => `No report ${id ?? ''}`).id;

/** A report asked of Losant: 202 with the report, or Losant's refusal with the report as recorded. */
function requestAnswer(result: RequestReportResult) {
  if (result.ok) return { status: 202, body: { report: toReportView(result.record) } };
  return {
    status: httpStatusOf(result.error.code),
    body: { error: { code: result.error.code, message: result.error.message }, report: toReportView(result.record) },
  };
}

export function adminReportRoutes(deps: AdminReportDeps): Router {
  const router = Router();

  router.post(
    '/admin/reports',
    route(async (req, res) => requestAnswer(await deps.requestReport(parseReportRequest(req.body), undefined, requestIdField(res)))),
  );

  router.get(
    '/admin/reports',
    route(async (req) => {
      const parsed = reportListQuerySchema.safeParse(req.query);
      if (!parsed.success) throw new ValidationError(`Invalid query: ${formatIssues(parsed.error.issues)}`);
      const { status, offset, limit } = parsed.data;
      const { items, total } = await deps.store.list({ offset, limit, ...(status === undefined ? {} : { status }) });
      const next = parsed.data.offset + items.length < total ? parsed.data.offset + parsed.data.limit : null;
      return { status: 200, body: { items: items.map(toReportListItem), total, offset: parsed.data.offset, limit: parsed.data.limit, nextOffset: next } };
    }),
  );

  router.get(
    '/admin/reports/:id',
    route(async (req) => {
      const id = reportId(req.params);
      const record = await deps.store.get(id);
      if (!record) throw new NotFoundError(`No report ${id}`);
      return { status: 200, body: { report: toReportView(record) } };
    }),
  );

  router.get(
    '/admin/reports/:id/callback',
    route(async (req) => {
      const id = reportId(req.params);
      const kept = await openKeptCallback(deps, id);
      if (kept === null) throw new NotFoundError(`No callback kept for report ${id}`);
      return { status: 200, body: kept.body, headers: callbackDownloadHeaders(`callback-${id}.bin`, kept.info) };
    }),
  );

  router.get(
    '/admin/reports/:id/rejected-callbacks',
    route(async (req) => {
      const id = reportId(req.params);
      if (!(await deps.store.get(id))) throw new NotFoundError(`No report ${id}`);
      return { status: 200, body: { items: (await deps.rejected.list(id)).map((entry) => toRejectedCallbackView(id, entry)) } };
    }),
  );

  router.get(
    '/admin/reports/:id/rejected-callbacks/:sha256',
    route(async (req) => {
      const { id, sha256 } = pathParams(
        rejectedCallbackParamsSchema,
        req.params,
        (shown) => `No refused callback ${shown.sha256 ?? ''} kept for report ${shown.id ?? ''}`,
      );
      const entry = (await deps.rejected.list(id)).find((candidate) => candidate.info.sha256 === sha256);
      const body = entry === undefined ? null : await deps.rejected.body(id, sha256);
      if (entry === undefined || body === null) throw new NotFoundError(`No refused callback ${sha256} kept for report ${id}`);
      return { status: 200, body, headers: callbackDownloadHeaders(`rejected-callback-${id}-${sha256.slice(0, 12)}.bin`, entry.info) };
    }),
  );

  router.post(
    '/admin/reports/:id/re-request',
    route(async (req, res) => requestAnswer(await deps.reRequestReport(reportId(req.params), requestIdField(res)))),
  );

  router.post(
    '/admin/reports/:id/retry',
    route(async (req, res) => {
      const { record, started } = await deps.retryReport(reportId(req.params), requestIdField(res));
      return { status: started ? 202 : 200, body: { report: toReportView(record), started } };
    }),
  );

  return router;
}
