/**
 * A download does almost no work in JavaScript per chunk, so V8's young generation fills slowly
 * and the dead socket buffers (a new 64 KiB one per read, allocated by Node) wait for the next
 * collection: V8 collects them only when their external memory has grown by tens of MB. A young
 * collection every few MiB written frees them while they are few, at a cost of well under a
 * millisecond per collection (figures: bench/README.md, case pipeline).
 *
 * It needs `gc` exposed (`node --expose-gc`, as the Procfile's worker line does); without it this
 * does nothing and V8 collects on its own schedule as before.
 */

/** The form of `gc` that `node --expose-gc` provides. */
export type ExposedGc = (options: { type: 'minor' | 'major' }) => void;

/** How many bytes pass between young collections. */
export const YOUNG_COLLECTION_EVERY_BYTES = 4 * 1024 * 1024;

/** Returns a function to call with each chunk's size; it asks for a young collection as due. */
export function createYoungGarbageCollector(
  everyBytes: number = YOUNG_COLLECTION_EVERY_BYTES,
  gc: ExposedGc | undefined = exposedGc(),
): (bytes: number) => void {
  if (gc === undefined) return () => undefined;
  let sinceLast = 0;
  return (bytes) => {
    sinceLast += bytes;
    if (sinceLast < everyBytes) return;
    sinceLast = 0;
    gc({ type: 'minor' });
  };
}

function exposedGc(): ExposedGc | undefined {
  // as: `gc` exists only under --expose-gc, so the global's type does not name it; its type is checked here.
  const candidate: unknown = (globalThis as { gc?: unknown }).gc;
  return typeof candidate === 'function' ? (candidate as ExposedGc) : undefined;
}
