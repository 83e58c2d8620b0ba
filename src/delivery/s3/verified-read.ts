import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { ArchiveCorruptError, toArchiveError } from './s3-errors.js';

/**
 * The object's bytes as they arrive, hashed on the way: at the end the stream errors with
 * ArchiveCorruptError, instead of ending, when they do not hash to the sha256 stored with the
 * object. A reader that consumes the stream to its end (writing a work file, parsing) thus never
 * takes a corrupt object for a whole one. A network error in the middle becomes an AppError
 * (retryable), naming the key.
 *
 * A generator rather than a piped Transform: nothing is read, and so no error raised, before the
 * reader starts reading. A small object piped at once would otherwise be read whole, and its
 * digest refused, before the reader had attached its error handler: an uncaught exception.
 */
export function verifiedRead(body: Readable, key: string, expectedSha256: string | null, onEnd: () => void): Readable {
  async function* checked(): AsyncGenerator<Buffer> {
    const hash = createHash('sha256');
    try {
      try {
        for await (const chunk of body) {
          // as: an HTTP body without an encoding yields Buffers
          const bytes = chunk as Buffer;
          hash.update(bytes);
          yield bytes;
        }
      } catch (error) {
        throw toArchiveError(error, 'GetObject', key);
      }
      const actual = hash.digest('hex');
      // An object without a stored digest was not written by this archive (or was overwritten): refused too.
      if (actual !== expectedSha256) throw new ArchiveCorruptError(key, expectedSha256 ?? '(none stored)', actual);
    } finally {
      // Also when the reader stops early (the for-await has then destroyed the body).
      onEnd();
    }
  }
  return Readable.from(checked(), { objectMode: false });
}
