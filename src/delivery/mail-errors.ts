import { AppError } from '../errors.js';

export type MailErrorCode =
  /** The server or the network failed for now (4xx reply, refused, reset, timed out): retry later. */
  | 'smtp_transient'
  /** The server refused the message for good (5xx reply): retrying sends the same refusal. */
  | 'smtp_rejected'
  /** The server refused our credentials: a configuration problem, not the message's. */
  | 'smtp_auth_failed'
  /** The message itself is unusable (bad address, header, or something the sandbox refused). */
  | 'mail_invalid'
  /** An attachment file could not be opened. */
  | 'mail_attachment_unreadable';

/**
 * A failed send. `retryable` says whether sending the same message again later can help, which is
 * what the job runner needs to decide between a retry and giving up (BullMQ's UnrecoverableError).
 */
export class MailError extends AppError {
  declare readonly code: MailErrorCode;
  readonly smtpCode?: number;

  constructor(code: MailErrorCode, message: string, options: { retryable: boolean; smtpCode?: number; details?: unknown; cause?: unknown }) {
    super(code, message, { retryable: options.retryable, details: options.details, cause: options.cause });
    if (options.smtpCode !== undefined) this.smtpCode = options.smtpCode;
  }
}

/** The caller's message is unusable (bad address, header...): sending it again gives the same refusal. */
export function invalidMessageError(reason: string): MailError {
  return new MailError('mail_invalid', `Invalid email message: ${reason}`, { retryable: false });
}

/** An attachment file could not be opened; a later attempt may find it readable. */
export function attachmentUnreadableError(reason: string, cause: unknown): MailError {
  return new MailError('mail_attachment_unreadable', `An attachment could not be opened (${reason})`, { retryable: true, cause });
}

interface NodemailerLikeError {
  code?: string;
  originalCode?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  message?: string;
}

const NETWORK_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ETLS',
  'EPROXY',
  'ESTREAM',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

const MESSAGE_CODES = new Set(['EENVELOPE', 'EMESSAGE', 'EFILEACCESS', 'EURLACCESS', 'ECONFIG', 'EMAXRECIPIENTS']);

/**
 * Turns whatever nodemailer threw into a MailError. `server` is the credential-free description
 * of the server; `secrets` are scrubbed from every text that ends up in the error.
 */
export function toMailError(error: unknown, server: string, secrets: readonly string[] = []): MailError {
  if (error instanceof MailError) return error;
  // as: nodemailer's errors are Errors with optional SMTP fields; each field is checked before use.
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as NodemailerLikeError;
  const scrub = (text: string) => scrubSecrets(text, secrets).replace(/\s+/gu, ' ').trim().slice(0, 500);
  const answer = scrub(e.response ?? e.message ?? 'no answer');
  const command = e.command ? ` to ${scrub(e.command)}` : '';
  const smtpCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const details = { nodemailerCode: e.code, originalCode: e.originalCode, command: e.command ? scrub(e.command) : undefined, smtpCode };
  const withCode = (extra: { retryable: boolean }) => ({ ...extra, details, ...(smtpCode !== undefined ? { smtpCode } : {}) });

  if (e.code === 'EAUTH' || e.code === 'ENOAUTH') {
    return new MailError('smtp_auth_failed', `SMTP server ${server} refused the login: ${answer}`, withCode({ retryable: false }));
  }
  if (smtpCode !== undefined && smtpCode >= 500 && smtpCode < 600 && smtpCode !== 503) {
    return new MailError('smtp_rejected', `SMTP server ${server} rejected the message${command}: ${answer}`, withCode({ retryable: false }));
  }
  if (smtpCode !== undefined) {
    // 4xx is "try again later" by definition; 503 (bad sequence) and unexpected 2xx/3xx replies
    // describe the session, not the message, so a fresh connection may well succeed.
    return new MailError('smtp_transient', `SMTP server ${server} deferred the message${command}: ${answer}`, withCode({ retryable: true }));
  }
  // A sandbox refusal arrives wrapped (code ESTREAM, originalCode EFILEACCESS), so both codes count.
  const codes = [e.code, e.originalCode].filter((code): code is string => typeof code === 'string');
  if (codes.some((code) => MESSAGE_CODES.has(code))) {
    return new MailError('mail_invalid', `The message could not be built or addressed: ${answer}`, withCode({ retryable: false }));
  }
  if (codes.some((code) => NETWORK_CODES.has(code))) {
    return new MailError('smtp_transient', `Could not talk to SMTP server ${server}: ${answer}`, withCode({ retryable: true }));
  }
  // Unknown failures are retried: jobs have a bounded number of attempts.
  return new MailError('smtp_transient', `Sending through ${server} failed: ${answer}`, withCode({ retryable: true }));
}

export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 3) out = out.split(secret).join('[redacted]');
  }
  return out;
}
