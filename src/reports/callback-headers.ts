/**
 * The request headers a callback is kept with: every one of them, as Losant sent them (their
 * names lowercased, repeats joined by Node), so what Losant posts, which it does not document,
 * can be read back later. Bounded in count and size; the values of credentials are replaced.
 */

/** At most this many headers are kept (the first ones, in the order they came); `headersDropped` counts the rest, and those named like prototype keys. */
export const MAX_KEPT_HEADERS = 64;
/** A longer value is cut here (a header value is not where a report lives). */
export const MAX_HEADER_VALUE_CHARS = 2048;
const MAX_HEADER_NAME_CHARS = 128;

/** Headers whose values are credentials or session data: kept by name only. */
const REDACTED_NAMES = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-auth-token', 'x-amz-security-token']);
/** Names that say a value is secret whatever the header is called. */
const SECRET_NAME = /token|secret|signature|password|passwd|api[-_]?key|credential|session/iu;
export const REDACTED = '[redacted]';

export function isRedactedHeader(name: string): boolean {
  return REDACTED_NAMES.has(name) || SECRET_NAME.test(name);
}

export interface KeptHeaders {
  headers: Record<string, string>;
  /** How many headers were left out past MAX_KEPT_HEADERS (0 when none). */
  dropped: number;
}

/** Names that would touch an object's prototype wherever the headers are copied or parsed later: not kept. */
const PROTOTYPE_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

export function keepHeaders(incoming: Record<string, string | string[] | undefined>): KeptHeaders {
  const headers: Record<string, string> = {};
  let kept = 0;
  let dropped = 0;
  for (const [rawName, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    if (kept >= MAX_KEPT_HEADERS || PROTOTYPE_NAMES.has(rawName.toLowerCase())) {
      dropped += 1;
      continue;
    }
    const name = rawName.toLowerCase().slice(0, MAX_HEADER_NAME_CHARS);
    const text = Array.isArray(value) ? value.join(', ') : value;
    headers[name] = isRedactedHeader(name) ? REDACTED : text.slice(0, MAX_HEADER_VALUE_CHARS);
    kept += 1;
  }
  return { headers, dropped };
}
