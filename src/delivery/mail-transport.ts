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

export interface SmtpTlsOptions {
  /**
   * smtp:// only (smtps:// is TLS from the first byte): true (the default) refuses a server that
   * does not offer STARTTLS, so neither the login nor the report travels in plaintext; false
   * upgrades only when the server offers it.
   */
  requireTls?: boolean;
  /** TLS settings for the connection, e.g. the CA of a private server (certificates are always verified). */
  tls?: { ca?: string | Buffer; servername?: string };
}

export function createSmtpTransport(smtpUrl: string, timeoutMs: number, options: SmtpTlsOptions = {}): Transporter<SMTPSentMessageInfo> {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  // nodemailer reads options from the URL's query too, and they win over the ones given here:
  // drop those that could turn TLS off or its checks down, so the URL cannot lower them.
  for (const name of [...url.searchParams.keys()]) {
    if (/tls|secure|ssl|reject|cipher/iu.test(name)) url.searchParams.delete(name);
  }
  return createTransport({
    url: url.toString(),
    requireTLS: !secure && options.requireTls !== false,
    ignoreTLS: false,
    tls: { ...options.tls, rejectUnauthorized: true },
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
