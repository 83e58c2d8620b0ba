import { createTransport, type Transporter } from 'nodemailer';
import type { SMTPSentMessageInfo, StreamSentMessageInfo } from 'nodemailer';

/**
 * Nodemailer transports with the content sandbox closed: message content can never make
 * nodemailer read a local file (`path: '/etc/passwd'`) or fetch a URL (`href`, `path: 'http://…'`).
 * Attachments are handed over as streams the mailer opens itself.
 */
export const CONTENT_SANDBOX = { disableFileAccess: true, disableUrlAccess: true } as const;

export interface SmtpEndpoint {
  /** "smtp://host:port" or "smtps://host:port": no user, no password. */
  description: string;
  /** The password from the URL (raw and decoded), to be scrubbed from error texts. */
  secrets: string[];
}

export function describeSmtpUrl(smtpUrl: string): SmtpEndpoint {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  const port = url.port !== '' ? url.port : secure ? '465' : '587';
  // Only the password: a user name is often a common word ("smtp", "apikey") and not a secret.
  const secrets = [url.password, safeDecode(url.password)].filter((value) => value !== '');
  return { description: `${secure ? 'smtps' : 'smtp'}://${url.hostname}:${port}`, secrets: [...new Set(secrets)] };
}

export function createSmtpTransport(smtpUrl: string, timeoutMs: number): Transporter<SMTPSentMessageInfo> {
  return createTransport({
    url: smtpUrl,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    logger: false,
    ...CONTENT_SANDBOX,
  });
}

/** Renders messages as RFC 822 streams (CRLF line ends, as in a real .eml file) instead of sending them. */
export function createEmlTransport(): Transporter<StreamSentMessageInfo> {
  return createTransport({ streamTransport: true, buffer: false, newline: 'windows', logger: false, ...CONTENT_SANDBOX });
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
