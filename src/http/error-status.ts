import type { ErrorCode } from '../errors.js';

/**
 * The one table of HTTP statuses: what the service answers for each error code. Errors carry a
 * code and whether a retry may help, never a status; a status chosen here changes only the
 * answer, never what the worker retries. A Record, so a code added to ErrorCode does not compile
 * until it has its status here.
 */
export const HTTP_STATUS_OF: Readonly<Record<ErrorCode, number>> = {
  // src/errors.ts
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  corrupt_data: 500,
  internal: 500,
  unavailable: 503,
  // src/http/rate-limit.ts, src/http/routes/callbacks.ts
  rate_limited: 429,
  body_incomplete: 400,
  payload_too_large: 413,
  // src/delivery/archive.ts
  invalid_archive_key: 400,
  // src/delivery/s3/s3-errors.ts: the archive's store is away (503), refuses us (502), or holds bad bytes (500).
  archive_unavailable: 503,
  archive_refused: 502,
  archive_corrupt: 500,
  // src/reports/callback-encoding.ts: a kept body that no longer decodes (read back, not received).
  callback_encoding_invalid: 422,

  // PermanentError: a CSV that breaks a limit (src/csv/limits.ts).
  csv_too_many_columns: 422,
  csv_field_too_large: 422,
  csv_record_too_large: 422,

  // Downloads (src/download/errors.ts): 422 for what the same URL cannot fix, 504 for a timeout,
  // 503 for the rest, which a later attempt may fix.
  download_bad_url: 422,
  download_bad_scheme: 422,
  download_host_not_allowed: 422,
  download_port_not_allowed: 422,
  download_private_address: 422,
  download_bad_redirect: 422,
  download_too_many_redirects: 422,
  download_too_large: 422,
  download_unsupported_encoding: 422,
  download_decode_failed: 422,
  download_link_expired_or_forbidden: 422,
  download_not_found: 422,
  download_http_status: 422,
  download_unavailable: 503,
  download_network: 503,
  download_timeout: 504,
  download_write_failed: 503,
  download_aborted: 503,

  // Mail (src/delivery/mail-errors.ts): a message we could not build is our fault (500); the
  // rest is the mail server's answer (502).
  mail_invalid: 500,
  mail_attachment_unreadable: 502,
  smtp_transient: 502,
  smtp_rejected: 502,
  smtp_auth_failed: 502,

  // Losant (src/losant/errors.ts). Only a 400 is the caller's fault (they chose the report options
  // or configs); every other failure is between this service and Losant, so it is a 502 (Losant
  // misbehaved or our credentials/instance id are wrong), a 503 (try again later) or a 504 (no
  // answer in time). A 404 is a 502 and not a 404: the instance id comes from our configuration,
  // not from the caller, so "not found" means this service is misconfigured.
  losant_request_invalid: 400,
  losant_rejected: 400,
  losant_unauthorized: 502,
  losant_not_found: 502,
  losant_busy: 503,
  losant_unavailable: 502,
  losant_unexpected_status: 502,
  losant_bad_response: 502,
  losant_unreachable: 503,
  losant_timeout: 504,
  losant_outcome_unknown: 504,
};

/** The HTTP status for an error code; 500 for a code the table does not know (a bug, as for any other error). */
export function httpStatusOf(code: ErrorCode): number {
  return Object.hasOwn(HTTP_STATUS_OF, code) ? HTTP_STATUS_OF[code] : 500;
}
