import { AppError } from '../errors.js';

export type DownloadErrorCode =
  | 'download_bad_url'
  | 'download_bad_scheme'
  | 'download_host_not_allowed'
  | 'download_port_not_allowed'
  | 'download_private_address'
  | 'download_bad_redirect'
  | 'download_too_many_redirects'
  | 'download_too_large'
  | 'download_unsupported_encoding'
  | 'download_decode_failed'
  | 'download_link_expired_or_forbidden'
  | 'download_not_found'
  | 'download_http_status'
  | 'download_unavailable'
  | 'download_network'
  | 'download_timeout'
  | 'download_write_failed'
  | 'download_aborted';

/**
 * Failures that the same URL cannot fix by being tried again later: the link itself is refused,
 * broken or expired, or the file breaks our limits. Everything else (network, 5xx/429, timeouts,
 * a full disk, a shutdown) may succeed on a later attempt, so the job queue keeps retrying.
 */
const PERMANENT: ReadonlySet<DownloadErrorCode> = new Set<DownloadErrorCode>([
  'download_bad_url',
  'download_bad_scheme',
  'download_host_not_allowed',
  'download_port_not_allowed',
  'download_private_address',
  'download_bad_redirect',
  'download_too_many_redirects',
  'download_too_large',
  'download_unsupported_encoding',
  'download_decode_failed',
  'download_link_expired_or_forbidden',
  'download_not_found',
  'download_http_status',
]);

export function isPermanentCode(code: DownloadErrorCode): boolean {
  return PERMANENT.has(code);
}

export interface DownloadErrorOptions {
  /** The status of the response that caused the failure, when there was one. */
  httpStatus?: number | undefined;
  details?: unknown;
  cause?: unknown;
}

/**
 * Every failure of a download. `retryable` follows from the code, so the job layer can decide
 * with one property whether to turn it into BullMQ's UnrecoverableError.
 */
export class DownloadError extends AppError {
  declare readonly code: DownloadErrorCode;
  readonly httpStatus?: number;
  /** How many attempts were made before giving up; set by the downloader when it throws. */
  attempts = 0;

  constructor(code: DownloadErrorCode, message: string, options: DownloadErrorOptions = {}) {
    super(code, message, { retryable: !isPermanentCode(code), details: options.details, cause: options.cause });
    if (options.httpStatus !== undefined) this.httpStatus = options.httpStatus;
  }
}

/** The refusal of an address; `host` is what was asked for, `reason` names the address and its range. */
export function privateAddressError(host: string, reason: string): DownloadError {
  return new DownloadError(
    'download_private_address',
    `refusing to connect to "${host}": ${reason}; private and special-purpose networks are refused unless DOWNLOAD_ALLOW_PRIVATE_NETWORKS is true`,
    { details: { host } },
  );
}
