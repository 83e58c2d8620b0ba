import { normalizeColumnName } from '../summary/columns.js';

/** The three figures dashboards chart: what a report's main usage columns give. */
export type UsageRole = 'billablePayloads' | 'devices' | 'notebookMinutes';

export const USAGE_ROLES: readonly UsageRole[] = ['billablePayloads', 'devices', 'notebookMinutes'];

/** Which figure a column gives: the payload columns' billable count, devices, notebook minutes; null for any other. */
export function usageRoleOf(column: string): UsageRole | null {
  const name = normalizeColumnName(column);
  if (name === 'payloadbillablecount') return 'billablePayloads';
  if (name === 'devicecount') return 'devices';
  if (name === 'notebookminutescount') return 'notebookMinutes';
  return null;
}

/** A point's figures by role (columns named as in the report's CSV, in whatever case); null where the report had no such column. */
export function usageFigures(figures: Readonly<Record<string, number>>): Record<UsageRole, number | null> {
  const found: Record<UsageRole, number | null> = { billablePayloads: null, devices: null, notebookMinutes: null };
  for (const [column, value] of Object.entries(figures)) {
    const role = usageRoleOf(column);
    if (role !== null) found[role] = value;
  }
  return found;
}
