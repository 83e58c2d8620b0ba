import type { InsightLevel } from './types.js';

/** used / limit as a percentage with one decimal; null when the limit is unknown or 0 (no ratio to show). */
export function percentOf(used: number, limit: number | null): number | null {
  if (limit === null || limit <= 0) return null;
  return Math.round((used / limit) * 1000) / 10;
}

/**
 * over above 100%, warning from the threshold up to 100% (at the limit is not yet over it), ok
 * below. A limit of 0 allows nothing: any use is over it. Without a limit: unknown.
 */
export function levelOf(used: number, limit: number | null, warningPercent: number): InsightLevel {
  if (limit === null) return 'unknown';
  if (limit <= 0) return used > 0 ? 'over' : 'ok';
  const percent = (used / limit) * 100;
  if (percent > 100) return 'over';
  if (percent >= warningPercent) return 'warning';
  return 'ok';
}
