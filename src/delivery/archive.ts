import type { Readable } from 'node:stream';
import { AppError } from '../errors.js';

/**
 * Where original report files are kept: a local folder by default (src/delivery/file-archive.ts),
 * or an S3-compatible bucket (src/delivery/s3/s3-archive.ts: keys map to object keys under a
 * prefix, locations to s3://bucket/prefix/key).
 */
export interface ArchiveTarget {
  /**
   * Stores the file at `key` (e.g. "reports/2026/11/<reportId>/report.csv") atomically; returns
   * where it is and its sha256. Idempotent: putting the same content twice is fine. `signal` stops
   * a long copy, leaving nothing stored.
   */
  putFile(key: string, sourcePath: string, signal?: AbortSignal): Promise<ArchivedObject>;
  putBuffer(key: string, content: Buffer | string, signal?: AbortSignal): Promise<ArchivedObject>;
  /** The stored object, or null when there is none. */
  stat(key: string, signal?: AbortSignal): Promise<ArchivedObject | null>;
  /**
   * A stream of the stored bytes; rejects with NotFoundError when there is no such object. `signal`
   * (a shutdown, a lost job lock) stops the read: the stream then errors.
   */
  openRead(key: string, signal?: AbortSignal): Promise<Readable>;
  /**
   * A link that downloads the object for `expiresInSeconds` without other credentials (an S3
   * presigned GET). Archives that cannot make one (a folder) do not have it.
   */
  linkFor?(key: string, expiresInSeconds: number): Promise<string>;
  /** Removes the object at `key`; nothing there is fine. */
  remove(key: string, signal?: AbortSignal): Promise<void>;
  /**
   * Removes the objects last modified before `cutoff` (ARCHIVE_RETENTION_DAYS), looking at no more
   * than `limit` objects per call, in key order, so that one housekeeping run does bounded work
   * however large the archive is; `resumeAfter`, taken from the previous call's answer, continues
   * where that call stopped. The listing is streamed, never held whole. An object's own
   * last-modified time decides, not its key: see src/delivery/file-archive-retention.ts.
   * On S3 this is ListObjectsV2 (StartAfter = resumeAfter, MaxKeys = limit) and DeleteObjects for
   * those whose LastModified is before the cutoff; the file archive also removes the folders it
   * empties and temp files left by interrupted writes.
   */
  removeOlderThan(cutoff: Date, options: { limit: number; resumeAfter?: string | null }): Promise<ArchiveSweep>;
  /**
   * Lets go of what the archive holds open (an S3 client's keep-alive sockets); it is not used
   * after. Archives that hold nothing open (a folder) do not have it.
   */
  close?(): void;
  /** Where the archive lives, safe to log and to show, e.g. "file:/var/data/archive". */
  readonly description: string;
  /**
   * Whether every worker host sees the same archive (a bucket), so that a retry on another host
   * can read back what this one stored. A local folder is not: a retry there uses the work files.
   */
  readonly shared: boolean;
}

export interface ArchivedObject {
  key: string;
  /** Where the object is, for people and logs: "file:/var/data/archive/reports/..." */
  location: string;
  /** Lowercase hex sha256 of the stored bytes. */
  sha256: string;
  bytes: number;
}

/** What one removeOlderThan call did. */
export interface ArchiveSweep {
  /** Objects looked at: at most the call's `limit`. */
  examined: number;
  removed: number;
  /** Where the next call goes on from; null when this call reached the end (the next starts over). */
  resumeAfter: string | null;
}

export class ArchiveKeyError extends AppError {
  constructor(key: string, reason: string) {
    super('invalid_archive_key', `Invalid archive key ${JSON.stringify(key.slice(0, 200))}: ${reason}`, { retryable: false });
  }
}

const KEY_CHARACTERS = /^[\w./-]+$/u;
const SEGMENT = /^[\w-][\w.-]*$/u;
const MAX_KEY_LENGTH = 1024;

/**
 * Keys are relative, slash-separated paths of [A-Za-z0-9_.-] segments. A segment may not be empty
 * or start with a dot: that rules out "." and "..", and keeps hidden names free for temp files.
 */
export function assertValidArchiveKey(key: string): void {
  if (key.length === 0) throw new ArchiveKeyError(key, 'must not be empty');
  if (key.length > MAX_KEY_LENGTH) throw new ArchiveKeyError(key, `must be at most ${MAX_KEY_LENGTH} characters`);
  if (key.startsWith('/')) throw new ArchiveKeyError(key, 'must be relative, not an absolute path');
  if (!KEY_CHARACTERS.test(key)) throw new ArchiveKeyError(key, 'only letters, digits, "_", ".", "-" and "/" are allowed');
  for (const segment of key.split('/')) {
    if (segment === '') throw new ArchiveKeyError(key, 'must not have empty segments ("//" or a trailing "/")');
    if (segment === '..' || segment === '.') throw new ArchiveKeyError(key, 'must not contain "." or ".." segments');
    if (segment.startsWith('.')) throw new ArchiveKeyError(key, 'segments must not start with "."');
  }
}

/** Whether `name` could be one segment of a valid key (a folder or file the archive made). */
export function isArchiveKeySegment(name: string): boolean {
  return SEGMENT.test(name);
}
