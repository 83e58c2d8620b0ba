import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { NotFoundError } from '../../errors.js';
import { hashFile } from '../../files/atomic-file.js';
import { assertValidArchiveKey, type ArchiveTarget, type ArchivedObject } from '../archive.js';
import { callDeadline } from './deadline.js';
import { ArchiveCorruptError, toArchiveError } from './s3-errors.js';
import { removeObjectsOlderThan, type S3Place } from './s3-retention.js';
import { verifiedRead } from './verified-read.js';

/** The object metadata that holds the sha256 of the bytes (x-amz-meta-sha256 on the wire). */
const SHA256_META = 'sha256';

/**
 * Multipart uploads: 8 MiB parts, 4 in flight. lib-storage buffers at most queueSize × partSize
 * (32 MiB) of a file whatever its size; 10,000 parts of 8 MiB allow reports of up to 78 GiB.
 */
export const UPLOAD_PART_BYTES = 8 * 1024 * 1024;
export const UPLOAD_QUEUE_SIZE = 4;

export interface S3ArchiveOptions {
  client: S3Client;
  bucket: string;
  /** Every key goes under this prefix ("" for the bucket's root), e.g. "report-relay/prod". */
  prefix: string;
  /** The deadline of each call that moves no report bytes, and of the answer to a read. */
  timeoutMs: number;
}

/**
 * The archive in an S3-compatible bucket, for workers on several hosts: whichever host retries a
 * report reads its CSV back from here. Each object carries the sha256 of its bytes in its
 * metadata, written before the bytes are sent and checked whenever they are read back.
 */
export function createS3Archive(options: S3ArchiveOptions): ArchiveTarget {
  const { client, bucket, timeoutMs } = options;
  const keyPrefix = options.prefix === '' ? '' : `${options.prefix}/`;
  const place: S3Place = { client, bucket, keyPrefix, timeoutMs };
  const description = `s3://${bucket}${keyPrefix === '' ? '' : `/${options.prefix}`}`;

  function objectKey(key: string): string {
    assertValidArchiveKey(key);
    return keyPrefix + key;
  }
  const objectAt = (key: string, sha256: string, bytes: number): ArchivedObject => ({ key, location: `${description}/${key}`, sha256, bytes });

  /** One call that moves no report bytes, under its deadline and the caller's signal. */
  async function call<T>(action: string, key: string, send: (abortSignal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const deadline = callDeadline(timeoutMs, signal);
    try {
      return await send(deadline.signal);
    } catch (error) {
      throw toArchiveError(error, action, key, { signal: deadline.signal, ms: timeoutMs });
    } finally {
      deadline.release();
    }
  }

  return {
    description,
    shared: true,

    async putFile(key, sourcePath, signal) {
      const target = objectKey(key);
      // The digest goes into the object's metadata, which is sent before its bytes: one pass to
      // hash, then the upload, which hashes what it sends again so a file that changed in between
      // is caught rather than stored under a digest that is not its own.
      const expected = await hashFile(sourcePath);
      signal?.throwIfAborted();
      const sent = createHash('sha256');
      const source = createReadStream(sourcePath, { highWaterMark: 1024 * 1024 });
      const body = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          sent.update(chunk);
          callback(null, chunk);
        },
      });
      // pipe() does not pass a read error on: without this the upload would wait for bytes forever.
      source.on('error', (error) => body.destroy(error));
      source.pipe(body);
      const controller = new AbortController();
      const onAbort = () => {
        controller.abort(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const upload = new Upload({
        client,
        params: {
          Bucket: bucket,
          Key: target,
          Body: body,
          ContentType: 'text/csv',
          ContentLength: expected.bytes,
          Metadata: { [SHA256_META]: expected.sha256 },
        },
        queueSize: UPLOAD_QUEUE_SIZE,
        partSize: UPLOAD_PART_BYTES,
        // A failed upload is aborted, so no parts stay behind to be paid for.
        leavePartsOnError: false,
        abortController: controller,
      });
      try {
        await upload.done();
      } catch (error) {
        source.destroy();
        body.destroy();
        throw toArchiveError(error, 'upload', key);
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
      const actual = sent.digest('hex');
      if (actual !== expected.sha256) {
        await call('DeleteObject', key, (abortSignal) => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: target }), { abortSignal }));
        throw new ArchiveCorruptError(key, expected.sha256, actual);
      }
      return objectAt(key, expected.sha256, expected.bytes);
    },

    async putBuffer(key, content) {
      const target = objectKey(key);
      const bytes = typeof content === 'string' ? Buffer.from(content) : content;
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      await call('PutObject', key, (abortSignal) =>
        client.send(new PutObjectCommand({ Bucket: bucket, Key: target, Body: bytes, Metadata: { [SHA256_META]: sha256 } }), { abortSignal }),
      );
      return objectAt(key, sha256, bytes.length);
    },

    async stat(key) {
      const target = objectKey(key);
      try {
        const head = await call('HeadObject', key, (abortSignal) => client.send(new HeadObjectCommand({ Bucket: bucket, Key: target }), { abortSignal }));
        // An object this archive did not write has no digest: '' (a read of it is refused).
        return objectAt(key, head.Metadata?.[SHA256_META] ?? '', head.ContentLength ?? 0);
      } catch (error) {
        if (error instanceof NotFoundError) return null;
        throw error;
      }
    },

    async openRead(key): Promise<Readable> {
      const target = objectKey(key);
      // The deadline covers the answer only: the body of a large report may take longer to stream.
      const deadline = callDeadline(timeoutMs);
      let answer;
      try {
        answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: target }), { abortSignal: deadline.signal });
      } catch (error) {
        deadline.release();
        throw toArchiveError(error, 'GetObject', key, { signal: deadline.signal, ms: timeoutMs });
      }
      deadline.settle();
      if (!(answer.Body instanceof Readable)) {
        deadline.release();
        throw toArchiveError(new Error('the answer has no body stream'), 'GetObject', key);
      }
      return verifiedRead(answer.Body, key, answer.Metadata?.[SHA256_META] ?? null, () => {
        deadline.release();
      });
    },

    async linkFor(key, expiresInSeconds) {
      // Signed locally: no request to the store.
      return getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: objectKey(key) }), { expiresIn: expiresInSeconds });
    },

    async remove(key) {
      const target = objectKey(key);
      await call('DeleteObject', key, (abortSignal) => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: target }), { abortSignal }));
    },

    removeOlderThan: (cutoff, sweep) => removeObjectsOlderThan(place, cutoff, sweep),
  };
}
