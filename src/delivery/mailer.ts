import { constants } from 'node:fs';
import { access, mkdir, open } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { SendMailOptions } from 'nodemailer';
import type { Logger } from '../log.js';
import { writeFileAtomically } from '../files/atomic-file.js';
import { singleLine } from './format.js';
import { type MailError, attachmentUnreadableError, invalidMessageError, toMailError } from './mail-errors.js';
import { createEmlTransport, createSmtpTransport, describeSmtpUrl, type SmtpTlsOptions } from './mail-transport.js';
import { errorCode } from '../errors.js';

export { MailError } from './mail-errors.js';
export type { MailErrorCode } from './mail-errors.js';

export interface MailAttachment {
  filename: string;
  /** A local file the mailer opens and streams itself; nodemailer never sees the path. */
  path: string;
  contentType: string;
  /** Set for a picture the HTML shows inline (`<img src="cid:...">`): the attachment's Content-ID, without brackets. */
  cid?: string;
}

export interface MailMessage {
  from: string;
  to: string[];
  subject: string;
  html: string;
  text: string;
  /** "<report-<id>@report-relay>" style, deterministic, set by the caller so a retry reuses it. */
  messageId: string;
  attachments: MailAttachment[];
  /** Extra headers (e.g. X-Report-Id). Names are restricted; values are made single-line. */
  headers?: Record<string, string>;
}

export interface SendResult {
  messageId: string;
  accepted: string[];
  rejected: string[];
  response: string;
  /** Where the .eml file was written when there is no SMTP server; null when sent over SMTP. */
  outboxPath: string | null;
}

export interface Mailer {
  /** `logger`: where this message's lines go instead of the mailer's own (a job's, naming its report). `signal` abandons the hand-off (the SMTP connection is closed): a shutdown or a lost job lock. */
  send(message: MailMessage, signal?: AbortSignal, logger?: Logger): Promise<SendResult>;
  /** Checks that the server answers and accepts the login (SMTP) or that the outbox is writable. */
  verify(): Promise<void>;
  close(): void;
  /** Safe to log: "smtp://host:port" or "outbox:/path", never credentials. */
  readonly description: string;
}

export interface MailerOptions {
  /** smtp:// or smtps:// URL, possibly with credentials. Without it, messages go to the outbox. */
  smtpUrl?: string | undefined;
  outboxDir: string;
  timeoutMs: number;
  /** smtp:// only: refuse a server that does not offer STARTTLS (default true). */
  requireTls?: boolean;
  /** TLS settings for the SMTP connection, e.g. the CA of a private server. */
  tls?: SmtpTlsOptions['tls'];
  logger?: Logger | undefined;
}

export function createMailer(options: MailerOptions): Mailer {
  return options.smtpUrl ? createSmtpMailer(options.smtpUrl, options) : createOutboxMailer(options);
}

function createSmtpMailer(smtpUrl: string, options: MailerOptions): Mailer {
  const { description, secrets } = describeSmtpUrl(smtpUrl);
  const transport = createSmtpTransport(smtpUrl, options.timeoutMs, {
    requireTls: options.requireTls ?? true,
    ...(options.tls ? { tls: options.tls } : {}),
  });
  const logger = options.logger;

  return {
    description,
    send: (message, signal, callLogger = logger) =>
      sendWith(message, signal, { description, secrets, logger: callLogger }, async (mail) => {
        const info = await transport.sendMail(mail);
        const result: SendResult = {
          messageId: info.messageId,
          accepted: info.accepted.map(String),
          rejected: info.rejected.map(String),
          response: info.response,
          outboxPath: null,
        };
        callLogger?.info({ messageId: result.messageId, accepted: result.accepted.length, rejected: result.rejected, server: description }, 'email sent');
        return result;
      }),
    async verify() {
      try {
        await transport.verify();
      } catch (error) {
        throw toMailError(error, description, secrets);
      }
    },
    close() {
      transport.close();
    },
  };
}

function createOutboxMailer(options: MailerOptions): Mailer {
  const outboxDir = resolve(options.outboxDir);
  const description = `outbox:${outboxDir}`;
  const transport = createEmlTransport();
  const logger = options.logger;

  return {
    description,
    send: (message, signal, callLogger = logger) =>
      sendWith(message, signal, { description, secrets: [], logger: callLogger }, async (mail, prepared) => {
        const outboxPath = join(outboxDir, `${fileNameFor(prepared.messageId)}.eml`);
        const info = await transport.sendMail(mail);
        // The same Message-ID always lands in the same file, so a retried job overwrites, not duplicates.
        // as: the stream transport (buffer: false) hands the message over as a Readable; its type is a union.
        await writeFileAtomically(outboxPath, info.message as Readable, { durable: true });
        const result: SendResult = {
          messageId: info.messageId,
          accepted: [...info.envelope.to],
          rejected: [],
          response: 'written to the outbox (no SMTP_URL configured)',
          outboxPath,
        };
        callLogger?.info({ messageId: result.messageId, outboxPath }, 'email written to outbox');
        return result;
      }),
    async verify() {
      await mkdir(outboxDir, { recursive: true });
      await access(outboxDir, constants.W_OK);
    },
    close() {
      transport.close();
    },
  };
}

/** What a mailer's failures are described with: the server (safe to log) and the secrets to scrub. */
interface SendChannel {
  description: string;
  secrets: readonly string[];
  logger: Logger | undefined;
}

/**
 * The send skeleton of every mailer: validate the message, open its attachments, hand it to
 * `deliver`, turn any failure into a logged MailError, and always close the attachments.
 */
async function sendWith(
  message: MailMessage,
  signal: AbortSignal | undefined,
  channel: SendChannel,
  deliver: (mail: SendMailOptions, prepared: PreparedMessage) => Promise<SendResult>,
): Promise<SendResult> {
  const prepared = prepare(message);
  const streams = await openAttachments(message.attachments);
  try {
    return await deliver({ ...toNodemailer(prepared, streams), ...(signal ? { signal } : {}) }, prepared);
  } catch (error) {
    throw logged(toMailError(error, channel.description, channel.secrets), prepared.messageId, channel.logger, channel.description);
  } finally {
    for (const stream of streams) stream.destroy();
  }
}

/** A message after prepare(): headers always present, attachments without paths (their files are opened apart). */
type PreparedMessage = Omit<MailMessage, 'headers' | 'attachments'> &
  Required<Pick<MailMessage, 'headers'>> & { attachments: Array<Omit<MailAttachment, 'path'>> };

const MESSAGE_ID = /^<?([^<>@\s]+@[^<>@\s]+)>?$/u;
const HEADER_NAME = /^[A-Za-z][A-Za-z0-9-]{0,63}$/u;
const CONTENT_TYPE = /^[\w.+-]+\/[\w.+-]+$/u;
const CONTENT_ID = /^[\w.-]+@[\w.-]+$/u;
/** Headers nodemailer builds from the message fields; letting callers set them would bypass those checks. */
const RESERVED_HEADERS = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'reply-to',
  'sender',
  'subject',
  'date',
  'message-id',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'content-disposition',
  'return-path',
]);

/** Validates and normalizes the caller's message; throws a MailError (mail_invalid, not retryable) when it is unusable. */
function prepare(message: MailMessage): PreparedMessage {
  const idMatch = MESSAGE_ID.exec(message.messageId);
  if (!idMatch?.[1]) throw invalidMessageError('messageId must look like <local@domain>');
  if (message.to.length === 0) throw invalidMessageError('at least one recipient is required');
  for (const address of [message.from, ...message.to]) {
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/u.test(address)) throw invalidMessageError('addresses must not contain control characters');
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (!HEADER_NAME.test(name) || RESERVED_HEADERS.has(name.toLowerCase())) throw invalidMessageError(`header ${JSON.stringify(name)} is not allowed`);
    headers[name] = singleLine(value, 900);
  }
  for (const attachment of message.attachments) {
    if (!CONTENT_TYPE.test(attachment.contentType))
      throw invalidMessageError(`attachment content type ${JSON.stringify(attachment.contentType)} is not allowed`);
    if (attachment.cid !== undefined && !CONTENT_ID.test(attachment.cid))
      throw invalidMessageError(`attachment content id ${JSON.stringify(attachment.cid)} is not allowed`);
  }
  return {
    from: message.from,
    to: [...message.to],
    subject: singleLine(message.subject, 250),
    html: message.html,
    text: message.text,
    messageId: `<${idMatch[1]}>`,
    headers,
    attachments: message.attachments.map((attachment) => ({
      filename: singleLine(attachment.filename, 200) || 'attachment',
      contentType: attachment.contentType,
      ...(attachment.cid !== undefined ? { cid: attachment.cid } : {}),
    })),
  };
}

function toNodemailer(message: PreparedMessage, streams: Readable[]): SendMailOptions {
  return {
    from: message.from,
    to: message.to,
    subject: message.subject,
    html: message.html,
    text: message.text,
    messageId: message.messageId,
    headers: message.headers,
    attachments: message.attachments.map((attachment, index) => ({
      filename: attachment.filename,
      contentType: attachment.contentType,
      content: streams[index],
      ...(attachment.cid !== undefined ? { cid: attachment.cid, contentDisposition: 'inline' as const } : {}),
    })),
  };
}

async function openAttachments(attachments: MailAttachment[]): Promise<Readable[]> {
  const streams: Readable[] = [];
  try {
    for (const attachment of attachments) {
      // Opening here, not in nodemailer, keeps its file access disabled and fails before connecting.
      const handle = await open(attachment.path, 'r');
      streams.push(handle.createReadStream());
    }
    return streams;
  } catch (error) {
    for (const stream of streams) stream.destroy();
    const reason = errorCode(error) ?? 'unknown error';
    throw attachmentUnreadableError(reason, error);
  }
}

function fileNameFor(messageId: string): string {
  // A leading dot would hide the file (and mark it as a temp file), so it becomes "_".
  return messageId
    .replace(/^<|>$/gu, '')
    .replace(/[^\w.@-]/gu, '_')
    .replace(/^\./u, '_')
    .slice(0, 200);
}

function logged(error: MailError, messageId: string, logger: Logger | undefined, server: string): MailError {
  logger?.warn({ messageId, server, code: error.code, retryable: error.retryable, smtpCode: error.smtpCode, err: error }, 'email not sent');
  return error;
}
