import { USAGE_ROLES, type UsageRole } from '../usage/usage-columns.js';
import { html, type SafeHtml } from './html.js';

/** The chart's and the tables' name of each figure. */
export const FIGURE_NAMES: Readonly<Record<UsageRole, string>> = {
  billablePayloads: 'Billable payloads',
  devices: 'Devices',
  notebookMinutes: 'Notebook minutes',
};

/** One x position of a usage chart: its label and its figures. */
export interface UsagePoint {
  label: string;
  figures: Readonly<Record<UsageRole, number | null>>;
}

/**
 * A chart of billable payloads, devices and notebook minutes, one panel each (their scales differ
 * by orders of magnitude), drawn by src/ui/assets/usage-chart.js from the data-usage-chart
 * attribute. The page shows the same figures in a table, for readers without script.
 */
export function usageChart(description: string, points: readonly UsagePoint[]): SafeHtml {
  const data = {
    labels: points.map((point) => point.label),
    series: USAGE_ROLES.map((role) => ({ name: FIGURE_NAMES[role], data: points.map((point) => point.figures[role]) })),
  };
  return html`<div class="chart chart-usage" role="img" aria-label="${description} (the table below has the same figures)" data-usage-chart="${JSON.stringify(data)}"></div>`;
}
