const PLAIN_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/u;

/** True for a decimal number written plainly (`12`, `-12.5`, `+3`, `1e6`): no spaces, units or separators. */
export function isPlainNumber(value: string): boolean {
  return PLAIN_NUMBER.test(value) && Number.isFinite(Number(value));
}

/** The number in a CSV cell (surrounding spaces allowed), or null when the cell is not a plain number. */
export function parseNumber(value: string): number | null {
  const trimmed = value.trim();
  return isPlainNumber(trimmed) ? Number(trimmed) : null;
}

/**
 * Rounds sums to 6 decimals so that float noise (0.1 + 0.2 = 0.30000000000000004) never reaches
 * an email, while megabyte fractions and counts keep all their meaningful digits.
 */
export function roundSum(value: number): number {
  const rounded = Number(value.toFixed(6));
  return rounded === 0 ? 0 : rounded; // no -0
}
