/**
 * Exponential backoff for retries (Losant calls, downloads). Pure arithmetic, tested on its own
 * (test/unit/backoff.test.ts).
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
