import { html, type SafeHtml } from '../html.js';

/*
 * How the dashboard shows a change from one month to the next: signed, with thousands separators,
 * coloured by direction (never the only cue: the sign is there).
 */

const number = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: 2 });

/** "+1,234", "−56" or "0", in the class of its direction. */
export function changeCell(change: number): SafeHtml {
  if (change === 0) return html`0`;
  return change > 0 ? html`<span class="change-up">+${number(change)}</span>` : html`<span class="change-down">−${number(-change)}</span>`;
}

/** "+12.5%", "−3%", or a dash when the month before had none (no ratio of nothing). */
export function percentCell(percent: number | null): SafeHtml {
  if (percent === null) return html`<span class="muted" title="The month before had none">—</span>`;
  if (percent === 0) return html`0%`;
  return percent > 0 ? html`<span class="change-up">+${number(percent)}%</span>` : html`<span class="change-down">−${number(-percent)}%</span>`;
}
