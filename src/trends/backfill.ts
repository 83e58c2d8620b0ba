import { z } from 'zod';
import { AppError, ValidationError, errorMessage, formatIssues } from '../errors.js';
import type { HistoricalSummaries } from '../losant/response-schemas.js';
import type { LosantClient } from '../losant/client.js';
import type { Logger } from '../log.js';
import { addMonths, monthOf } from '../insights/movers.js';
import {
  MAX_MONTHS_PER_ORGANIZATION,
  MAX_ORGANIZATIONS_WRITTEN,
  type OrganizationMonthFigures,
  type OrganizationMonths,
} from '../usage/organization-months.js';

/** Organizations per historicalSummaries page: the largest page the client sends. */
const PER_PAGE = 1000;
/** Pages read per month, at most: enough for every organization the read model writes per month. */
export const MAX_PAGES_PER_MONTH = Math.ceil(MAX_ORGANIZATIONS_WRITTEN / PER_PAGE);
export const DEFAULT_BACKFILL_MONTHS = 12;

/** POST /admin/insights/backfill's body (the dashboard sends the same). */
export const backfillRequestSchema = z.strictObject({
  months: z
    .number({ message: 'must be a whole number of months' })
    .int('must be a whole number of months')
    .min(1, `must be from 1 to ${MAX_MONTHS_PER_ORGANIZATION}`)
    .max(MAX_MONTHS_PER_ORGANIZATION, `must be from 1 to ${MAX_MONTHS_PER_ORGANIZATION}`)
    .default(DEFAULT_BACKFILL_MONTHS)
    .meta({ description: `How many complete UTC months before the current one to read from Losant (default ${DEFAULT_BACKFILL_MONTHS})` }),
});
export type BackfillRequest = z.output<typeof backfillRequestSchema>;

export function parseBackfillRequest(body: unknown): BackfillRequest {
  const result = backfillRequestSchema.safeParse(body ?? {});
  if (!result.success) throw new ValidationError(`Invalid backfill request: ${formatIssues(result.error.issues)}`, result.error.issues);
  return result.data;
}

export interface BackfilledMonth {
  /** "YYYY-MM". */
  month: string;
  organizations: number;
  /** True when Losant listed more organizations than MAX_PAGES_PER_MONTH pages hold: the first ones were written. */
  truncated: boolean;
}

export interface BackfillResult {
  /** The months written, oldest first. */
  months: BackfilledMonth[];
  /** Distinct organizations written. */
  organizations: number;
  /** Points written (an organization's month each). */
  points: number;
}

export interface BackfillDeps {
  losant: Pick<LosantClient, 'historicalSummaries'>;
  organizations: Pick<OrganizationMonths, 'recordSummaries'>;
  logger: Logger;
  now?: () => Date;
}

/**
 * A month that could not be read from Losant: the backfill stops there. Months before it were
 * written whole and stay; nothing of this month was written (its pages are all read before any is
 * written). Carries the Losant error's code, so the admin API answers with its status (502, 503,
 * 504...) and a message that names the month, the action and what Losant said.
 */
export class BackfillError extends AppError {
  constructor(month: string, written: readonly string[], cause: unknown) {
    const code = cause instanceof AppError ? cause.code : 'internal';
    const kept = written.length === 0 ? 'nothing was written' : `the months before it were written and kept (${written.join(', ')})`;
    super(code, `Backfill stopped at ${month}: reading historicalSummaries for it failed (${errorMessage(cause)}); ${kept}, and nothing of ${month}`, {
      retryable: cause instanceof AppError ? cause.retryable : true,
      cause,
      details: { month, written },
    });
  }
}

/** Every organization of one month, page by page (at most MAX_PAGES_PER_MONTH pages). */
async function readMonth(losant: BackfillDeps['losant'], month: string): Promise<{ figures: OrganizationMonthFigures[]; truncated: boolean }> {
  const monthMs = Date.parse(`${month}-01T00:00:00.000Z`);
  const byId = new Map<string, OrganizationMonthFigures>();
  for (let page = 0; page < MAX_PAGES_PER_MONTH; page += 1) {
    const answer: HistoricalSummaries = await losant.historicalSummaries({
      month: monthMs,
      page,
      perPage: PER_PAGE,
      filterField: 'resourceType',
      filter: 'organization',
      sortField: 'resourceId',
      sortDirection: 'asc',
    });
    for (const item of answer.items) {
      // The filter asks for organizations only; an item of another type is not one, whatever Losant sent.
      if (item.resourceType !== 'organization') continue;
      byId.set(item.resourceId, {
        id: item.resourceId,
        name: item.resourceName ?? item.resourceId,
        billablePayloads: item.payloadBillableCount ?? null,
        devices: item.deviceCount ?? null,
        notebookMinutes: item.notebookMinutesCount ?? null,
      });
    }
    const seen = (page + 1) * answer.perPage;
    if (seen >= answer.totalCount || answer.items.length === 0) return { figures: [...byId.values()], truncated: false };
  }
  return { figures: [...byId.values()], truncated: true };
}

/**
 * Reads Losant's historicalSummaries (organizations only) for each of the last `months` complete
 * UTC months and writes each organization's month with source historicalSummaries, oldest month
 * first. Idempotent: the same months give the same points. Bounded: at most
 * MAX_PAGES_PER_MONTH pages a month, and the months of a request (1 to 24). A month Losant fails
 * on stops the backfill with a BackfillError (see there).
 */
export async function backfillTrends(deps: BackfillDeps, request: BackfillRequest): Promise<BackfillResult> {
  const current = monthOf((deps.now ?? (() => new Date()))());
  const months = Array.from({ length: request.months }, (_, index) => addMonths(current, index - request.months));
  const written: BackfilledMonth[] = [];
  const organizations = new Set<string>();
  let points = 0;
  for (const month of months) {
    let read: Awaited<ReturnType<typeof readMonth>>;
    try {
      read = await readMonth(deps.losant, month);
    } catch (error) {
      deps.logger.warn({ err: error, month }, 'backfill stopped: historicalSummaries could not be read');
      throw new BackfillError(
        month,
        written.map((entry) => entry.month),
        error,
      );
    }
    const count = await deps.organizations.recordSummaries(month, read.figures);
    for (const figure of read.figures.slice(0, count)) organizations.add(figure.id);
    points += count;
    written.push({ month, organizations: count, truncated: read.truncated || count < read.figures.length });
  }
  deps.logger.info({ months: written.length, organizations: organizations.size, points }, 'trends backfilled from historicalSummaries');
  return { months: written, organizations: organizations.size, points };
}
