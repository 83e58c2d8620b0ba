/**
 * Records keyed by names that come from outside (CSV column names): any name is an ordinary own
 * key, `__proto__` included. Assignment (`record[key] = value`) would turn such a key into a
 * prototype change and lose it, so every entry is defined as an own property instead.
 */

/** Adds (or replaces) `key` on `record` as an own, enumerable, writable property. */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A plain object with the given entries, in order, each an own property. */
export function ownRecord<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  const record: Record<string, T> = {};
  for (const [key, value] of entries) setOwn(record, key, value);
  return record;
}
