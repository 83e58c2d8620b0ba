import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Files written so that a reader sees either no file / the previous file, or the complete new one:
 * the bytes go to a temp file beside the target (rename is only atomic within one filesystem) that
 * is renamed over the target once whole. A failed write never leaves its temp file behind.
 */

export interface WrittenFile {
  sha256: string;
  bytes: number;
}

export interface AtomicWriteOptions {
  /**
   * fsync the file before the rename and its directory after it, so a crash cannot leave a renamed
   * but empty file (the archive needs this; working copies that are made again do not).
   */
  durable?: boolean;
  /** Stops a copy between chunks (the temp file is removed); a shutdown or a lost job lock aborts it. */
  signal?: AbortSignal | undefined;
}

export type FileContent = Readable | NodeJS.ReadableStream | AsyncIterable<Buffer | string> | Buffer | string;

/** A temp file beside `targetPath`, for a writer that makes the file itself (e.g. as a stream). */
export interface TempFile {
  readonly path: string;
  /** Renames the temp file over the target (and, when durable, fsyncs the directory). */
  commit(): Promise<void>;
  /** Removes the temp file, if any. */
  discard(): Promise<void>;
}

/** How much a file copy or hash reads at a time. */
const CHUNK_BYTES = 1024 * 1024;

/** The names tempFileFor gives: ".<target name>.<16 hex digits>.tmp". */
const TEMP_NAME = /^\..+\.[\da-f]{16}\.tmp$/u;

/** Whether `name` is a temp file tempFileFor makes (one an interrupted write may have left behind). */
export function isTempFileName(name: string): boolean {
  return TEMP_NAME.test(name);
}

/** Temp names start with a dot and end in .tmp, with a random part: two writers never share one. */
export function tempFileFor(targetPath: string, options: AtomicWriteOptions = {}): TempFile {
  const dir = dirname(targetPath);
  const path = join(dir, `.${basename(targetPath)}.${randomBytes(8).toString('hex')}.tmp`);
  return {
    path,
    async commit() {
      await rename(path, targetPath);
      if (options.durable === true) await syncDirectory(dir);
    },
    discard: () => rm(path, { force: true }),
  };
}

/** Streams `content` into `targetPath` atomically; the sha256 is computed on the way through. */
export function writeFileAtomically(targetPath: string, content: FileContent, options: AtomicWriteOptions = {}): Promise<WrittenFile> {
  return commitAtomically(targetPath, options, (tempPath) => streamInto(tempPath, content, options.durable === true));
}

/**
 * Copies the file at `sourcePath` to `targetPath` atomically, hashing on the way. One buffer is read
 * into and written from again and again, so copying a 1 GB report allocates no more than copying a
 * small one (a stream would allocate a new chunk per read).
 */
export function copyFileAtomically(sourcePath: string, targetPath: string, options: AtomicWriteOptions = {}): Promise<WrittenFile> {
  return commitAtomically(targetPath, options, (tempPath) => copyInto(tempPath, sourcePath, options.durable === true, options.signal));
}

/** sha256 and size of a file, streamed. */
export async function hashFile(path: string): Promise<WrittenFile> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES })) {
    // as: a file stream without an encoding yields Buffers; Node types its iterator as any.
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

async function commitAtomically(targetPath: string, options: AtomicWriteOptions, writeTemp: (tempPath: string) => Promise<WrittenFile>): Promise<WrittenFile> {
  await mkdir(dirname(targetPath), { recursive: true });
  const temp = tempFileFor(targetPath, options);
  try {
    const written = await writeTemp(temp.path);
    await temp.commit();
    return written;
  } catch (error) {
    await temp.discard();
    throw error;
  }
}

async function streamInto(tempPath: string, content: FileContent, durable: boolean): Promise<WrittenFile> {
  const hash = createHash('sha256');
  let bytes = 0;
  const input = typeof content === 'string' || Buffer.isBuffer(content) ? Readable.from([content]) : content;
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
    createWriteStream(tempPath, { flags: 'wx', mode: 0o644, flush: durable }),
  );
  return { sha256: hash.digest('hex'), bytes };
}

async function copyInto(tempPath: string, sourcePath: string, durable: boolean, signal: AbortSignal | undefined): Promise<WrittenFile> {
  const hash = createHash('sha256');
  let bytes = 0;
  const source = await open(sourcePath, 'r');
  try {
    const target = await open(tempPath, 'wx', 0o644);
    try {
      const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
      for (;;) {
        signal?.throwIfAborted();
        const { bytesRead } = await source.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) break;
        const chunk = buffer.subarray(0, bytesRead);
        hash.update(chunk);
        bytes += bytesRead;
        await writeFully(target, chunk);
      }
      if (durable) await target.sync();
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
