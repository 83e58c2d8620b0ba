import type { MailErrorCode } from '../delivery/mail-errors.js';
import type { DownloadErrorCode } from '../download/errors.js';

/**
 * Label values come from closed lists only: whatever a caller passes, a label takes one of a few
 * known values, so no id, URL or message can ever become a time series.
 */

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export function methodLabel(method: string): string {
  return METHODS.has(method) ? method : 'other';
}

/** An HTTP status as a label: the code itself (a few dozen at most), 'other' for anything that is not one. */
export function statusLabel(status: number): string {
  return Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : 'other';
}

/**
 * Each download error's label: a refusal (the guard said no before or instead of connecting: the
 * allow-list, a private address, the size limit, a broken or unsafe link) or a failure (the
 * server, the network, the disk). A Record, so a new code does not compile until it is placed here.
 */
export const DOWNLOAD_ERROR_LABELS: Readonly<Record<DownloadErrorCode, { kind: 'refusal' | 'failure'; reason: string }>> = {
  download_private_address: { kind: 'refusal', reason: 'private_address' },
  download_host_not_allowed: { kind: 'refusal', reason: 'host_not_allowed' },
  download_port_not_allowed: { kind: 'refusal', reason: 'port_not_allowed' },
  download_too_large: { kind: 'refusal', reason: 'too_large' },
  download_bad_url: { kind: 'refusal', reason: 'bad_url' },
  download_bad_scheme: { kind: 'refusal', reason: 'bad_scheme' },
  download_bad_redirect: { kind: 'refusal', reason: 'bad_redirect' },
  download_too_many_redirects: { kind: 'refusal', reason: 'too_many_redirects' },
  download_unsupported_encoding: { kind: 'failure', reason: 'unsupported_encoding' },
  download_decode_failed: { kind: 'failure', reason: 'decode_failed' },
  download_link_expired_or_forbidden: { kind: 'failure', reason: 'link_expired_or_forbidden' },
  download_not_found: { kind: 'failure', reason: 'not_found' },
  download_http_status: { kind: 'failure', reason: 'http_status' },
  download_unavailable: { kind: 'failure', reason: 'unavailable' },
  download_network: { kind: 'failure', reason: 'network' },
  download_timeout: { kind: 'failure', reason: 'timeout' },
  download_write_failed: { kind: 'failure', reason: 'write_failed' },
  download_aborted: { kind: 'failure', reason: 'aborted' },
};

export function downloadErrorLabel(code: string): { kind: 'refusal' | 'failure'; reason: string } {
  return Object.hasOwn(DOWNLOAD_ERROR_LABELS, code) ? DOWNLOAD_ERROR_LABELS[code as DownloadErrorCode] : { kind: 'failure', reason: 'other' }; // as: checked by hasOwn just before
}

const MAIL_ERROR_LABELS: Readonly<Record<MailErrorCode, string>> = {
  smtp_transient: 'smtp_transient',
  smtp_rejected: 'smtp_rejected',
  smtp_auth_failed: 'smtp_auth_failed',
  mail_invalid: 'mail_invalid',
  mail_attachment_unreadable: 'attachment_unreadable',
};

export function mailErrorLabel(code: string): string {
  return Object.hasOwn(MAIL_ERROR_LABELS, code) ? MAIL_ERROR_LABELS[code as MailErrorCode] : 'other'; // as: checked by hasOwn just before
}
