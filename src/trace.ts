/**
 * What ties a report's log lines to the HTTP request that set its work going: the request's id
 * (X-Request-Id, see src/http/request-context.ts), carried from the web process into the job's
 * data and so into the worker's lines for that job. An id only, never anything from the request.
 */
export interface Trace {
  requestId?: string;
}

/** The trace's fields for a log line (none when there is no request behind the work, e.g. the reconciler). */
export function traceFields(trace: Trace | undefined): Trace {
  return trace?.requestId === undefined ? {} : { requestId: trace.requestId };
}
