import { open, rm, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { errorCode, NotFoundError } from '../errors.js';
import { assertValidArchiveKey, ArchiveKeyError, type ArchiveTarget, type ArchivedObject } from './archive.js';
import { copyFileAtomically, hashFile, writeFileAtomically } from '../files/atomic-file.js';
import { removeFilesOlderThan } from './file-archive-retention.js';

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
    shared: false,

    async putFile(key, sourcePath, signal) {
      const path = pathOf(key);
      const written = await copyFileAtomically(sourcePath, path, { durable: true, signal });
      return objectAt(key, path, written.sha256, written.bytes);
    },

    async putBuffer(key, content) {
      const path = pathOf(key);
      const written = await writeFileAtomically(path, content, { durable: true });
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
      try {
        const { sha256, bytes } = await hashFile(path);
        return objectAt(key, path, sha256, bytes);
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
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

    async remove(key) {
      await rm(pathOf(key), { force: true });
    },

    removeOlderThan: (cutoff, options) => removeFilesOlderThan(root, cutoff, options),
  };
}

function isMissing(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}
