import type { Mover, Movers } from '../../insights/types.js';
import { dataTable } from '../data-table.js';
import { figureCell } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { resourceHref } from '../resource-kinds.js';
import { BACKFILL_SECTION_HREF } from './backfill-form.js';
import { changeCell, percentCell } from './change-format.js';

function moversTable(movers: Movers, rows: readonly Mover[], caption: string): SafeHtml {
  return dataTable({
    caption,
    rows,
    rowHeader: { header: 'Organization', cell: (mover) => html`<a href="${resourceHref('organization', mover.id)}">${mover.name}</a>` },
    columns: [
      { header: movers.previousMonth, cell: (mover) => figureCell(mover.previous), attributes: html` class="number"` },
      { header: movers.latestMonth, cell: (mover) => figureCell(mover.latest), attributes: html` class="number"` },
      { header: 'Change', cell: (mover) => changeCell(mover.change), attributes: html` class="number"` },
      { header: 'Change %', cell: (mover) => percentCell(mover.percent), attributes: html` class="number"` },
    ],
  });
}

/**
 * The organizations whose billable payloads rose and fell most from the month before the latest
 * complete month to that month (whole months only), each linking to its page.
 */
export function moversSection(movers: Movers): SafeHtml {
  const months = `${movers.previousMonth} to ${movers.latestMonth}`;
  const body =
    movers.compared === 0
      ? html`<p class="empty">
          No organization has whole-month figures for both ${movers.previousMonth} and ${movers.latestMonth} yet:
          <a href="${BACKFILL_SECTION_HREF}">backfill them from Losant</a>.
        </p>`
      : html`<p class="muted">
            ${movers.compared.toLocaleString('en-US')} organization${movers.compared === 1 ? '' : 's'} with whole-month figures in both months compared.
          </p>
          ${
            movers.up.length === 0
              ? html`<p class="empty">No organization's billable payloads rose from ${months}.</p>`
              : moversTable(movers, movers.up, `Organizations whose billable payloads rose most from ${months}, largest rise first`)
          }
          ${
            movers.down.length === 0
              ? html`<p class="empty">No organization's billable payloads fell from ${months}.</p>`
              : moversTable(movers, movers.down, `Organizations whose billable payloads fell most from ${months}, largest fall first`)
          }`;
  return html`<section aria-labelledby="movers-title">
    <h2 id="movers-title">Top movers by billable payloads</h2>
    ${body}
  </section>`;
}
