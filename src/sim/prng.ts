/**
 * Deterministic randomness for the simulator's fake data. Values are derived by hashing a key
 * (seed, resource, date, metric) instead of drawing from one running stream, so any day of any
 * resource can be generated on demand, in any order, and always comes out the same.
 */

export type Key = ReadonlyArray<string | number>;

/** FNV-1a of a string. */
function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** One murmur3 block step: folds a 32-bit word into the running hash. */
function mix(h: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** 32-bit hash of a key (murmur3-style over the parts, with its final avalanche). */
export function hash32(key: Key): number {
  let h = 0x9747b28c;
  for (const part of key) {
    if (typeof part === 'number' && Number.isSafeInteger(part)) {
      h = mix(mix(mix(h, 1), part | 0), Math.floor(part / 0x1_0000_0000) | 0);
    } else {
      h = mix(mix(h, 2), hashString(String(part)));
    }
  }
  h ^= key.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A float in [0, 1) for a key. */
export function unit(key: Key): number {
  return hash32(key) / 0x1_0000_0000;
}

/** An integer in [min, max] (inclusive) for a key. */
export function intIn(key: Key, min: number, max: number): number {
  return min + Math.floor(unit(key) * (max - min + 1));
}

/** A 24-hex-digit id (Losant's ObjectId shape) for a key. */
export function hexId(key: Key): string {
  return [0, 1, 2]
    .map((part) =>
      hash32([...key, 'id', part])
        .toString(16)
        .padStart(8, '0'),
    )
    .join('');
}

/** mulberry32: a tiny seeded generator, for the few places that draw a sequence. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}

/**
 * Splits `total` into parts proportional to `weights` so that the parts always sum to `total`
 * exactly (cumulative rounding), which keeps hourly and daily figures in agreement.
 */
export function splitByWeights(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const parts: number[] = [];
  let cumulative = 0;
  let previous = 0;
  for (const weight of weights) {
    cumulative += weight;
    const next = sum === 0 ? 0 : Math.round((total * cumulative) / sum);
    parts.push(next - previous);
    previous = next;
  }
  if (sum === 0 && parts.length > 0) parts[parts.length - 1] = total;
  return parts;
}
