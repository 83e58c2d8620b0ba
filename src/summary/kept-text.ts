/**
 * Text the summary keeps per distinct value (resource ids and names, undated period starts) comes
 * from CSV cells, each of which may be as large as CSV_MAX_FIELD_BYTES. Counting distinct values
 * alone does not bound memory: these bounds and copies do.
 */

/**
 * Losant ids are 24 hexadecimal characters; 64 leaves room for other id spellings while keeping
 * 100,000 resources' ids under 10 MB. A longer id is a bad row, not a resource.
 */
export const MAX_RESOURCE_ID_CHARS = 64;

/** Losant's own limit on a resource name; a longer name is shown cut (see cutForDisplay). */
export const MAX_RESOURCE_NAME_CHARS = 255;

/**
 * The longest date the summary reads (ISO date-time with fractional seconds and an offset) is
 * under 40 characters; a period start that is not a date is kept as text per distinct period, so
 * a longer start is a bad row.
 */
export const MAX_PERIOD_START_CHARS = 64;

/** How much of a column name a bad row's reason quotes: header cells are as unbounded as any other. */
export const MAX_QUOTED_COLUMN_CHARS = 64;

const ELLIPSIS = '…';

/**
 * `text` when it has at most maxChars UTF-16 code units, else its start and '…' in maxChars units
 * in all. The cut never splits a surrogate pair (an emoji stays whole or goes).
 */
export function cutForDisplay(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let end = maxChars - ELLIPSIS.length;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1; // a high surrogate whose pair would be cut off
  return text.slice(0, end) + ELLIPSIS;
}

/**
 * A copy of `text` that holds on to nothing else. V8 makes a trimmed or cut string a view into the
 * cell it came from when it can (16 characters of a 1 MB cell keep the whole megabyte alive), so
 * whatever the summary keeps past the row is copied first. UTF-16 in and out: lossless.
 */
export function detachedCopy(text: string): string {
  return Buffer.from(text, 'utf16le').toString('utf16le');
}
