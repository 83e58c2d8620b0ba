import { comparedMonths, monthOverMonth, topMovers } from '../insights/movers.js';
import type { MonthChange, Movers, TrendMetric } from '../insights/types.js';
import type { OrganizationMonths, OrganizationTrend } from '../usage/organization-months.js';
import { backfillTrends, type BackfillDeps, type BackfillRequest, type BackfillResult } from './backfill.js';

/**
 * Usage trends for instance administrators, in one place for the admin API and the dashboard:
 * `backfillTrends` fills organizations' months from Losant's historicalSummaries, and
 * `readOrganizationTrend` reads one organization's months with its month-over-month change.
 * `createTrends` binds both (and the movers) to the service's parts.
 */

export { backfillTrends, parseBackfillRequest, backfillRequestSchema, BackfillError, DEFAULT_BACKFILL_MONTHS, MAX_PAGES_PER_MONTH } from './backfill.js';
export type { BackfillRequest, BackfillResult, BackfilledMonth } from './backfill.js';
export type { MonthPoint, OrganizationTrend } from '../usage/organization-months.js';

export interface OrganizationTrendView extends OrganizationTrend {
  /** Per metric, the latest complete month against the month before (empty without both whole months). */
  changes: MonthChange[];
}

/** One organization's months (oldest first) and its month-over-month changes at `now`; null when it has no months. */
export async function readOrganizationTrend(
  organizations: Pick<OrganizationMonths, 'organizationTrend'>,
  id: string,
  now: Date = new Date(),
): Promise<OrganizationTrendView | null> {
  const trend = await organizations.organizationTrend(id);
  if (trend === null) return null;
  return { ...trend, changes: monthOverMonth(trend.points, comparedMonths(now).latestMonth) };
}

export function createTrends(deps: Omit<BackfillDeps, 'organizations'> & { organizations: OrganizationMonths }) {
  const now = deps.now ?? (() => new Date());
  return {
    backfill: (request: BackfillRequest): Promise<BackfillResult> => backfillTrends(deps, request),
    organizationTrend: (id: string): Promise<OrganizationTrendView | null> => readOrganizationTrend(deps.organizations, id, now()),
    movers: async (options: { limit?: number; metric?: TrendMetric } = {}): Promise<Movers> => {
      const at = now();
      const { latestMonth, previousMonth } = comparedMonths(at);
      return topMovers(await deps.organizations.allTrends({ months: [previousMonth, latestMonth] }), { now: at, ...options });
    },
  };
}

export type Trends = ReturnType<typeof createTrends>;
