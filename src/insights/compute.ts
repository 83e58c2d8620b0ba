import { normalizeColumnName } from '../summary/columns.js';
import type { ReportSummary, ResourceFigures } from '../summary/types.js';
import type { DatedFigure, InstanceFacts, InstanceLimits } from './facts.js';
import {
  instanceLimitFindings,
  MAIN_LIMIT_KEYS,
  organizationLimit,
  organizationLimitFindings,
  type OrganizationFacts,
  type OrganizationUsage,
} from './limits.js';
import { monthCoverage, projectionFor } from './projection.js';
import { compareDaily, dailyFigures, payloadDriver } from './reconciliation.js';
import type { InsightPart, LimitFinding, Projection, Reconciliation, ReportInsights, UnavailableInsight } from './types.js';

/**
 * Computes a report's insights from its summary and the instance's facts. Each part stands on its
 * own: a Losant read that fails (after the client's retries) makes the parts that need it
 * unavailable, with the reason, and never fails the report. The Losant reads run side by side.
 */

export interface InsightOptions {
  /** INSIGHTS_WARNING_PERCENT. */
  warningPercent: number;
  /** INSIGHTS_RECONCILE_TOLERANCE_PERCENT / 100. */
  tolerance: number;
}

export interface InsightInput {
  summary: ReportSummary;
  resources: ResourceFigures;
  /** Whether the report includes sandbox applications (Losant's counts always do). */
  includeSandbox: boolean;
  /** null: Losant is not configured on the worker. */
  facts: InstanceFacts | null;
  /** Why facts is null, for the reader. */
  factsMissingReason?: string;
  now: Date;
}

const MAIN_COLUMNS = { payloads: 'payloadBillableCount', devices: 'deviceCount', notebookMinutes: 'notebookMinutesCount' } as const;

function columnOf(columns: readonly string[], wanted: string): string | null {
  const normalized = normalizeColumnName(wanted);
  return columns.find((column) => normalizeColumnName(column) === normalized) ?? null;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A settled Losant read: its value, or why it failed. */
type Read<T> = { ok: true; value: T } | { ok: false; reason: string };

/** The reason of the first read that failed, or null when all succeeded. */
function firstFailure(reads: ReadonlyArray<Read<unknown>>): string | null {
  for (const answer of reads) if (!answer.ok) return answer.reason;
  return null;
}

export async function computeInsights(input: InsightInput, options: InsightOptions): Promise<ReportInsights> {
  const { summary, resources, facts } = input;
  const unavailable: UnavailableInsight[] = [];
  const miss = (part: InsightPart, reason: string): void => void unavailable.push({ part, reason });
  const period = { start: summary.period.start ?? '', end: summary.period.end ?? '' };
  const dated = summary.period.start !== null && summary.period.end !== null;
  const byOrganization = summary.grouping.resource === 'organization';
  const daily = summary.grouping.date === 'day' && summary.periodSeries !== null;
  const range = dated ? { start: new Date(period.start), end: new Date(period.end) } : null;

  let calls = 0;
  const started = performance.now();
  const read = async <T>(run: () => Promise<T>): Promise<Read<T>> => {
    calls += 1;
    try {
      return { ok: true, value: await run() };
    } catch (error) {
      return { ok: false, reason: `Losant failed: ${describe(error)}` };
    }
  };
  const none = <T>(reason: string): Promise<Read<T>> => Promise.resolve({ ok: false, reason });
  const noFacts = input.factsMissingReason ?? 'Losant is not configured on the worker';

  const wantLimits = facts !== null && byOrganization && range !== null;
  const wantReconcile = facts !== null && daily && range !== null && input.includeSandbox;
  const [instance, organizations, payloads, devices, minutes, sources] = await Promise.all([
    wantLimits ? read(() => facts.instance()) : none<InstanceLimits>(noFacts),
    wantLimits ? read(() => facts.organizations(new Date(period.start))) : none<OrganizationFacts[]>(noFacts),
    wantReconcile ? read(() => facts.payloadsByDay(range)) : none<DatedFigure[]>(noFacts),
    wantReconcile ? read(() => facts.devicesByDay(range)) : none<DatedFigure[]>(noFacts),
    wantReconcile ? read(() => facts.notebookMinutesByDay(range)) : none<DatedFigure[]>(noFacts),
    wantReconcile ? read(() => facts.payloadSources(range)) : none<Record<string, Record<string, number>>>(noFacts),
  ]);
  const elapsedMs = Math.round(performance.now() - started);

  // The report's own figures per organization (flows summed over its days, devices at their highest).
  const figureColumns = {
    payloads: columnOf(resources.columns, MAIN_COLUMNS.payloads),
    devices: columnOf(resources.columns, MAIN_COLUMNS.devices),
    notebookMinutes: columnOf(resources.columns, MAIN_COLUMNS.notebookMinutes),
  };
  const knownOrganizations = organizations.ok ? new Map(organizations.value.map((org) => [org.id, org])) : null;
  const usage: OrganizationUsage[] = resources.resources
    // With historicalSummaries at hand, sandbox users (rows of their own) are not organizations.
    .filter((resource) => knownOrganizations === null || knownOrganizations.has(resource.id))
    .map((resource) => {
      const figure = (column: string | null): number | null => (column === null ? null : (resource.figures[column] ?? null));
      return {
        id: resource.id,
        name: resource.name,
        payloads: figure(figureColumns.payloads),
        devices: figure(figureColumns.devices),
        notebookMinutes: figure(figureColumns.notebookMinutes),
      };
    });

  // Limits.
  let limits: LimitFinding[] = [];
  if (!byOrganization) miss('limits', 'the report is not grouped by organization');
  else if (range === null) miss('limits', 'the report has no dated periods');
  else if (!instance.ok) miss('limits', instance.reason);
  else if (!organizations.ok) miss('limits', organizations.reason);
  else {
    const total = (metric: keyof typeof MAIN_COLUMNS): number | null => {
      const column = columnOf(summary.columns, MAIN_COLUMNS[metric]);
      if (column === null) return null;
      return metric === 'devices' ? (summary.levels[column]?.peak ?? summary.totals[column] ?? null) : (summary.totals[column] ?? null);
    };
    limits = [
      ...instanceLimitFindings({
        id: instance.value.id,
        name: instance.value.name,
        limits: instance.value.limits,
        used: { payloads: total('payloads'), devices: total('devices'), notebookMinutes: total('notebookMinutes'), organizations: organizations.value.length },
        period,
        warningPercent: options.warningPercent,
      }),
      ...organizationLimitFindings({
        usage,
        facts: knownOrganizations ?? new Map(),
        orgDefault: instance.value.orgDefaultLimitConfig,
        period,
        warningPercent: options.warningPercent,
      }),
    ];
  }

  // Month-end projection: from the report alone; limits only where Losant said them.
  const projections: Projection[] = [];
  const coverage = dated ? monthCoverage(period.start, period.end) : null;
  if (!byOrganization) miss('projection', 'the report is not grouped by organization');
  else if (summary.grouping.date !== 'day') miss('projection', 'the report has no daily figures');
  else if (coverage === null) miss('projection', 'the report does not lie within one calendar month (UTC)');
  else {
    const orgDefault = instance.ok ? instance.value.orgDefaultLimitConfig : null;
    for (const org of usage) {
      for (const metric of ['payloads', 'notebookMinutes'] as const) {
        const usedSoFar = org[metric];
        if (usedSoFar === null) continue;
        const known = instance.ok && organizations.ok;
        const { limit } = known ? organizationLimit(knownOrganizations?.get(org.id), orgDefault, MAIN_LIMIT_KEYS[metric]) : { limit: null };
        projections.push(projectionFor({ id: org.id, name: org.name, metric, usedSoFar, coverage, limit, warningPercent: options.warningPercent }));
      }
    }
    if (!(instance.ok && organizations.ok))
      miss('projection', `limits unknown: ${!instance.ok ? instance.reason : organizations.ok ? '' : organizations.reason}`);
  }

  // Reconciliation.
  let reconciliation: Reconciliation | null = null;
  const series = summary.periodSeries;
  const failed = firstFailure([payloads, devices, minutes, sources]);
  if (!daily || series === null) miss('reconciliation', 'the report has no daily figures');
  else if (!input.includeSandbox) miss('reconciliation', "the report leaves out sandbox applications, which Losant's counts include");
  else if (failed !== null) miss('reconciliation', failed);
  else if (payloads.ok && devices.ok && minutes.ok && sources.ok) {
    const reportDaily = (metric: keyof typeof MAIN_COLUMNS) => {
      const column = columnOf(Object.keys(series.columns), MAIN_COLUMNS[metric]);
      const values = column === null ? [] : (series.columns[column] ?? []);
      return dailyFigures(series.starts.flatMap((date, index) => (values[index] == null ? [] : [{ date, value: values[index] }])));
    };
    const differences = [
      ...compareDaily('payloads', reportDaily('payloads'), dailyFigures(payloads.value), options.tolerance),
      ...compareDaily('devices', reportDaily('devices'), dailyFigures(devices.value), options.tolerance),
      ...compareDaily('notebookMinutes', reportDaily('notebookMinutes'), dailyFigures(minutes.value), options.tolerance),
    ];
    const payloadTotal = payloads.value.reduce((sum, entry) => sum + entry.value, 0);
    reconciliation = { tolerance: options.tolerance, differences, drivers: [payloadDriver(period, payloadTotal, sources.value)] };
  }

  return {
    computedAt: input.now.toISOString(),
    warningPercent: options.warningPercent,
    limits,
    projections,
    reconciliation,
    unavailable,
    losantCalls: { count: facts === null ? 0 : calls, elapsedMs: facts === null ? 0 : elapsedMs },
  };
}
