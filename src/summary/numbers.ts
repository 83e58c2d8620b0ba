const PLAIN_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/u;

/** True for a decimal number written plainly (`12`, `-12.5`, `+3`, `1e6`): no spaces, units or separators. */
export function isPlainNumber(value: string): boolean {
  return PLAIN_NUMBER.test(value) && Number.isFinite(Number(value));
}

/**
 * The number a trimmed cell holds when it is a plain number (see isPlainNumber), else NaN: a
 * plain number is always finite, so NaN cannot be mistaken for one. Converts the text once.
 */
export function plainNumberOrNaN(trimmed: string): number {
  // Most cells of a report are counts: up to 15 digits are read here, exactly (below 2^53), without
  // the regular expression and the conversion; anything else takes the general path.
  const length = trimmed.length;
  if (length > 0 && length <= 15) {
    let value = 0;
    let index = 0;
    for (; index < length; index++) {
      const digit = trimmed.charCodeAt(index) - 48;
      if (digit < 0 || digit > 9) break;
      value = value * 10 + digit;
    }
    if (index === length) return value;
  }
  if (!PLAIN_NUMBER.test(trimmed)) return Number.NaN;
  const number = Number(trimmed);
  return Number.isFinite(number) ? number : Number.NaN;
}

/**
 * Rounds sums to 6 decimals so that float noise (0.1 + 0.2 = 0.30000000000000004) never reaches
 * an email, while megabyte fractions and counts keep all their meaningful digits.
 */
export function roundSum(value: number): number {
  const rounded = Number(value.toFixed(6));
  return rounded === 0 ? 0 : rounded; // no -0
}
