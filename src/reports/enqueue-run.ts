import type { Trace } from '../trace.js';

/**
 * Starts processing one run of a report. The reports module owns this port and the job queue
 * (src/jobs/queue.ts) implements it, so reports never depend on jobs. Enqueueing the same run
 * twice must be harmless: callers repeat it to repair a lost job (the first enqueue's trace stays
 * with the job).
 */
export type EnqueueRun = (reportId: string, run: number, trace?: Trace) => Promise<unknown>;
