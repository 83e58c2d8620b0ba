import { detachedCopy } from './kept-text.js';
import { roundSum } from './numbers.js';
import type { TopEntry } from './types.js';

export interface RankedColumn {
  column: string;
  /** Level columns keep each resource's highest period; flows add its periods up (see isLevelColumn). */
  level: boolean;
}

interface ResourceEntry {
  name: string;
  values: Float64Array;
}

/**
 * Per-resource figures for the ranked columns: one small entry per distinct resource, never per
 * row. Past maxResources new resources are ignored (and no longer counted, only their rows:
 * untrackedRows), which keeps memory bounded even for a file that invents a new id on every row. Ids and names are kept as copies
 * (see detachedCopy), so an entry costs what its own text costs, never the cell it was cut from;
 * bounding their length is the caller's part.
 */
export function createResourceTable(ranked: readonly RankedColumn[], maxResources: number) {
  const resources = new Map<string, ResourceEntry>();
  const initial = ranked.map((column) => (column.level ? Number.NEGATIVE_INFINITY : 0));
  const levels = Uint8Array.from(ranked, (column) => (column.level ? 1 : 0));
  let untrackedRows = 0;

  return {
    /** `values[i]` belongs to `ranked[i]`; NaN means the row has no number there. Read, not kept. */
    add(key: string, name: string, values: Readonly<Float64Array>): void {
      let entry = resources.get(key);
      if (entry === undefined) {
        if (resources.size >= maxResources) {
          untrackedRows += 1;
          return;
        }
        const keptKey = detachedCopy(key);
        entry = { name: name === key ? keptKey : detachedCopy(name), values: Float64Array.from(initial) };
        resources.set(keptKey, entry);
      } else if (name !== '' && name !== entry.name) {
        entry.name = detachedCopy(name); // the latest name wins: resources can be renamed within a period
      }
      for (let index = 0; index < levels.length; index++) {
        // Both arrays have one slot per ranked column, like `levels`: the index is in bounds.
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- see above
        const value = values[index]!;
        if (Number.isNaN(value)) continue;
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- see above
        const current = entry.values[index]!;
        entry.values[index] = levels[index] === 1 ? Math.max(current, value) : current + value;
      }
    },

    get size(): number {
      return resources.size;
    },

    /** Rows given for resources left out because the table was full when each first came. */
    get untrackedRows(): number {
      return untrackedRows;
    },

    /**
     * The first `limit` resources in the order first met, each with its figure per ranked column
     * (`values[i]` for ranked[i]; NaN when no row gave the column a number).
     */
    *first(limit: number): Generator<{ id: string; name: string; values: Float64Array }> {
      let count = 0;
      for (const [id, entry] of resources) {
        if (count >= limit) return;
        count += 1;
        yield { id, name: entry.name === '' ? id : entry.name, values: entry.values.map((value) => (Number.isFinite(value) ? roundSum(value) : Number.NaN)) };
      }
    },

    /**
     * The topN resources with the largest positive figure for ranked[index], largest first (ties by
     * name, then id). `share` is of the sum of all resources' positive figures, which for a flow
     * equals the column total whenever every row names its resource.
     */
    top(index: number, topN: number): TopEntry[] {
      const entries: Array<{ id: string; name: string; value: number }> = [];
      let sum = 0;
      for (const [id, entry] of resources) {
        const value = entry.values[index] ?? 0;
        if (!(value > 0)) continue;
        sum += value;
        entries.push({ id, name: entry.name === '' ? id : entry.name, value });
      }
      entries.sort((a, b) => b.value - a.value || compareText(a.name, b.name) || compareText(a.id, b.id));
      return entries.slice(0, topN).map((entry) => ({
        id: entry.id,
        name: entry.name,
        value: roundSum(entry.value),
        share: sum > 0 ? roundSum(entry.value / sum) : 0,
      }));
    },
  };
}

function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

export type ResourceTable = ReturnType<typeof createResourceTable>;
