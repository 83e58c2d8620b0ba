import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { ArchiveSweep } from '../archive.js';
import { callDeadline } from './deadline.js';
import { toArchiveError } from './s3-errors.js';

/** DeleteObjects takes at most 1,000 keys; ListObjectsV2 answers at most 1,000 a page. */
const PAGE = 1_000;

export interface S3Place {
  client: S3Client;
  bucket: string;
  /** "" or "some/prefix/": what every key of the archive starts with in the bucket. */
  keyPrefix: string;
  timeoutMs: number;
}

/**
 * ARCHIVE_RETENTION_DAYS on S3: the objects under the archive's prefix in key order, page by page
 * (ListObjectsV2 with StartAfter and MaxKeys, never the whole listing), at most `limit` looked at;
 * those whose LastModified is before the cutoff go in one DeleteObjects per page. `resumeAfter` is
 * an archive key (without the prefix), as the file archive's is.
 */
export async function removeObjectsOlderThan(place: S3Place, cutoff: Date, options: { limit: number; resumeAfter?: string | null }): Promise<ArchiveSweep> {
  const limit = Math.max(1, options.limit);
  let startAfter = options.resumeAfter ? place.keyPrefix + options.resumeAfter : undefined;
  let examined = 0;
  let removed = 0;
  for (;;) {
    const maxKeys = Math.min(PAGE, limit - examined);
    const page = await call(place, 'ListObjectsV2', place.keyPrefix, (abortSignal) =>
      place.client.send(
        new ListObjectsV2Command({
          Bucket: place.bucket,
          ...(place.keyPrefix !== '' ? { Prefix: place.keyPrefix } : {}),
          ...(startAfter !== undefined ? { StartAfter: startAfter } : {}),
          MaxKeys: maxKeys,
        }),
        { abortSignal },
      ),
    );
    const objects = (page.Contents ?? []).flatMap((object) => (object.Key !== undefined ? [{ key: object.Key, modified: object.LastModified }] : []));
    examined += objects.length;
    const old = objects.filter((object) => object.modified !== undefined && object.modified < cutoff).map((object) => ({ Key: object.key }));
    if (old.length > 0) {
      const answer = await call(place, 'DeleteObjects', place.keyPrefix, (abortSignal) =>
        place.client.send(new DeleteObjectsCommand({ Bucket: place.bucket, Delete: { Objects: old, Quiet: true } }), { abortSignal }),
      );
      const failed = answer.Errors ?? [];
      if (failed.length > 0) {
        const first = failed[0];
        throw toArchiveError(
          Object.assign(new Error(first?.Message ?? 'delete failed'), { name: first?.Code ?? 'DeleteFailed', $metadata: { httpStatusCode: 500 } }),
          'DeleteObjects',
          first?.Key ?? place.keyPrefix,
        );
      }
      removed += old.length;
    }
    const last = objects.at(-1)?.key;
    const more = page.IsTruncated === true && last !== undefined;
    if (!more) return { examined, removed, resumeAfter: null };
    if (examined >= limit) return { examined, removed, resumeAfter: last.slice(place.keyPrefix.length) };
    startAfter = last;
  }
}

async function call<T>(place: S3Place, action: string, key: string, send: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const deadline = callDeadline(place.timeoutMs);
  try {
    return await send(deadline.signal);
  } catch (error) {
    throw toArchiveError(error, action, key, { signal: deadline.signal, ms: place.timeoutMs });
  } finally {
    deadline.release();
  }
}
