import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { ArchiveCorruptError, toArchiveError } from './s3-errors.js';

/**
 * The object's bytes as they arrive, hashed on the way: at the end the stream errors with
 * ArchiveCorruptError, instead of ending, when they do not hash to the sha256 stored with the
 * object. A reader that consumes the stream to its end (writing a work file, parsing) thus never
 * takes a corrupt object for a whole one. A network error in the middle becomes an AppError
 * (retryable), naming the key.
 */
export function verifiedRead(body: Readable, key: string, expectedSha256: string | null, onEnd: () => void): Readable {
  const hash = createHash('sha256');
  const checked = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      onEnd();
      const actual = hash.digest('hex');
      // An object without a stored digest was not written by this archive (or was overwritten): refused too.
      if (actual !== expectedSha256) callback(new ArchiveCorruptError(key, expectedSha256 ?? '(none stored)', actual));
      else callback();
    },
    destroy(error, callback) {
      onEnd();
      body.destroy();
      callback(error);
    },
  });
  body.on('error', (error) => checked.destroy(toArchiveError(error, 'GetObject', key)));
  body.pipe(checked);
  return checked;
}
