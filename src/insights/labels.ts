import type { InsightLevel, LimitMetric, ReconciledMetric } from './types.js';

/** Words for insights, shared by the email and the dashboard. */

const METRIC_LABELS: Record<string, string> = {
  payloads: 'Billable payloads',
  devices: 'Devices',
  notebookMinutes: 'Notebook minutes',
};

export function metricLabel(metric: LimitMetric | ReconciledMetric): string {
  if (metric.startsWith('static:')) return `Static: ${metric.slice('static:'.length)}`;
  return METRIC_LABELS[metric] ?? metric;
}

export const LEVEL_WORDS: Record<InsightLevel, string> = { ok: 'ok', warning: 'WARNING', over: 'OVER', unknown: 'limit unknown' };

export const PART_LABELS = {
  limits: 'Usage against limits',
  projection: 'Month-end projection',
  reconciliation: "Reconciliation with Losant's counts",
} as const;

/** The title of the month-over-month movers (src/insights/movers.ts). */
export const MOVERS_LABEL = 'Movers';
