/**
 * Pure timing rules for calls to Losant: how long to wait before the next attempt. No I/O here,
 * so the arithmetic is tested on its own (test/unit/losant-retry.test.ts).
 */

import { backoffDelay, type BackoffOptions } from '../backoff.js';

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
