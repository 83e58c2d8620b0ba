import type { ColumnChange } from '../summary/types.js';

/** Formatting shared by the HTML and text renderings, so both show the same figures. */

const INTEGER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const DECIMAL = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const SMALL = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 });
const PERCENT = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (Number.isInteger(value)) return INTEGER.format(value);
  if (Math.abs(value) >= 1) return DECIMAL.format(value);
  return SMALL.format(value);
}

/** 0.1234 → "12.3%". */
export function formatPercent(ratio: number): string {
  if (!Number.isFinite(ratio)) return '—';
  return `${PERCENT.format(ratio * 100)}%`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${INTEGER.format(bytes)} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${PERCENT.format(value)} ${units[unit] ?? 'TB'}`;
}

export type ChangeDirection = 'up' | 'down' | 'same' | 'new';

export interface FormattedChange {
  direction: ChangeDirection;
  /** "▲ 12.5%", "▼ 3.0%", "= 0.0%" or "▲ new" */
  text: string;
}

export function formatChange(change: ColumnChange): FormattedChange {
  if (change.ratio === null) {
    return change.current === 0 ? { direction: 'same', text: '= 0.0%' } : { direction: 'new', text: '▲ new' };
  }
  if (change.delta > 0) return { direction: 'up', text: `▲ ${formatPercent(Math.abs(change.ratio))}` };
  if (change.delta < 0) return { direction: 'down', text: `▼ ${formatPercent(Math.abs(change.ratio))}` };
  return { direction: 'same', text: '= 0.0%' };
}

/**
 * One line of printable text: control characters (CR, LF, tab, C0/C1, DEL, line and paragraph
 * separators) become spaces, runs of whitespace collapse, and long text is cut with an ellipsis.
 * Used for every header value and every table cell, so report content can neither inject mail
 * headers nor break the layout of the text tables.
 */
export function singleLine(value: string, maxLength = 120): string {
  const flat = value
    // eslint-disable-next-line no-control-regex -- control characters are exactly what this removes
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
  const chars = Array.from(flat);
  return chars.length > maxLength ? `${chars.slice(0, maxLength - 1).join('')}…` : flat;
}

const DATE_ONLY = /T00:00:00(?:\.0+)?Z$/u;

/** An ISO timestamp as "2026-10-01" (midnight UTC) or "2026-10-01 13:45 UTC"; anything else as safe text. */
export function formatTimestamp(value: string | Date): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return singleLine(String(value), 40);
  const iso = date.toISOString();
  if (DATE_ONLY.test(iso)) return iso.slice(0, 10);
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export function formatPeriod(start: string | null | undefined, end: string | null | undefined): string {
  const from = start ? formatTimestamp(start) : null;
  const to = end ? formatTimestamp(end) : null;
  if (from && to) return `${from} to ${to}`;
  if (from) return `from ${from}`;
  if (to) return `until ${to}`;
  return 'unknown period';
}
