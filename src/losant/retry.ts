/**
 * Pure timing rules for calls to Losant: how long to wait before the next attempt. No I/O here,
 * so the arithmetic is tested on its own (test/unit/losant-retry.test.ts).
 */

export interface BackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
  /** A number in [0, 1), as Math.random gives; injected so tests can pin the jitter. */
  random: () => number;
}

/**
 * Exponential backoff with "full jitter": a uniform pick in [0, min(max, base * 2^retry)).
 * Full jitter spreads out clients that failed together better than a fixed or half jitter does.
 * `retry` counts from 0 for the first retry.
 */
export function backoffDelay(retry: number, options: BackoffOptions): number {
  const ceiling = backoffCeiling(retry, options);
  const r = Math.min(Math.max(options.random(), 0), 1);
  return Math.min(Math.floor(r * ceiling), ceiling);
}

/** The upper bound of the jittered delay for a given retry. */
export function backoffCeiling(retry: number, options: Pick<BackoffOptions, 'baseDelayMs' | 'maxDelayMs'>): number {
  const exponent = Math.max(0, Math.floor(retry));
  // 2 ** 1100 is Infinity, and Math.min handles Infinity, so no overflow guard is needed.
  return Math.max(0, Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** exponent));
}

/**
 * Reads a Retry-After header (RFC 9110 §10.2.3): either delay-seconds (a non-negative integer) or
 * an HTTP-date. Returns milliseconds from `now`, 0 for a date already past, or undefined when the
 * header is absent or unreadable, in which case the caller falls back to its own backoff.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+$/u.test(text)) {
    const seconds = Number(text);
    return Number.isSafeInteger(seconds) ? seconds * 1000 : undefined;
  }
  // A date must name a day and a time; this rejects bare numbers with signs or decimals
  // ("-1", "1.5") that Date.parse would otherwise read as years.
  if (!/[a-z]/iu.test(text) || !/\d{1,2}:\d{2}/u.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * The wait before the next attempt: what the server asked for when it said (never more than
 * maxDelayMs, so a hostile or mistaken header cannot park a job for hours), else jittered backoff.
 */
export function retryDelay(retry: number, retryAfterMs: number | undefined, options: BackoffOptions): number {
  if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), options.maxDelayMs);
  return backoffDelay(retry, options);
}
