import { buildInsightsView } from '../../delivery/insights-view.js';
import type { InsightLevel, ReportInsights } from '../../insights/types.js';
import { html, type SafeHtml } from '../html.js';

/**
 * A report's insights on its page: the same tables as the email (one model, src/delivery/
 * insights-view.ts), with each flagged row's level as a badge, and the parts that are unavailable
 * with their reasons.
 */

const BADGE: Record<InsightLevel, string> = { over: 'badge-failed', warning: 'badge-overdue', ok: 'badge-delivered', unknown: '' };

export function insightsSection(insights: ReportInsights | null | undefined): SafeHtml {
  if (!insights) return html``;
  const view = buildInsightsView(insights);
  return html`<section aria-labelledby="insights-title">
    <h2 id="insights-title">Insights</h2>
    ${
      view.unavailable.length > 0 &&
      html`<ul class="insights-unavailable">
      ${view.unavailable.map((line) => html`<li>Unavailable: ${line}</li>`)}
    </ul>`
    }
    ${view.tables.map(
      (table) => html`<h3>${table.title}</h3>
        ${table.notes.map((line) => html`<p>${line}</p>`)}
        ${
          table.rows.length > 0 &&
          html`<div class="table-wrap">
          <table>
            <thead>
              <tr>
                ${table.headers.map((heading, index) => html`<th scope="col" class="${index < 2 ? '' : 'number'}">${heading}</th>`)}
              </tr>
            </thead>
            <tbody>
              ${table.rows.map(
                (row) => html`<tr data-level="${row.level ?? ''}">
                  ${row.cells.map((cell, index) =>
                    index === row.cells.length - 1 && row.level !== null
                      ? html`<td data-label="${table.headers[index] ?? ''}" class="number"><span class="badge ${BADGE[row.level]}">${cell}</span></td>`
                      : html`<td data-label="${table.headers[index] ?? ''}" class="${index < 2 ? '' : 'number'}">${cell}</td>`,
                  )}
                </tr>`,
              )}
            </tbody>
          </table>
        </div>`
        }`,
    )}
  </section>`;
}
