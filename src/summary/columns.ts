/**
 * Which column plays which part in a usage report, found by header name (never position) so a
 * real file that renames or reorders columns still summarizes. Matching ignores case, spaces,
 * underscores and dashes ("Resource ID" finds resourceId).
 */

export interface ColumnRoles {
  type: string | null;
  id: string | null;
  name: string | null;
  start: string | null;
  end: string | null;
  /** The main usage columns present, in this order: payloads, devices, notebook minutes. */
  main: string[];
}

const CANDIDATES = {
  type: ['resourceType'],
  id: ['resourceId', 'applicationId', 'organizationId', 'orgId', 'appId', 'id'],
  name: ['resourceName', 'applicationName', 'organizationName', 'orgName', 'appName', 'name'],
  start: ['currentPeriodStart', 'periodStart', 'startDate', 'start', 'date', 'day', 'month'],
  end: ['currentPeriodEnd', 'periodEnd', 'endDate', 'end'],
} as const;

export function normalizeColumnName(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/gu, '');
}

function findColumn(columns: readonly string[], candidates: readonly string[]): string | null {
  for (const candidate of candidates) {
    const wanted = normalizeColumnName(candidate);
    const found = columns.find((column) => normalizeColumnName(column) === wanted);
    if (found !== undefined) return found;
  }
  return null;
}

function findPayloadColumn(columns: readonly string[]): string | null {
  return findColumn(columns, ['payloadBillableCount']) ?? columns.find((column) => /^payload.*count$/u.test(normalizeColumnName(column))) ?? null;
}

export function detectRoles(columns: readonly string[]): ColumnRoles {
  const main = [findPayloadColumn(columns), findColumn(columns, ['deviceCount']), findColumn(columns, ['notebookMinutesCount'])].filter(
    (column): column is string => column !== null,
  );
  return {
    type: findColumn(columns, CANDIDATES.type),
    id: findColumn(columns, CANDIDATES.id),
    name: findColumn(columns, CANDIDATES.name),
    start: findColumn(columns, CANDIDATES.start),
    end: findColumn(columns, CANDIDATES.end),
    main,
  };
}

/**
 * Columns never totalled even when their values look numeric: identifiers, period bounds,
 * the sandbox flag and organization tags are labels, not quantities.
 */
export function isExcludedFromTotals(column: string, roles: ColumnRoles): boolean {
  if ([roles.type, roles.id, roles.name, roles.start, roles.end].includes(column)) return true;
  if (column.startsWith('tag:')) return true;
  if (/(?:Id|ID|_id)$/u.test(column) || /^id$/iu.test(column)) return true;
  if (/(?:Start|End)$/u.test(column) || /^(?:start|end)$/iu.test(column)) return true;
  return normalizeColumnName(column) === 'sandbox';
}

/**
 * Levels are amounts that exist at a moment (devices, dashboards, stored megabytes): a resource's
 * figure for a month of daily rows is its highest day, not the sum of its days. Flows (payloads,
 * notebook runs and minutes, anything unrecognised) accumulate, so they are summed over periods.
 */
export function isLevelColumn(column: string): boolean {
  const name = normalizeColumnName(column);
  if (name.startsWith('payload') || name.includes('minute') || /runs?count$/u.test(name)) return false;
  return /count$|sizemb$|size$|prorated$/u.test(name);
}
