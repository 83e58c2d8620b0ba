import type { MonthChange, TrendMetric } from '../../insights/types.js';
import type { MonthPoint, OrganizationTrendView } from '../../trends/index.js';
import type { UsageRole } from '../../usage/usage-columns.js';
import { dataTable } from '../data-table.js';
import { figureCell, reportHref } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { FIGURE_NAMES, usageChart } from '../usage-chart.js';
import { BACKFILL_SECTION_HREF } from './backfill-form.js';
import { changeCell, percentCell } from './change-format.js';

/** The figure each trend metric is. */
const ROLE_OF: Readonly<Record<TrendMetric, UsageRole>> = { payloads: 'billablePayloads', devices: 'devices', notebookMinutes: 'notebookMinutes' };

function source(point: MonthPoint): SafeHtml {
  if (point.source === 'historicalSummaries') return html`Losant's historicalSummaries`;
  return point.report === null ? html`a report` : html`report <a href="${reportHref(point.report.id)}">${point.report.id}</a>`;
}

function coverage(point: MonthPoint): SafeHtml {
  return point.partial
    ? html`<span class="badge badge-partial">partial</span> ${point.daysCovered} of ${point.daysInMonth} days`
    : html`whole month (${point.daysInMonth} days)`;
}

function changesTable(changes: readonly MonthChange[]): SafeHtml {
  const [first] = changes;
  if (first === undefined) {
    return html`<p class="empty">No month-over-month change yet: it needs whole-month figures for both of the last two complete months.</p>`;
  }
  return dataTable({
    caption: `Month over month: ${first.latestMonth} against ${first.previousMonth} (whole months only)`,
    rows: changes,
    rowHeader: { header: 'Figure', cell: (change) => FIGURE_NAMES[ROLE_OF[change.metric]] },
    columns: [
      { header: first.previousMonth, cell: (change) => figureCell(change.previous), attributes: html` class="number"` },
      { header: first.latestMonth, cell: (change) => figureCell(change.latest), attributes: html` class="number"` },
      { header: 'Change', cell: (change) => changeCell(change.change), attributes: html` class="number"` },
      { header: 'Change %', cell: (change) => percentCell(change.percent), attributes: html` class="number"` },
    ],
  });
}

function monthsTable(points: readonly MonthPoint[]): SafeHtml {
  return dataTable({
    caption: "The organization's usage month by month (UTC), newest first: payloads and minutes summed over the days covered, devices at the month's highest",
    rows: [...points].reverse(),
    rowHeader: { header: 'Month', cell: (point) => point.month },
    columns: [
      { header: FIGURE_NAMES.billablePayloads, cell: (point) => figureCell(point.billablePayloads), attributes: html` class="number"` },
      { header: FIGURE_NAMES.devices, cell: (point) => figureCell(point.devices), attributes: html` class="number"` },
      { header: FIGURE_NAMES.notebookMinutes, cell: (point) => figureCell(point.notebookMinutes), attributes: html` class="number"` },
      { header: 'Source', cell: source, attributes: html` class="message"` },
      { header: 'Covers', cell: coverage },
    ],
  });
}

/**
 * An organization's months: the month-over-month change of each figure, a chart and the months as
 * a table; without months, a line that says so and points at the backfill.
 */
export function organizationTrendSection(trend: OrganizationTrendView | null): SafeHtml {
  const body =
    trend === null
      ? html`<p class="empty">
          No monthly figures for this organization yet: <a href="${BACKFILL_SECTION_HREF}">backfill them from Losant</a>, or wait for a delivered report
          grouped by organization.
        </p>`
      : html`${changesTable(trend.changes)}
        ${usageChart(
          "Line charts of the organization's billable payloads, devices and notebook minutes month by month",
          trend.points.map((point) => ({
            label: point.partial ? `${point.month} (partial)` : point.month,
            figures: { billablePayloads: point.billablePayloads, devices: point.devices, notebookMinutes: point.notebookMinutes },
          })),
        )}
        ${monthsTable(trend.points)}`;
  return html`<section aria-labelledby="months-title">
    <h2 id="months-title">Usage by month</h2>
    ${body}
  </section>`;
}
