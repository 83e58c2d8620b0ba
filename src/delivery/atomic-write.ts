import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface WrittenFile {
  sha256: string;
  bytes: number;
}

/** How much a file copy reads at a time: one buffer, reused for the whole copy. */
const COPY_CHUNK_BYTES = 1024 * 1024;

/**
 * Streams `source` into `targetPath` so that readers see either no file / the previous file, or the
 * complete new one (see commitAtomically). The sha256 is computed on the way through.
 */
export function writeFileAtomically(targetPath: string, source: Readable | AsyncIterable<Buffer | string> | Buffer | string): Promise<WrittenFile> {
  return commitAtomically(targetPath, (tempPath) => streamInto(tempPath, source));
}

/**
 * Copies the file at `sourcePath` to `targetPath` with the same all-or-nothing guarantee, hashing
 * on the way. One buffer is read into and written from again and again, so copying a 1 GB report
 * allocates no more than copying a small one (a stream would allocate a new chunk per read).
 */
export function copyFileAtomically(sourcePath: string, targetPath: string): Promise<WrittenFile> {
  return commitAtomically(targetPath, (tempPath) => copyInto(tempPath, sourcePath));
}

/**
 * The bytes go to a temp file in the same directory (rename is only atomic within one filesystem),
 * are fsynced before the rename, and the directory is fsynced after it, so a crash cannot leave a
 * renamed but empty file. A failed write leaves no temp file behind.
 */
async function commitAtomically(targetPath: string, writeTemp: (tempPath: string) => Promise<WrittenFile>): Promise<WrittenFile> {
  const dir = dirname(targetPath);
  await mkdir(dir, { recursive: true });
  const tempPath = join(dir, `.${basename(targetPath)}.${randomBytes(8).toString('hex')}.tmp`);
  let written: WrittenFile;
  try {
    written = await writeTemp(tempPath);
    await rename(tempPath, targetPath);
  } catch (error) {
    await rm(tempPath, { force: true });
    throw error;
  }
  await syncDirectory(dir);
  return written;
}

async function streamInto(tempPath: string, source: Readable | AsyncIterable<Buffer | string> | Buffer | string): Promise<WrittenFile> {
  const hash = createHash('sha256');
  let bytes = 0;
  const input = typeof source === 'string' || Buffer.isBuffer(source) ? Readable.from([source]) : source;
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
  return { sha256: hash.digest('hex'), bytes };
}

async function copyInto(tempPath: string, sourcePath: string): Promise<WrittenFile> {
  const hash = createHash('sha256');
  let bytes = 0;
  const source = await open(sourcePath, 'r');
  try {
    const target = await open(tempPath, 'wx', 0o644);
    try {
      const buffer = Buffer.allocUnsafe(COPY_CHUNK_BYTES);
      for (;;) {
        const { bytesRead } = await source.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) break;
        const chunk = buffer.subarray(0, bytesRead);
        hash.update(chunk);
        bytes += bytesRead;
        await writeFully(target, chunk);
      }
      await target.sync();
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** FileHandle.write may write less than asked (a full disk, a signal); the rest is written again. */
async function writeFully(target: FileHandle, chunk: Buffer): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await target.write(chunk, offset, chunk.length - offset, null);
    if (bytesWritten === 0) throw new Error('the file system accepted no bytes of a write');
    offset += bytesWritten;
  }
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
