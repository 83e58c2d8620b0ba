import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { toArchiveError } from '../../src/delivery/s3/s3-errors.js';
import { AppError, NotFoundError } from '../../src/errors.js';

/** An answer of the store as the SDK reports it: the error's name and the HTTP status. */
const answer = (name: string, status: number) =>
  new S3ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });

const classify = (error: unknown) => {
  const mapped = toArchiveError(error, 'GetObject', 'reports/r1/report.csv');
  return { code: mapped instanceof NotFoundError ? 'not_found' : mapped.code, retryable: mapped instanceof AppError && mapped.retryable };
};

describe('S3 errors', () => {
  test('an absent object is NotFound', () => {
    assert.equal(classify(answer('NoSuchKey', 404)).code, 'not_found');
    assert.equal(classify(answer('NotFound', 404)).code, 'not_found');
  });

  test('a store that is down, slow or busy is retryable', () => {
    for (const [name, status] of [
      ['InternalError', 500],
      ['ServiceUnavailable', 503],
      ['SlowDown', 503],
      ['RequestTimeout', 400],
      ['TooManyRequestsException', 429],
    ] as const) {
      assert.deepEqual(classify(answer(name, status)), { code: 'archive_unavailable', retryable: true }, name);
    }
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    assert.deepEqual(classify(refused), { code: 'archive_unavailable', retryable: true });
    assert.deepEqual(classify(new DOMException('no answer within 100 ms', 'TimeoutError')), { code: 'archive_unavailable', retryable: true });
  });

  test('credentials that expired or a clock that drifted are retryable: the SDK renews them and corrects the skew', () => {
    for (const [name, status] of [
      ['ExpiredToken', 400],
      ['ExpiredTokenException', 400],
      ['RequestTimeTooSkewed', 403],
      ['RequestExpired', 403],
    ] as const) {
      assert.deepEqual(classify(answer(name, status)), { code: 'archive_unavailable', retryable: true }, name);
    }
  });

  test('a refusal that the same request will meet again is permanent', () => {
    for (const [name, status] of [
      ['AccessDenied', 403],
      ['NoSuchBucket', 404],
      ['InvalidAccessKeyId', 403],
      ['SignatureDoesNotMatch', 403],
    ] as const) {
      assert.deepEqual(classify(answer(name, status)), { code: 'archive_refused', retryable: false }, name);
    }
  });

  test('the message names the call and the key, never a signed URL', () => {
    const mapped = toArchiveError(answer('AccessDenied', 403), 'GetObject', 'reports/r1/report.csv');
    assert.match(mapped.message, /GetObject of reports\/r1\/report\.csv/u);
    assert.doesNotMatch(mapped.message, /X-Amz-Signature/u);
  });
});
