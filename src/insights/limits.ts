import { levelOf, percentOf } from './levels.js';
import type { InsightPeriod, LimitFinding, LimitMetric } from './types.js';

/**
 * Usage against limits. The flows and devices come from the report (what it shows for each
 * organization); the static resources from historicalSummaries (the report's rows do not carry
 * every static count). A limit comes from the organization's own `limits`, else the instance's
 * `orgDefaultLimitConfig`; without either it is unknown and said so, never guessed.
 */

/** The report's main figures of one organization; null where the report has no such column. */
export interface OrganizationUsage {
  id: string;
  name: string;
  payloads: number | null;
  devices: number | null;
  notebookMinutes: number | null;
}

/** What historicalSummaries says of one organization's month. */
export interface OrganizationFacts {
  id: string;
  name: string;
  /** Its limits, or null when the item carries none. */
  limits: Readonly<Record<string, number>> | null;
  /** Static resource counts by limit key (see STATIC_LIMIT_FIELDS). */
  statics: Readonly<Record<string, number>>;
}

/** The limit key for each main metric: payloads and notebook minutes are per month. */
export const MAIN_LIMIT_KEYS = { payloads: 'payload', devices: 'device', notebookMinutes: 'notebookMinutesPerMonth' } as const;

/** Static resources: the limit key and the historicalSummaries field counting it. */
export const STATIC_LIMIT_FIELDS: Readonly<Record<string, string>> = {
  apitoken: 'apiTokenCount',
  application: 'applicationCount',
  applicationcertificate: 'certificateCount',
  applicationcertificateauthority: 'certificateAuthorityCount',
  applicationkey: 'applicationKeyCount',
  credential: 'credentialCount',
  dashboard: 'dashboardCount',
  datatable: 'dataTableCount',
  devicerecipe: 'deviceRecipeCount',
  experiencedomain: 'experienceDomainCount',
  experienceendpoint: 'experienceEndpointCount',
  experiencegroup: 'experienceGroupCount',
  experienceslug: 'experienceSlugCount',
  experienceuser: 'experienceUserCount',
  experienceversion: 'experienceVersionCount',
  experienceview: 'experienceViewCount',
  file: 'fileCount',
  flow: 'workflowCount',
  integration: 'integrationCount',
  member: 'userCount',
  notebook: 'notebookCount',
  privatefile: 'privateFileCount',
  resourcejob: 'resourceJobCount',
  webhook: 'webhookCount',
};

function finding(
  base: Pick<LimitFinding, 'scope' | 'id' | 'name' | 'period'>,
  metric: LimitMetric,
  limitKey: string,
  used: number,
  found: { limit: number | null; source: LimitFinding['limitSource'] },
  warningPercent: number,
): LimitFinding {
  return {
    ...base,
    metric,
    limitKey,
    used,
    limit: found.limit,
    percent: percentOf(used, found.limit),
    level: levelOf(used, found.limit, warningPercent),
    limitSource: found.source,
  };
}

/** An organization's limit for a key: its own, else the instance's default for organizations, else unknown. */
export function organizationLimit(
  facts: OrganizationFacts | undefined,
  orgDefault: Readonly<Record<string, number>> | null,
  key: string,
): { limit: number | null; source: LimitFinding['limitSource'] } {
  const own = facts?.limits?.[key];
  if (own !== undefined) return { limit: own, source: 'organization' };
  const fallback = orgDefault?.[key];
  if (fallback !== undefined) return { limit: fallback, source: 'orgDefault' };
  return { limit: null, source: 'none' };
}

export function organizationLimitFindings(input: {
  usage: readonly OrganizationUsage[];
  facts: ReadonlyMap<string, OrganizationFacts>;
  orgDefault: Readonly<Record<string, number>> | null;
  period: InsightPeriod;
  warningPercent: number;
}): LimitFinding[] {
  const findings: LimitFinding[] = [];
  for (const org of input.usage) {
    const facts = input.facts.get(org.id);
    const base = { scope: 'organization' as const, id: org.id, name: org.name, period: input.period };
    for (const metric of ['payloads', 'devices', 'notebookMinutes'] as const) {
      const used = org[metric];
      if (used === null) continue;
      const key = MAIN_LIMIT_KEYS[metric];
      findings.push(finding(base, metric, key, used, organizationLimit(facts, input.orgDefault, key), input.warningPercent));
    }
    if (!facts) continue;
    // Only static resources with a known limit: a count without one says nothing about headroom.
    for (const [key, field] of Object.entries(STATIC_LIMIT_FIELDS)) {
      const used = facts.statics[field];
      const found = organizationLimit(facts, input.orgDefault, key);
      if (used === undefined || found.limit === null) continue;
      findings.push(finding(base, `static:${key}`, key, used, found, input.warningPercent));
    }
  }
  return findings;
}

/** The instance's figures in the report, against the instance's own limits. */
export function instanceLimitFindings(input: {
  id: string;
  name: string;
  limits: Readonly<Record<string, number>> | null;
  used: { payloads: number | null; devices: number | null; notebookMinutes: number | null; organizations: number | null };
  period: InsightPeriod;
  warningPercent: number;
}): LimitFinding[] {
  const base = { scope: 'instance' as const, id: input.id, name: input.name, period: input.period };
  const keys = { ...MAIN_LIMIT_KEYS, organizations: 'organization' } as const;
  const findings: LimitFinding[] = [];
  for (const metric of ['payloads', 'devices', 'notebookMinutes', 'organizations'] as const) {
    const used = input.used[metric];
    if (used === null) continue;
    const key = keys[metric];
    const limit = input.limits?.[key];
    const found = limit === undefined ? { limit: null, source: 'none' as const } : { limit, source: 'instance' as const };
    findings.push(finding(base, metric === 'organizations' ? 'static:organization' : metric, key, used, found, input.warningPercent));
  }
  return findings;
}
