import type { InstanceFacts } from '../insights/facts.js';
import type { OrganizationFacts } from '../insights/limits.js';
import { STATIC_LIMIT_FIELDS } from '../insights/limits.js';
import { createLosantClient, type LosantClient } from '../losant/client.js';
import type { Logger } from '../log.js';
import type { ServiceMetrics } from '../metrics/metrics.js';

/** The client's read actions: all the worker may use (no patch, no generateReport). */
export type LosantReads = Pick<
  LosantClient,
  'get' | 'deviceCounts' | 'notebookMinuteCounts' | 'payloadCounts' | 'payloadCountsBreakdown' | 'historicalSummaries'
>;

/** historicalSummaries pages read at most (100 organizations each): a bound on one report's reads. */
const MAX_PAGES = 20;
const STATIC_FIELDS = [...new Set(Object.values(STATIC_LIMIT_FIELDS))];

/**
 * Fills the insights' port from the Losant client's read actions. Only this file joins the two,
 * so the worker reaches Losant through reads alone (test/unit/worker-import-graph.test.ts).
 */
export function instanceFactsFrom(client: LosantReads): InstanceFacts {
  return {
    async instance() {
      const instance = await client.get();
      return {
        id: instance.id,
        name: instance.name,
        limits: instance.limits ?? null,
        orgDefaultLimitConfig: instance.orgDefaultLimitConfig ?? null,
      };
    },
    async organizations(month) {
      const found: OrganizationFacts[] = [];
      for (let page = 0; page < MAX_PAGES; page += 1) {
        const answer = await client.historicalSummaries({
          month,
          page,
          perPage: 100,
          filterField: 'resourceType',
          filter: 'organization',
          sortField: 'resourceId',
        });
        for (const item of answer.items) {
          if (item.resourceType !== 'organization') continue;
          const statics: Record<string, number> = {};
          for (const field of STATIC_FIELDS) {
            const value: unknown = item[field];
            if (typeof value === 'number') statics[field] = value;
          }
          found.push({ id: item.resourceId, name: item.resourceName ?? item.resourceId, limits: item.limits ?? null, statics });
        }
        if ((page + 1) * answer.perPage >= answer.totalCount || answer.items.length === 0) break;
      }
      return found;
    },
    async payloadsByDay(range) {
      return (await client.payloadCountsBreakdown({ ...range, resolution: 86_400_000 })).counts.map(({ date, value }) => ({ date, value }));
    },
    async devicesByDay(range) {
      return (await client.deviceCounts(range)).counts.map(({ date, total }) => ({ date, value: total }));
    },
    async notebookMinutesByDay(range) {
      return (await client.notebookMinuteCounts(range)).counts.map(({ date, minutes }) => ({ date, value: minutes }));
    },
    async payloadSources(range) {
      return client.payloadCounts(range);
    },
  };
}

/** The worker's instance facts from its own read-only Losant settings (INSIGHTS_LOSANT_API_TOKEN). */
export function createInstanceFacts(options: {
  losant: { apiUrl: string; apiToken: string; timeoutMs: number; maxRetries: number };
  instanceId: string;
  logger: Logger;
  metrics?: Pick<ServiceMetrics, 'losantCall'>;
}): InstanceFacts {
  const client = createLosantClient({
    baseUrl: options.losant.apiUrl,
    token: options.losant.apiToken,
    instanceId: options.instanceId,
    timeoutMs: options.losant.timeoutMs,
    maxRetries: options.losant.maxRetries,
    logger: options.logger,
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  return instanceFactsFrom(client);
}
