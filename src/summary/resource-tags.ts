import { cutForDisplay, detachedCopy } from './kept-text.js';

/** Tag columns kept per resource, at most, and characters of a tag value kept. */
export const MAX_TAG_COLUMNS = 20;
export const MAX_TAG_VALUE_CHARS = 200;

/**
 * The values of a report's tag columns (`tag:<name>`, which Losant adds to reports grouped by
 * organization) per resource, the latest row's winning, for the first `maxResources` resources
 * met: the ones whose history is written (src/usage/resource-history.ts). Bounded in every
 * direction: resources, tag columns and value length; a row repeating its resource's tags (the
 * usual case) costs a comparison per tag and nothing more.
 */
export function createResourceTags(names: readonly string[], maxResources: number) {
  const positions = names.flatMap((name, index) => (name.startsWith('tag:') ? [index] : [])).slice(0, MAX_TAG_COLUMNS);
  const tagNames = positions.map((index) => (names[index] ?? '').slice('tag:'.length));
  const byResource = new Map<string, string[]>();

  return {
    get active(): boolean {
      return positions.length > 0;
    },

    add(key: string, fields: ReadonlyArray<string | undefined>): void {
      let values = byResource.get(key);
      if (values === undefined) {
        if (byResource.size >= maxResources) return;
        values = positions.map(() => '');
        byResource.set(detachedCopy(key), values);
      }
      positions.forEach((position, slot) => {
        const cell = fields[position]?.trim() ?? '';
        if (cell === '' || cell === values[slot]) return;
        values[slot] = detachedCopy(cutForDisplay(cell, MAX_TAG_VALUE_CHARS));
      });
    },

    /** A resource's tags by name (those with a value), or an empty object. */
    of(key: string): Record<string, string> {
      const values = byResource.get(key);
      const tags: Record<string, string> = {};
      if (values === undefined) return tags;
      values.forEach((value, slot) => {
        if (value !== '') Object.defineProperty(tags, tagNames[slot] ?? '', { value, enumerable: true, writable: true, configurable: true });
      });
      return tags;
    },
  };
}

export type ResourceTags = ReturnType<typeof createResourceTags>;
