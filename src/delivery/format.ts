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

/** Shown in place of an invisible control or format character. */
export const REPLACEMENT_CHARACTER = '\uFFFD';

/**
 * One line of printable text: line breaks and tabs (CR, LF, tab, VT, FF, NEL, line and paragraph
 * separators) become spaces and runs of whitespace collapse; every other control or format
 * character (Unicode Cc and Cf: NUL, ESC, C1 controls, the bidi embeddings, overrides and
 * isolates U+202A-U+202E and U+2066-U+2069, the marks U+200E/U+200F, zero-width characters, the
 * BOM, the soft hyphen) becomes a visible U+FFFD, so a name cannot reorder or hide what is shown
 * around it. Long text is cut with an ellipsis. Used for every header value and every value
 * shown in the email, so report content can neither inject mail headers, nor break the layout
 * of the text tables, nor disguise itself.
 */
export function singleLine(value: string, maxLength = 120): string {
  const flat = value
    .replace(/[\t\n\v\f\r\u0085\u2028\u2029]+/gu, ' ')
    .replace(/[\p{Cc}\p{Cf}]/gu, REPLACEMENT_CHARACTER)
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
