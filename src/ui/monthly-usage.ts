import type { MonthTotals } from '../usage/instance-totals.js';
import type { UiDeps } from './deps.js';
import { figureCell, reportHref } from './format.js';
import { html, type SafeHtml } from './html.js';
import { FIGURE_NAMES, usageChart } from './usage-chart.js';

/** The first month of the last `count` months before and including `now`'s, as "YYYY-MM" (UTC). */
export function firstMonthOf(now: Date, count: number): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (count - 1), 1)).toISOString().slice(0, 7);
}

function source(month: MonthTotals): SafeHtml {
  const reports = month.reportIds.map((id, index) => html`${index > 0 && ', '}<a href="${reportHref(id)}">${id}</a>`);
  const from = month.from === 'month' ? 'a monthly report' : `${month.days} day${month.days === 1 ? '' : 's'} of daily reports`;
  return html`<span>${from}: ${reports}</span>`;
}

function monthsTable(months: readonly MonthTotals[]): SafeHtml {
  return html`<div class="table-wrap">
    <table>
      <caption>
        The instance's usage month by month (UTC), oldest first, from the latest delivered report covering each day or month; devices are the peak day's
      </caption>
      <thead>
        <tr>
          <th scope="col">Month</th>
          <th scope="col">${FIGURE_NAMES.billablePayloads}</th>
          <th scope="col">${FIGURE_NAMES.devices}</th>
          <th scope="col">${FIGURE_NAMES.notebookMinutes}</th>
          <th scope="col">From</th>
        </tr>
      </thead>
      <tbody>
        ${months.map(
          (month) => html`<tr>
            <th scope="row">${month.month}</th>
            <td data-label="${FIGURE_NAMES.billablePayloads}" class="number">${figureCell(month.billablePayloads)}</td>
            <td data-label="${FIGURE_NAMES.devices}" class="number">${figureCell(month.devices?.peak)}</td>
            <td data-label="${FIGURE_NAMES.notebookMinutes}" class="number">${figureCell(month.notebookMinutes)}</td>
            <td data-label="From" class="message">${source(month)}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

/** The overview's section of the instance's totals month by month: a chart and the same figures as a table. */
export async function monthlyUsage(deps: Pick<UiDeps, 'usage'>, monthsShown: number, now: Date = new Date()): Promise<SafeHtml> {
  const months = await deps.usage.instance.monthlyTotals({ from: firstMonthOf(now, monthsShown) });
  return html`<section aria-labelledby="months-title">
    <h2 id="months-title">Instance usage by month</h2>
    ${
      months.length === 0
        ? html`<p class="empty">No delivered report has figures per day or month yet.</p>`
        : html`${usageChart(
            "Line charts of the instance's billable payloads, devices (peak day) and notebook minutes month by month",
            months.map((month) => ({
              label: month.month,
              figures: { billablePayloads: month.billablePayloads, devices: month.devices?.peak ?? null, notebookMinutes: month.notebookMinutes },
            })),
          )}
          ${monthsTable(months)}`
    }
  </section>`;
}
