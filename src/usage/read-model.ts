import type { RedisClient } from '../redis-client.js';
import type { Logger } from '../log.js';
import { createInstanceTotals } from './instance-totals.js';
import { createOrganizationMonths } from './organization-months.js';
import { createResourceHistory } from './resource-history.js';

/**
 * What dashboards read beside the report records: each resource's history across reports and the
 * instance's totals month by month, and each organization's months (trends, movers). The worker
 * writes them as reports are summarized and delivered (the backfill writes organizations' months
 * too); the pages only read.
 */
export function createUsageReadModel(redis: RedisClient, options: { prefix: string; retentionSeconds: number; logger: Logger; now?: () => Date }) {
  return {
    resources: createResourceHistory(redis, options),
    instance: createInstanceTotals(redis, options),
    organizations: createOrganizationMonths(redis, options),
  };
}

export type UsageReadModel = ReturnType<typeof createUsageReadModel>;
