import type { ResourceGroupBy } from '../losant/request-schemas.js';
import { aggregate, bytesToMb, type Totals } from './aggregate.js';
import { iso, type Period } from './periods.js';
import type { Usage } from './usage.js';
import type { World } from './world.js';

/**
 * The resources a report lists and the figures of one report row. Grouped by organization a
 * row is an organization (its own owner) or, with includeSandbox, a sandbox user
 * (resourceType `user`); grouped by application a row is an application owned by its
 * organization or, with includeSandbox, by its sandbox user (ownerType `user`).
 */

export interface ReportResource {
  resourceType: 'organization' | 'application' | 'user';
  resourceId: string;
  resourceName: string;
  ownerType: 'organization' | 'user';
  ownerId: string;
  ownerName: string;
  sandbox: boolean;
  applicationIds: string[];
  applicationCount: number;
  userCount: number;
  tags: Record<string, string>;
}

export function reportResources(world: World, by: ResourceGroupBy, includeSandbox: boolean): ReportResource[] {
  const resources: ReportResource[] = [];
  if (by === 'organization') {
    for (const org of world.organizations) {
      resources.push({
        resourceType: 'organization',
        resourceId: org.id,
        resourceName: org.name,
        ownerType: 'organization',
        ownerId: org.id,
        ownerName: org.name,
        sandbox: false,
        applicationIds: org.applicationIds,
        applicationCount: org.applicationIds.length,
        userCount: org.memberCount,
        tags: org.tags,
      });
    }
    if (includeSandbox) {
      for (const user of world.sandboxUsers) {
        resources.push({
          resourceType: 'user',
          resourceId: user.id,
          resourceName: user.name,
          ownerType: 'user',
          ownerId: user.id,
          ownerName: user.name,
          sandbox: true,
          applicationIds: user.applicationIds,
          applicationCount: user.applicationIds.length,
          userCount: 1,
          tags: {},
        });
      }
    }
  } else {
    for (const app of world.applications) {
      if (app.sandbox && !includeSandbox) continue;
      resources.push({
        resourceType: 'application',
        resourceId: app.id,
        resourceName: app.name,
        ownerType: app.ownerType,
        ownerId: app.ownerId,
        ownerName: app.ownerName,
        sandbox: app.sandbox,
        applicationIds: [app.id],
        applicationCount: 1,
        userCount: 0,
        tags: {},
      });
    }
  }
  return resources.sort((a, b) => a.resourceId.localeCompare(b.resourceId));
}

export const REPORT_COLUMNS = [
  'resourceType',
  'resourceId',
  'resourceName',
  'ownerType',
  'ownerId',
  'ownerName',
  'currentPeriodStart',
  'currentPeriodEnd',
  'sandbox',
  'deviceCount',
  'applicationCount',
  'userCount',
  'dashboardCount',
  'workflowCount',
  'dataTableCount',
  'dataTableRowCount',
  'fileCount',
  'fileTotalSizeMb',
  'notebookCount',
  'notebookRunCount',
  'notebookMinutesCount',
  'integrationCount',
  'webhookCount',
  'experienceEndpointCount',
  'payloadBillableCount',
  'payloadNonbillableCount',
  'payloadBillableSizeMb',
  'payloadNonbillableSizeMb',
] as const;
export type ReportColumn = (typeof REPORT_COLUMNS)[number];
export type ReportRow = Record<ReportColumn, string | number | boolean>;

export function toReportRow(resource: ReportResource, period: Period, totals: Totals): ReportRow {
  const s = totals.statics;
  return {
    resourceType: resource.resourceType,
    resourceId: resource.resourceId,
    resourceName: resource.resourceName,
    ownerType: resource.ownerType,
    ownerId: resource.ownerId,
    ownerName: resource.ownerName,
    currentPeriodStart: iso(period.start),
    currentPeriodEnd: iso(period.end),
    sandbox: resource.sandbox,
    deviceCount: totals.deviceCount,
    applicationCount: resource.applicationCount,
    userCount: resource.userCount,
    dashboardCount: s.dashboardCount,
    workflowCount: s.workflowCount,
    dataTableCount: s.dataTableCount,
    dataTableRowCount: s.dataTableRowCount,
    fileCount: s.fileCount,
    fileTotalSizeMb: bytesToMb(s.fileTotalBytes),
    notebookCount: s.notebookCount,
    notebookRunCount: totals.notebookRunCount,
    notebookMinutesCount: totals.notebookMinutesCount,
    integrationCount: s.integrationCount,
    webhookCount: s.webhookCount,
    experienceEndpointCount: s.experienceEndpointCount,
    payloadBillableCount: totals.payloadBillableCount,
    payloadNonbillableCount: totals.payloadNonbillableCount,
    payloadBillableSizeMb: bytesToMb(totals.payloadBillableBytes),
    payloadNonbillableSizeMb: bytesToMb(totals.payloadNonbillableBytes),
  };
}

export function reportRow(usage: Usage, resource: ReportResource, period: Period): ReportRow {
  return toReportRow(resource, period, aggregate(usage, resource.applicationIds, period));
}
