import type { z } from 'zod';
import { reportOptionsSchema } from '../losant/request-schemas.js';
import { deviceCounts, notebookMinuteCounts, payloadCounts, payloadCountsBreakdown } from './counts.js';
import { LosantSimError, issuesError, validationError } from './errors.js';
import type { FaultState } from './faults.js';
import type { InstanceStore } from './instance.js';
import type { JobRunner } from './jobs.js';
import { historicalSummariesQuerySchema, payloadCountsBreakdownQuerySchema, payloadCountsQuerySchema, rangeQuerySchema } from './query.js';
import { ReportRangeError, resolveReportOptions } from './report-options.js';
import { historicalSummaries } from './summaries.js';
import type { ActionName } from './types.js';
import type { Usage } from './usage.js';
import type { World } from './world.js';

/** The 8 actions as thin handlers: validated input in, `{status, body}` out. */

export interface ApiAnswer {
  status: number;
  body: unknown;
}

export interface ApiInput {
  query: Record<string, string>;
  body: unknown;
}

export interface ApiDependencies {
  world: World;
  usage: Usage;
  instance: InstanceStore;
  jobs: JobRunner;
  faults: FaultState;
  now: () => Date;
  /** Called after a PATCH replaced the report configs. */
  onReportConfigs: () => void;
}

function parseQuery<T extends z.ZodType>(schema: T, query: Record<string, string>): z.infer<T> {
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw issuesError(parsed.error.issues);
  return parsed.data;
}

export function createApi(deps: ApiDependencies): Record<ActionName, (input: ApiInput) => ApiAnswer | Promise<ApiAnswer>> {
  const { world, usage, now } = deps;
  const ok = (body: unknown): ApiAnswer => ({ status: 200, body });

  return {
    get: () => ok(deps.instance.get()),

    patch: ({ body }) => {
      const hadConfigs = typeof body === 'object' && body !== null && 'reportConfigs' in body;
      const updated = deps.instance.patch(body);
      if (hadConfigs) deps.onReportConfigs();
      return ok(updated);
    },

    generateReport: async ({ body }) => {
      const parsed = reportOptionsSchema.safeParse(body ?? {});
      if (!parsed.success) throw issuesError(parsed.error.issues);
      let report;
      try {
        report = resolveReportOptions(parsed.data, now());
      } catch (error) {
        if (error instanceof ReportRangeError) throw validationError(error.message);
        throw error;
      }
      if (deps.jobs.busy()) {
        throw new LosantSimError('TooManyRequests', 429, 'A report is already being generated for this instance; try again once it has been delivered');
      }
      const job = deps.jobs.create(report, 'api');
      if (deps.faults.current.callbackBeforeAccept) await deps.jobs.runNow(job);
      else deps.jobs.start(job);
      return { status: 202, body: { jobQueued: true, jobId: job.jobId, success: true } };
    },

    deviceCounts: ({ query }) => ok(deviceCounts(world, usage, parseQuery(rangeQuerySchema, query), now())),
    notebookMinuteCounts: ({ query }) => ok(notebookMinuteCounts(world, usage, parseQuery(rangeQuerySchema, query), now())),
    payloadCounts: ({ query }) =>
      ok(payloadCounts(world, usage, parseQuery(payloadCountsQuerySchema, query), now(), deps.faults.current.payloadCountsMismatch)),
    payloadCountsBreakdown: ({ query }) =>
      ok(payloadCountsBreakdown(world, usage, parseQuery(payloadCountsBreakdownQuerySchema, query), now(), deps.faults.current.payloadCountsMismatch)),
    historicalSummaries: ({ query }) =>
      ok(historicalSummaries(world, usage, parseQuery(historicalSummariesQuerySchema, query), now(), deps.faults.current.limitScenario)),
  };
}
