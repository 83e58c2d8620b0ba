import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface WrittenFile {
  sha256: string;
  bytes: number;
}

/** Temp files start with a dot so that archive keys (which may not) can never collide with them. */
export function isTempFileName(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.tmp');
}

/**
 * Streams `source` into `targetPath` so that readers see either no file / the previous file, or the
 * complete new one. The bytes go to a temp file in the same directory (rename is only atomic within
 * one filesystem), are fsynced before the rename, and the directory is fsynced after it, so a crash
 * cannot leave a renamed but empty file. The sha256 is computed on the way through.
 */
export async function writeFileAtomically(
  targetPath: string,
  source: Readable | AsyncIterable<Buffer | string> | Buffer | string,
): Promise<WrittenFile> {
  const dir = dirname(targetPath);
  await mkdir(dir, { recursive: true });
  const tempPath = join(dir, `.${basename(targetPath)}.${randomBytes(8).toString('hex')}.tmp`);
  const hash = createHash('sha256');
  let bytes = 0;
  const input = typeof source === 'string' || Buffer.isBuffer(source) ? Readable.from([source]) : source;
  try {
    await pipeline(
      input,
      async function* digest(chunks: AsyncIterable<Buffer | string>) {
        for await (const chunk of chunks) {
          const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
          hash.update(buffer);
          bytes += buffer.length;
          yield buffer;
        }
      },
      createWriteStream(tempPath, { flags: 'wx', mode: 0o644, flush: true }),
    );
    await rename(tempPath, targetPath);
  } catch (error) {
    await rm(tempPath, { force: true });
    throw error;
  }
  await syncDirectory(dir);
  return { sha256: hash.digest('hex'), bytes };
}

async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some platforms (Windows) and filesystems cannot fsync a directory; the data itself is synced.
  } finally {
    await handle?.close();
  }
}
