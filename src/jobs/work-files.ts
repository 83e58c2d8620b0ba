import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

/** The local working copy of a report while a worker processes it. */
export function workPaths(workDir: string, reportId: string) {
  const dir = join(workDir, reportId);
  return {
    dir,
    csv: join(dir, 'report.csv'),
    part: (index: number) => join(dir, `part-${index}.csv`),
    attachment: join(dir, 'attachment.csv'),
    attachmentGz: join(dir, 'attachment.csv.gz'),
  };
}

export async function ensureDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true });
}

export async function removeDir(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

export async function fileSize(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch {
    return null;
  }
}

/** sha256 and size of a file, streamed. */
export async function hashFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Writes a buffer or stream to `path` through a temporary file, so a reader never sees half a file. */
export async function writeAtomically(path: string, content: Buffer | NodeJS.ReadableStream): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  if (Buffer.isBuffer(content)) {
    const out = createWriteStream(temp);
    await new Promise<void>((resolve, reject) => {
      out.on('error', reject);
      out.end(content, () => resolve());
    });
  } else {
    await pipeline(content, createWriteStream(temp));
  }
  await rename(temp, path);
}
