import { html, type SafeHtml } from './html.js';

/** A time as `<time>`: readable (UTC, to the minute) with the exact ISO time for machines and tooltips. */
export function timeTag(iso: string | null): SafeHtml {
  if (iso === null) return html`<span class="muted">—</span>`;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return html`${iso}`;
  const shown = `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return html`<time datetime="${date.toISOString()}" title="${date.toISOString()}">${shown}</time>`;
}

/** A report status as a badge whose class the stylesheet colours (never the only cue: the word is there). */
export function statusBadge(status: string): SafeHtml {
  return html`<span class="badge badge-${status.replace(/[^a-z_-]/gu, '')}">${status.replace(/_/gu, ' ')}</span>`;
}

export const reportHref = (id: string) => `/ui/reports/${encodeURIComponent(id)}`;
export const scheduleHref = (id: string) => `/ui/schedules/${encodeURIComponent(id)}`;

/** A usage figure with thousands separators (up to two decimals); a dash where the report had none. */
export function figureCell(value: number | null | undefined): SafeHtml {
  if (value === null || value === undefined) return html`<span class="muted">—</span>`;
  return html`${value.toLocaleString('en-US', { maximumFractionDigits: 2 })}`;
}

/** A period as "start – end" (either may be unknown). */
export function periodTag(start: string | null, end: string | null): SafeHtml {
  // One element, so that a phone's card layout (a grid per cell) keeps it on one line of the card.
  return html`<span class="period">${timeTag(start)} – ${timeTag(end)}</span>`;
}
