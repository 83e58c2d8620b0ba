import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Callback secrets. Only a SHA-256 hash of each secret is stored; comparison is between two
 * fixed-length digests with timingSafeEqual, so neither the length nor the content of the
 * presented secret leaks through timing.
 */

const SECRET_BYTES = 32;

export function generateSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

export function hashSecret(secret: string): string {
  return hash('sha256', secret, 'hex');
}

/** A digest that no secret hashes to in practice, compared against when there is no record, so misses cost the same. */
const DECOY_HASH = hashSecret(randomBytes(SECRET_BYTES).toString('base64url'));

export function secretMatches(presented: string, storedHash: string | null | undefined): boolean {
  const expected = Buffer.from(storedHash ?? DECOY_HASH, 'hex');
  const actual = hash('sha256', presented, 'buffer');
  const equal = expected.length === actual.length && timingSafeEqual(expected, actual);
  return equal && storedHash !== null && storedHash !== undefined;
}

/** Report and schedule ids: time-ordered prefix plus randomness, safe in URLs and Redis keys. */
export function generateId(prefix: 'r' | 's'): string {
  const time = Date.now().toString(36).padStart(9, '0');
  return `${prefix}${time}${randomBytes(8).toString('hex')}`;
}

export const REPORT_ID_PATTERN = /^r[0-9a-z]{9}[0-9a-f]{16}$/u;
export const SCHEDULE_ID_PATTERN = /^s[0-9a-z]{9}[0-9a-f]{16}$/u;
export const SECRET_PATTERN = /^[\w-]{43}$/u;
