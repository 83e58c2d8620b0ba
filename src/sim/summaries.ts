import { aggregate, bytesToMb, type SourceMap, type Totals } from './aggregate.js';
import { ORG_DEFAULT_LIMITS } from './limits.js';
import { bucketOf, iso, type Period } from './periods.js';
import type { HistoricalSummariesQuery } from './query.js';
import type { Faults } from './types.js';
import { reportResources, type ReportResource } from './report-rows.js';
import type { Usage } from './usage.js';
import type { World } from './world.js';

/**
 * historicalSummaries: one item per organization and per application (sandbox applications
 * included, owned by their user) for the UTC month holding `month`. The figures are those of
 * the report's monthly rows for the same resources.
 */

const round2 = (value: number) => Math.round(value * 100) / 100;

function detailsInMb(details: SourceMap): SourceMap {
  return Object.fromEntries(
    Object.entries(details).map(([type, bySource]) => [
      type,
      Object.fromEntries(Object.entries(bySource).map(([source, bytes]) => [source, bytesToMb(bytes)])),
    ]),
  );
}

/** The payload limit's share of use for the first organizations under limitScenario (see Faults). */
const SCENARIO_USE = [1.25, 0.85, 0.5] as const;

function scenarioLimits(world: World, usage: Usage, scenario: Faults['limitScenario'], resource: ReportResource): Record<string, number> {
  const index = world.organizations.findIndex((org) => org.id === resource.resourceId);
  const use = SCENARIO_USE[index];
  if (scenario === null || use === undefined) return { ...ORG_DEFAULT_LIMITS };
  const range = { start: Date.parse(scenario.start), end: Date.parse(scenario.end) };
  const used = aggregate(usage, resource.applicationIds, range).payloadBillableCount;
  return { ...ORG_DEFAULT_LIMITS, payload: Math.max(1, Math.round(used / use)) };
}

function summaryItem(resource: ReportResource, period: Period, totals: Totals, limits: Record<string, number>) {
  const s = totals.statics;
  return {
    resourceType: resource.resourceType,
    resourceId: resource.resourceId,
    resourceName: resource.resourceName,
    resourceProration: 1,
    ownerType: resource.ownerType,
    ownerId: resource.ownerId,
    ownerName: resource.ownerName,
    ...(resource.resourceType === 'organization' ? { limits } : {}),
    currentPeriodStart: iso(period.start),
    currentPeriodEnd: iso(period.end),
    applicationCount: resource.applicationCount,
    applicationCountProrated: resource.applicationCount,
    userCount: resource.userCount,
    userCountProrated: resource.userCount,
    apiTokenCount: s.apiTokenCount,
    applicationKeyCount: s.applicationKeyCount,
    certificateAuthorityCount: s.certificateAuthorityCount,
    certificateCount: s.certificateCount,
    credentialCount: s.credentialCount,
    dashboardCount: s.dashboardCount,
    dashboardCountProrated: s.dashboardCount,
    dataTableCount: s.dataTableCount,
    dataTableRowCount: s.dataTableRowCount,
    dataTableTotalSizeMb: bytesToMb(s.dataTableTotalBytes),
    deviceCount: totals.deviceCount,
    deviceCountProrated: round2(totals.deviceDaySum / totals.days),
    deviceRecipeCount: s.deviceRecipeCount,
    eventCount: s.eventCount,
    experienceDomainCount: s.experienceDomainCount,
    experienceEndpointCount: s.experienceEndpointCount,
    experienceGroupCount: s.experienceGroupCount,
    experienceSlugCount: s.experienceSlugCount,
    experienceUserCount: s.experienceUserCount,
    experienceVersionCount: s.experienceVersionCount,
    experienceViewCount: s.experienceViewCount,
    fileCount: s.fileCount,
    fileTotalSizeMb: bytesToMb(s.fileTotalBytes),
    integrationCount: s.integrationCount,
    notebookCount: s.notebookCount,
    resourceJobCount: s.resourceJobCount,
    notebookRunCount: totals.notebookRunCount,
    notebookMinutesCount: totals.notebookMinutesCount,
    privateFileCount: s.privateFileCount,
    privateFileTotalSizeMb: bytesToMb(s.privateFileTotalBytes),
    webhookCount: s.webhookCount,
    workflowCount: s.workflowCount,
    payloadBillableCount: totals.payloadBillableCount,
    payloadNonbillableCount: totals.payloadNonbillableCount,
    payloadBillableSizeMb: bytesToMb(totals.payloadBillableBytes),
    payloadNonbillableSizeMb: bytesToMb(totals.payloadNonbillableBytes),
    payloadCountDetails: totals.payloadCountDetails,
    payloadSizeDetails: detailsInMb(totals.payloadBytesDetails),
  };
}

export type SummaryItem = ReturnType<typeof summaryItem>;

export function historicalSummaries(world: World, usage: Usage, query: HistoricalSummariesQuery, now: Date, scenario: Faults['limitScenario'] = null) {
  const month = bucketOf(query.month ?? now.getTime(), 'month');
  const resources = [...reportResources(world, 'organization', false), ...reportResources(world, 'application', true)];
  const { filterField, filter } = query;
  const selected =
    filterField === undefined || filter === undefined || filter === '' ? resources : resources.filter((resource) => resource[filterField] === filter);
  const direction = query.sortDirection === 'desc' ? -1 : 1;
  // Every item of one month shares its period start, so both sort fields come down to resourceId.
  const sorted = selected.sort((a, b) => direction * a.resourceId.localeCompare(b.resourceId));
  const page = sorted.slice(query.page * query.perPage, (query.page + 1) * query.perPage);
  const items = page.map((resource) =>
    summaryItem(resource, month, aggregate(usage, resource.applicationIds, month, true), scenarioLimits(world, usage, scenario, resource)),
  );
  return {
    items,
    count: items.length,
    totalCount: sorted.length,
    perPage: query.perPage,
    page: query.page,
    ...(filterField !== undefined ? { filterField } : {}),
    ...(filter !== undefined ? { filter } : {}),
    sortField: query.sortField,
    sortDirection: query.sortDirection,
  };
}
