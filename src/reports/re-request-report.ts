import { ConflictError, NotFoundError } from '../errors.js';
import type { Logger } from '../log.js';
import { traceFields, type Trace } from '../trace.js';
import type { RequestReport, RequestReportResult } from './request-report.js';
import { generateId } from './secrets.js';
import type { ReportStore } from './store.js';

export interface ReRequestDeps {
  store: ReportStore;
  requestReport: RequestReport;
  logger: Logger;
}

/**
 * Asks Losant again for an overdue report: a new report with the same options and delivery, in
 * the same series, and a new Losant job, linked both ways to the overdue one. The two form a group
 * whose first callback takes the run (a late callback of the overdue report included): the other
 * report's callback, if one comes, is kept beside it and not processed, so the report is delivered
 * once. Once per report: a second call is refused, naming the report asked for the first time.
 */
export function createReportReRequester(deps: ReRequestDeps) {
  return async function reRequestReport(id: string, trace?: Trace): Promise<RequestReportResult> {
    const record = await deps.store.get(id);
    if (!record) throw new NotFoundError(`No report ${id}`);
    const newId = generateId('r');
    const opened = await deps.store.openReRequest(record, newId, `asked of Losant again as report ${newId}`);
    if (!opened.ok) {
      if (opened.reason === 'missing') throw new NotFoundError(`No report ${id}`);
      if (opened.reason === 'linked')
        throw new ConflictError(`Report ${id} was asked of Losant again already, as report ${opened.as}`, { reportId: opened.as });
      throw new ConflictError(`Only an overdue report can be asked of Losant again; report ${id} is ${opened.status}`);
    }
    deps.logger.info({ reportId: id, ...traceFields(trace), reRequestedAs: newId }, 'overdue report asked of Losant again');
    return deps.requestReport(
      {
        ...record.request,
        recipients: [...record.delivery.recipients],
        email: record.delivery.email,
        archive: record.delivery.archive,
      },
      {
        reportId: newId,
        note: `asked of Losant again in place of overdue report ${id}`,
        scheduleId: record.scheduleId,
        scheduleName: record.scheduleName,
        seriesKey: record.seriesKey,
        reRequest: opened.link,
      },
      trace,
    );
  };
}
export type ReRequestReport = ReturnType<typeof createReportReRequester>;
