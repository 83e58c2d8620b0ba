import { ConflictError, NotFoundError } from '../errors.js';
import type { Logger } from '../log.js';
import { traceFields, type Trace } from '../trace.js';
import type { EnqueueRun } from './enqueue-run.js';
import type { ReportRecord } from './record.js';
import { AWAITING_CALLBACK, IN_PIPELINE } from './state-machine.js';
import type { ReportStore } from './store.js';

export interface RetryDeps {
  store: ReportStore;
  enqueue: EnqueueRun;
  logger: Logger;
}

/**
 * Re-runs processing of a failed or unrecognized report from the step that failed, without a
 * new Losant request: the steps already done left markers, so the job skips them. Idempotent:
 * a second call while the re-run is queued or running returns the report as it is.
 */
export function createReportRetrier(deps: RetryDeps) {
  return async function retryReport(id: string, trace?: Trace): Promise<{ record: ReportRecord; started: boolean }> {
    const record = await deps.store.get(id);
    if (!record) throw new NotFoundError(`No report ${id}`);
    if (IN_PIPELINE.includes(record.status)) return { record, started: false };
    if (record.status === 'delivered') throw new ConflictError('This report was delivered already; nothing to retry');
    if (AWAITING_CALLBACK.includes(record.status) || record.callback === null) {
      throw new ConflictError('Losant has not called back for this report, so there is nothing to process; request a new report instead');
    }
    const runs = record.runs + 1;
    const moved = await deps.store.markRetried(id, runs, `re-run ${runs} requested by an operator`);
    if (!moved.ok) return { record: (await deps.store.get(id)) ?? record, started: false };
    await deps.enqueue(id, runs, trace);
    deps.logger.info({ reportId: id, ...traceFields(trace), run: runs }, 'report re-run enqueued');
    return { record: await deps.store.getExisting(id), started: true };
  };
}
export type RetryReport = ReturnType<typeof createReportRetrier>;
