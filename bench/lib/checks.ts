import type { Check } from './case.js';
import { formatNumber } from './report.js';

/** An absolute target: pass when `value` is below `limit`. */
export function checkBelow(name: string, value: number, limit: number, unit: string): Check {
  return { name, value, unit, target: `< ${formatNumber(limit)} ${unit}`.trim(), pass: Number.isFinite(value) && value < limit };
}

/** An absolute target: pass when `value` equals `expected` exactly (counts). */
export function checkEquals(name: string, value: number, expected: number, unit: string): Check {
  return { name, value, unit, target: `= ${formatNumber(expected)} ${unit}`.trim(), pass: value === expected };
}
