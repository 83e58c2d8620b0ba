import { Router } from 'express';
import { z } from 'zod';
import { NotFoundError, ValidationError, formatIssues } from '../../errors.js';
import { REPORT_STATUSES } from '../../reports/state-machine.js';
import { callbackDownloadHeaders, openKeptCallback } from '../../reports/kept-callback.js';
import type { RejectedCallbacks } from '../../reports/rejected-callbacks.js';
import type { ReRequestReport } from '../../reports/re-request-report.js';
import { parseReportRequest, type RequestReport, type RequestReportResult } from '../../reports/request-report.js';
import type { RetryReport } from '../../reports/retry-report.js';
import type { ReportStore } from '../../reports/store.js';
import type { ArchiveTarget } from '../../delivery/archive.js';
import { REPORT_ID_PATTERN } from '../../reports/secrets.js';
import { toRejectedCallbackView } from '../contract/rejected-callback-view.js';
import { toReportListItem, toReportView } from '../contract/report-view.js';
import { httpStatusOf } from '../error-status.js';
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

const listQuery = z.strictObject({
  status: z.enum(REPORT_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

function reportId(value: unknown): string {
  const id = String(value);
  if (!REPORT_ID_PATTERN.test(id)) throw new NotFoundError(`No report ${id.slice(0, 40)}`);
  return id;
}

const SHA256_HEX = /^[0-9a-f]{64}$/u;

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
    route(async (req) => requestAnswer(await deps.requestReport(parseReportRequest(req.body)))),
  );

  router.get(
    '/admin/reports',
    route(async (req) => {
      const parsed = listQuery.safeParse(req.query);
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
      const record = await deps.store.get(reportId(req.params.id));
      if (!record) throw new NotFoundError(`No report ${String(req.params.id)}`);
      return { status: 200, body: { report: toReportView(record) } };
    }),
  );

  router.get(
    '/admin/reports/:id/callback',
    route(async (req) => {
      const id = reportId(req.params.id);
      const kept = await openKeptCallback(deps, id);
      if (kept === null) throw new NotFoundError(`No callback kept for report ${id}`);
      return { status: 200, body: kept.body, headers: callbackDownloadHeaders(`callback-${id}.bin`, kept.info) };
    }),
  );

  router.get(
    '/admin/reports/:id/rejected-callbacks',
    route(async (req) => {
      const id = reportId(req.params.id);
      if (!(await deps.store.get(id))) throw new NotFoundError(`No report ${id}`);
      return { status: 200, body: { items: (await deps.rejected.list(id)).map((entry) => toRejectedCallbackView(id, entry)) } };
    }),
  );

  router.get(
    '/admin/reports/:id/rejected-callbacks/:sha256',
    route(async (req) => {
      const id = reportId(req.params.id);
      const sha256 = String(req.params.sha256);
      const entry = SHA256_HEX.test(sha256) ? (await deps.rejected.list(id)).find((candidate) => candidate.info.sha256 === sha256) : undefined;
      const body = entry === undefined ? null : await deps.rejected.body(id, sha256);
      if (entry === undefined || body === null) throw new NotFoundError(`No refused callback ${sha256.slice(0, 64)} kept for report ${id}`);
      return { status: 200, body, headers: callbackDownloadHeaders(`rejected-callback-${id}-${sha256.slice(0, 12)}.bin`, entry.info) };
    }),
  );

  router.post(
    '/admin/reports/:id/re-request',
    route(async (req) => requestAnswer(await deps.reRequestReport(reportId(req.params.id)))),
  );

  router.post(
    '/admin/reports/:id/retry',
    route(async (req) => {
      const { record, started } = await deps.retryReport(reportId(req.params.id));
      return { status: started ? 202 : 200, body: { report: toReportView(record), started } };
    }),
  );

  return router;
}
