import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldTooLargeError, recordTooLargeError, tooManyColumnsError } from '../../src/csv/limits.js';
import { ArchiveKeyError } from '../../src/delivery/archive.js';
import { ArchiveCorruptError, ArchiveUnavailableError, toArchiveError } from '../../src/delivery/s3/s3-errors.js';
import { attachmentUnreadableError, invalidMessageError, toMailError } from '../../src/delivery/mail-errors.js';
import { DownloadError, type DownloadErrorCode } from '../../src/download/errors.js';
import {
  AppError,
  ConflictError,
  CorruptDataError,
  InternalError,
  NotFoundError,
  ForbiddenError,
  UnauthorizedError,
  UnavailableError,
  ValidationError,
  type ErrorCode,
} from '../../src/errors.js';
import { HTTP_STATUS_OF, httpStatusOf } from '../../src/http/error-status.js';
import { RateLimitedError } from '../../src/http/rate-limit.js';
import { IncompleteBodyError, WireBodyTooLargeError } from '../../src/http/routes/callbacks.js';
import { CallbackEncodingError } from '../../src/reports/callback-encoding.js';
import { LosantApiError, LosantValidationError, type LosantErrorCode } from '../../src/losant/errors.js';
import { toStepFailure } from '../../src/jobs/steps/step-failure.js';

/**
 * Every error code of the service: the HTTP status it is answered with and whether the worker
 * retries it. Written out by hand on purpose: changing either shows up here, in review.
 */
const EXPECTED: Record<ErrorCode, { status: number; retryable: boolean }> = {
  validation_failed: { status: 400, retryable: false },
  body_incomplete: { status: 400, retryable: true },
  payload_too_large: { status: 413, retryable: false },
  callback_encoding_invalid: { status: 422, retryable: false },
  unauthorized: { status: 401, retryable: false },
  forbidden: { status: 403, retryable: false },
  not_found: { status: 404, retryable: false },
  conflict: { status: 409, retryable: false },
  corrupt_data: { status: 500, retryable: false },
  internal: { status: 500, retryable: true },
  unavailable: { status: 503, retryable: true },
  rate_limited: { status: 429, retryable: true },
  invalid_archive_key: { status: 400, retryable: false },
  archive_unavailable: { status: 503, retryable: true },
  archive_refused: { status: 502, retryable: false },
  archive_corrupt: { status: 500, retryable: false },

  csv_too_many_columns: { status: 422, retryable: false },
  csv_field_too_large: { status: 422, retryable: false },
  csv_record_too_large: { status: 422, retryable: false },

  download_bad_url: { status: 422, retryable: false },
  download_bad_scheme: { status: 422, retryable: false },
  download_host_not_allowed: { status: 422, retryable: false },
  download_port_not_allowed: { status: 422, retryable: false },
  download_private_address: { status: 422, retryable: false },
  download_bad_redirect: { status: 422, retryable: false },
  download_too_many_redirects: { status: 422, retryable: false },
  download_too_large: { status: 422, retryable: false },
  download_unsupported_encoding: { status: 422, retryable: false },
  download_decode_failed: { status: 422, retryable: false },
  download_link_expired_or_forbidden: { status: 422, retryable: false },
  download_not_found: { status: 422, retryable: false },
  download_http_status: { status: 422, retryable: false },
  download_unavailable: { status: 503, retryable: true },
  download_network: { status: 503, retryable: true },
  download_timeout: { status: 504, retryable: true },
  download_write_failed: { status: 503, retryable: true },
  download_aborted: { status: 503, retryable: true },

  mail_invalid: { status: 500, retryable: false },
  mail_attachment_unreadable: { status: 502, retryable: true },
  smtp_transient: { status: 502, retryable: true },
  smtp_rejected: { status: 502, retryable: false },
  smtp_auth_failed: { status: 502, retryable: false },

  losant_request_invalid: { status: 400, retryable: false },
  losant_rejected: { status: 400, retryable: false },
  losant_unauthorized: { status: 502, retryable: false },
  losant_not_found: { status: 502, retryable: false },
  losant_busy: { status: 503, retryable: true },
  losant_unavailable: { status: 502, retryable: true },
  losant_unexpected_status: { status: 502, retryable: false },
  losant_bad_response: { status: 502, retryable: false },
  losant_unreachable: { status: 503, retryable: true },
  losant_timeout: { status: 504, retryable: true },
  losant_outcome_unknown: { status: 504, retryable: true },
};

const download = (code: DownloadErrorCode) => () => [new DownloadError(code, 'test')];
const losant = (code: LosantErrorCode) => () => [new LosantApiError({ action: 'get', code, message: 'test', attempts: 1 })];
/** What nodemailer throws, with the fields toMailError reads. */
const nodemailer = (fields: { code?: string; responseCode?: number; response?: string }) =>
  toMailError(Object.assign(new Error(fields.response ?? 'test'), fields), 'smtp.example:587');

/** How each code is made, through the code that makes it in the service wherever there is one. */
const INSTANCES: Record<ErrorCode, () => AppError[]> = {
  validation_failed: () => [new ValidationError('test')],
  body_incomplete: () => [new IncompleteBodyError()],
  payload_too_large: () => [new WireBodyTooLargeError(1024)],
  callback_encoding_invalid: () => [new CallbackEncodingError('test')],
  unauthorized: () => [new UnauthorizedError()],
  forbidden: () => [new ForbiddenError()],
  not_found: () => [new NotFoundError()],
  conflict: () => [new ConflictError('test')],
  corrupt_data: () => [new CorruptDataError('key', ['test'])],
  internal: () => [new InternalError('test')],
  unavailable: () => [new UnavailableError('test')],
  rate_limited: () => [new RateLimitedError(30)],
  invalid_archive_key: () => [new ArchiveKeyError('../x', 'test')],
  archive_unavailable: () => [
    toArchiveError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'GetObject', 'k'),
    toArchiveError(Object.assign(new Error('SlowDown'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } }), 'PutObject', 'k'),
    new ArchiveUnavailableError('test'),
  ],
  archive_refused: () => [toArchiveError(Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }), 'GetObject', 'k')],
  archive_corrupt: () => [new ArchiveCorruptError('k', 'a', 'b')],

  csv_too_many_columns: () => [tooManyColumnsError(30, 3, 20, true)],
  csv_field_too_large: () => [fieldTooLargeError(2, 1000)],
  csv_record_too_large: () => [recordTooLargeError(2, 4000), recordTooLargeError(null, 4000)],

  download_bad_url: download('download_bad_url'),
  download_bad_scheme: download('download_bad_scheme'),
  download_host_not_allowed: download('download_host_not_allowed'),
  download_port_not_allowed: download('download_port_not_allowed'),
  download_private_address: download('download_private_address'),
  download_bad_redirect: download('download_bad_redirect'),
  download_too_many_redirects: download('download_too_many_redirects'),
  download_too_large: download('download_too_large'),
  download_unsupported_encoding: download('download_unsupported_encoding'),
  download_decode_failed: download('download_decode_failed'),
  download_link_expired_or_forbidden: download('download_link_expired_or_forbidden'),
  download_not_found: download('download_not_found'),
  download_http_status: download('download_http_status'),
  download_unavailable: download('download_unavailable'),
  download_network: download('download_network'),
  download_timeout: download('download_timeout'),
  download_write_failed: download('download_write_failed'),
  download_aborted: download('download_aborted'),

  mail_invalid: () => [invalidMessageError('test'), nodemailer({ code: 'EENVELOPE' })],
  mail_attachment_unreadable: () => [attachmentUnreadableError('ENOENT', new Error('test'))],
  smtp_transient: () => [nodemailer({ responseCode: 421, response: '421 try later' }), nodemailer({ code: 'ECONNREFUSED' }), nodemailer({})],
  smtp_rejected: () => [nodemailer({ responseCode: 550, response: '550 mailbox unavailable' })],
  smtp_auth_failed: () => [nodemailer({ code: 'EAUTH', responseCode: 535, response: '535 bad credentials' })],

  losant_request_invalid: () => [new LosantValidationError('get', ['test'])],
  losant_rejected: losant('losant_rejected'),
  losant_unauthorized: losant('losant_unauthorized'),
  losant_not_found: losant('losant_not_found'),
  losant_busy: losant('losant_busy'),
  losant_unavailable: losant('losant_unavailable'),
  losant_unexpected_status: losant('losant_unexpected_status'),
  losant_bad_response: losant('losant_bad_response'),
  losant_unreachable: losant('losant_unreachable'),
  losant_timeout: losant('losant_timeout'),
  losant_outcome_unknown: losant('losant_outcome_unknown'),
};

const codes = Object.keys(EXPECTED) as ErrorCode[];

describe('error codes: HTTP status and retry decision', () => {
  test('the status table names exactly the expected codes, no more and no fewer', () => {
    assert.equal(codes.length, 53);
    assert.deepEqual(Object.keys(HTTP_STATUS_OF).sort(), [...codes].sort());
    assert.deepEqual(Object.keys(INSTANCES).sort(), [...codes].sort());
  });

  test('the status table answers each code with the expected status', () => {
    const actual = Object.fromEntries(codes.map((code) => [code, httpStatusOf(code)]));
    const expected = Object.fromEntries(codes.map((code) => [code, EXPECTED[code].status]));
    assert.deepEqual(actual, expected);
  });

  test('an error of each code carries that code and the expected retry decision', () => {
    for (const code of codes) {
      const instances = INSTANCES[code]();
      assert.ok(instances.length > 0, code);
      for (const error of instances) {
        assert.ok(error instanceof AppError, code);
        assert.equal(error.code, code, `${error.name} made for ${code}`);
        assert.equal(error.retryable, EXPECTED[code].retryable, `retryable of ${error.name} ${code}: ${error.message}`);
        assert.ok(!('status' in error), `${error.name} ${code} carries no HTTP status of its own`);
      }
    }
  });

  test('the worker gives up at once exactly on the errors that are not retryable', () => {
    for (const code of codes) {
      for (const error of INSTANCES[code]()) {
        const failure = toStepFailure('download', error);
        assert.equal(failure.code, code);
        assert.equal(failure.permanent, !EXPECTED[code].retryable, `permanent of ${code}`);
      }
    }
    const unexpected = toStepFailure('download', new Error('a bug'));
    assert.deepEqual([unexpected.code, unexpected.permanent], ['unexpected_error', false], 'anything else is retried');
  });

  test('a code the table does not know is answered 500, as any other error', () => {
    assert.equal(httpStatusOf('no_such_code' as ErrorCode), 500);
    assert.equal(httpStatusOf('toString' as ErrorCode), 500);
  });
});
