import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { NotFoundError } from '../errors.js';
import { assertValidArchiveKey, ArchiveKeyError, type ArchiveTarget, type ArchivedObject } from './archive.js';
import { copyFileAtomically, writeFileAtomically } from './atomic-write.js';

const CHUNK_BYTES = 1024 * 1024;

/** An archive in a local directory (a mounted volume in production). */
export function createFileArchive(rootDir: string): ArchiveTarget {
  const root = resolve(rootDir);
  const description = `file:${root}`;

  function pathOf(key: string): string {
    assertValidArchiveKey(key);
    const path = resolve(root, key);
    // The key rules already keep paths inside the root; this is the belt to those braces.
    if (!path.startsWith(root + sep)) throw new ArchiveKeyError(key, 'resolves outside the archive');
    return path;
  }

  const objectAt = (key: string, path: string, sha256: string, bytes: number): ArchivedObject => ({
    key,
    location: `file:${path}`,
    sha256,
    bytes,
  });

  return {
    description,

    async putFile(key, sourcePath) {
      const path = pathOf(key);
      const written = await copyFileAtomically(sourcePath, path);
      return objectAt(key, path, written.sha256, written.bytes);
    },

    async putBuffer(key, content) {
      const path = pathOf(key);
      const written = await writeFileAtomically(path, content);
      return objectAt(key, path, written.sha256, written.bytes);
    },

    async stat(key) {
      const path = pathOf(key);
      try {
        const info = await stat(path);
        if (!info.isFile()) return null;
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
      // A file has no stored digest, so it is computed; stat is for audits and re-sends, not hot paths.
      const hash = createHash('sha256');
      let bytes = 0;
      try {
        await pipeline(createReadStream(path, { highWaterMark: CHUNK_BYTES }), async (chunks: AsyncIterable<Buffer>) => {
          for await (const chunk of chunks) {
            hash.update(chunk);
            bytes += chunk.length;
          }
        });
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
      return objectAt(key, path, hash.digest('hex'), bytes);
    },

    async openRead(key): Promise<Readable> {
      const path = pathOf(key);
      try {
        // Opening first turns a missing file into a rejection here rather than a stream error later.
        const handle = await open(path, 'r');
        if (!(await handle.stat()).isFile()) {
          await handle.close();
          throw new NotFoundError(`No archived object at ${key}`);
        }
        return handle.createReadStream({ highWaterMark: CHUNK_BYTES });
      } catch (error) {
        if (isMissing(error)) throw new NotFoundError(`No archived object at ${key}`);
        throw error;
      }
    },
  };
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
