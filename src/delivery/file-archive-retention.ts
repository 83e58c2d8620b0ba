import { lstat, readdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { errorCode } from '../errors.js';
import { isTempFileName } from '../files/atomic-file.js';
import { isArchiveKeySegment, type ArchiveSweep } from './archive.js';

/**
 * ARCHIVE_RETENTION_DAYS for an archive in a local directory.
 *
 * What decides is a file's own modification time, not the month in its key
 * (reports/YYYY/MM/<id>/...). The mtime is what an S3 target has too (LastModified), for every
 * object whatever its key; temp files left by interrupted writes have no month in their names; a
 * key's month is when the report was requested, which may be weeks before its files were written
 * (a late callback, a retry), and a month is too coarse for a retention counted in days. The
 * report's record in Redis is not consulted: it may have expired (REPORT_RETENTION_DAYS) long ago.
 *
 * The walk goes folder by folder in name order (one folder's names in memory at a time, never the
 * whole listing), looks at no more than `limit` files, and says where it stopped; the next call
 * goes on from there. It enters only folders and touches only files whose names the archive
 * makes (key segments, and its own temp files), never follows a symbolic link, and so never
 * touches anything outside the root, nor what others keep inside it (lost+found, .snapshot, ...).
 * A folder is removed when the walk leaves it empty, if the walk removed something from it or it
 * has not changed since before the cutoff: a folder a writer has just made for a new report (and
 * not yet written its file into) is left alone.
 */
export async function removeFilesOlderThan(root: string, cutoff: Date, options: { limit: number; resumeAfter?: string | null }): Promise<ArchiveSweep> {
  const cutoffMs = cutoff.getTime();
  const resume = options.resumeAfter ? options.resumeAfter.split('/') : null;
  const limit = Math.max(1, options.limit);
  const done: { examined: number; removed: number; last: string[] | null } = { examined: 0, removed: 0, last: null };

  /** Walks `dir` (at `segments` below the root); false when the limit stopped it inside. */
  async function walk(dir: string, segments: string[]): Promise<{ finished: boolean; emptied: boolean }> {
    const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
      if (isMissing(error)) return [];
      throw error;
    });
    entries.sort((a, b) => compareText(a.name, b.name));
    let removedInside = false;
    for (const entry of entries) {
      const path = [...segments, entry.name];
      if (entry.isDirectory()) {
        if (!isArchiveKeySegment(entry.name)) continue;
        if (resume && compareSegments(path, resume) < 0 && !startsWith(resume, path)) continue;
        const child = await walk(join(dir, entry.name), path);
        if (!child.finished) return { finished: false, emptied: false };
        if (child.emptied) removedInside = true;
      } else if (entry.isFile()) {
        if (!isArchiveKeySegment(entry.name) && !isTempFileName(entry.name)) continue;
        if (resume && compareSegments(path, resume) <= 0) continue;
        if (done.examined >= limit) return { finished: false, emptied: false };
        done.examined += 1;
        done.last = path;
        const info = await lstat(join(dir, entry.name)).catch((error: unknown) => {
          if (isMissing(error)) return null;
          throw error;
        });
        if (info === null || info.mtimeMs >= cutoffMs) continue;
        await rm(join(dir, entry.name), { force: true });
        done.removed += 1;
        removedInside = true;
      }
    }
    if (segments.length === 0) return { finished: true, emptied: false };
    const emptied = (removedInside || (await changedBefore(dir, cutoffMs))) && (await removeIfEmpty(dir));
    return { finished: true, emptied };
  }

  const { finished } = await walk(root, []);
  return { examined: done.examined, removed: done.removed, resumeAfter: finished || done.last === null ? null : done.last.join('/') };
}

async function changedBefore(dir: string, cutoffMs: number): Promise<boolean> {
  const info = await lstat(dir).catch(() => null);
  return info !== null && info.mtimeMs < cutoffMs;
}

/** rmdir refuses a folder that is not empty (a writer got there first): then it stays. */
async function removeIfEmpty(dir: string): Promise<boolean> {
  try {
    await rmdir(dir);
    return true;
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOTEMPTY' || code === 'EEXIST' || isMissing(error)) return false;
    throw error;
  }
}

/** Code-unit order, the same in every locale (keys are ASCII). */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The walk's order: folder by folder, each in name order. */
function compareSegments(a: readonly string[], b: readonly string[]): number {
  for (const [index, segment] of a.entries()) {
    const other = b[index];
    if (other === undefined) return 1;
    const order = compareText(segment, other);
    if (order !== 0) return order;
  }
  return a.length - b.length;
}

function startsWith(path: readonly string[], prefix: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, index) => path[index] === segment);
}

function isMissing(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}
