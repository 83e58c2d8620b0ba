/**
 * A real SMTP server for tests, in process, on 127.0.0.1 and a free port.
 *
 *   const smtp = await startTestSmtpServer();
 *   // point the code under test at smtp.url ("smtp://127.0.0.1:<port>")
 *   const [message] = await smtp.waitForMessages(1);
 *   message.parsed.subject; message.parsed.attachments[0].content; message.envelope.to;
 *   await smtp.close();
 *
 * Failure injection, for retry and error-classification tests:
 *
 *   startTestSmtpServer({ failWith: { type: 'reply', code: 451, count: 2 } }) // first 2 messages: "451 ..."
 *   startTestSmtpServer({ failWith: { type: 'reply', code: 550 } })           // first message: "550 ..."
 *   startTestSmtpServer({ failWith: { type: 'drop' } })                        // first message: connection cut mid-DATA
 *   smtp.failNext({ type: 'reply', code: 452 })                                // queue more failures later
 *
 * A failed message is not added to `messages`; `attempts` counts every message the server was
 * offered (failed or not), so tests can assert how many tries the code under test made.
 * Plain TCP unless `starttls` gives a key and certificate (see selfSignedCertificate): then the
 * server offers STARTTLS and accepts a login only after it; each message records whether it came
 * over TLS. The service requires TLS on smtp:// by default, so a test that sends to a plain server
 * sets SMTP_REQUIRE_TLS=false (testConfig does) or `requireTls: false`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

export type SmtpFailure =
  /** Answer the end of DATA with this reply code (4xx: try later, 5xx: rejected). */
  | { type: 'reply'; code: number; message?: string; count?: number }
  /** Destroy the connection once the first bytes of the message arrive. */
  | { type: 'drop'; count?: number };

export interface TestSmtpServerOptions {
  /** Fail the next `count` (default 1) messages this way, then accept again. */
  failWith?: SmtpFailure;
  /** Require AUTH PLAIN/LOGIN with these credentials (then `url` carries them). */
  auth?: { user: string; pass: string };
  /** RCPT TO for these addresses is answered with 550. */
  rejectRecipients?: string[];
  /** Offer STARTTLS with this key and certificate (PEM). */
  starttls?: { key: string; cert: string };
}

/** A fresh self-signed certificate for 127.0.0.1 and localhost, made with openssl. */
export function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'smtp-cert-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface ReceivedMessage {
  envelope: { from: string | null; to: string[] };
  /** The message exactly as received (after SMTP dot-unstuffing). */
  raw: Buffer;
  parsed: ParsedMail;
  /** Whether the session had been upgraded to TLS (STARTTLS) when the message came. */
  secure: boolean;
}

export interface TestSmtpServer {
  readonly host: string;
  readonly port: number;
  /** "smtp://127.0.0.1:<port>", with user:pass@ when `auth` was given. */
  readonly url: string;
  /** Messages accepted so far, in order. */
  readonly messages: ReceivedMessage[];
  /** Messages offered so far, including those that were failed on purpose. */
  readonly attempts: number;
  /** Queues a failure for the next `count` (default 1) messages, after any already queued. */
  failNext(failure: SmtpFailure): void;
  /** Resolves with the messages once at least `count` were accepted; rejects after `timeoutMs`. */
  waitForMessages(count: number, timeoutMs?: number): Promise<ReceivedMessage[]>;
  /** Cuts every open connection and stops listening. */
  close(): Promise<void>;
}

interface Waiter {
  count: number;
  resolve: (messages: ReceivedMessage[]) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export async function startTestSmtpServer(options: TestSmtpServerOptions = {}): Promise<TestSmtpServer> {
  const messages: ReceivedMessage[] = [];
  const pending: SmtpFailure[] = [];
  const sockets = new Map<number, Socket>();
  const waiters = new Set<Waiter>();
  const rejected = new Set((options.rejectRecipients ?? []).map((address) => address.toLowerCase()));
  let attempts = 0;

  const failNext = (failure: SmtpFailure) => {
    for (let i = 0; i < (failure.count ?? 1); i += 1) pending.push(failure);
  };
  if (options.failWith) failNext(options.failWith);

  const settleWaiters = () => {
    for (const waiter of waiters) {
      if (messages.length >= waiter.count) {
        clearTimeout(waiter.timer);
        waiters.delete(waiter);
        waiter.resolve([...messages]);
      }
    }
  };

  const onData = (stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null, message?: string) => void) => {
    attempts += 1;
    const failure = pending.shift();
    if (failure?.type === 'drop') {
      const socket = sockets.get(session.remotePort);
      if (socket) {
        stream.once('data', () => socket.destroy());
        stream.resume();
        return;
      }
      // Cannot happen with a direct TCP client; answer rather than leave the client hanging.
      stream.resume();
      stream.once('end', () => callback(smtpError(421, 'Test server could not find the connection to drop')));
      return;
    }
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => {
      if (failure?.type === 'reply') {
        callback(smtpError(failure.code, failure.message ?? `Test server refuses this message (${failure.code})`));
        return;
      }
      const raw = Buffer.concat(chunks);
      simpleParser(raw)
        .then((parsed) => {
          messages.push({
            envelope: {
              from: session.envelope.mailFrom === false ? null : session.envelope.mailFrom.address,
              to: session.envelope.rcptTo.map((address) => address.address),
            },
            raw,
            parsed,
            secure: session.secure,
          });
          callback(null, `OK: queued as test-${messages.length}`);
          settleWaiters();
        })
        .catch((error: unknown) => callback(smtpError(451, `Test server could not parse the message: ${String(error)}`)));
    });
  };

  const server = new SMTPServer({
    logger: false,
    disabledCommands: [...(options.starttls ? [] : ['STARTTLS']), ...(options.auth ? [] : ['AUTH'])],
    ...(options.starttls ? { key: options.starttls.key, cert: options.starttls.cert } : {}),
    authOptional: !options.auth,
    // With STARTTLS offered, a login is accepted only after the upgrade.
    allowInsecureAuth: !options.starttls,
    authMethods: ['PLAIN', 'LOGIN'],
    closeTimeout: 100,
    onAuth(auth, _session, callback) {
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) {
        callback(null, { user: auth.username });
      } else {
        callback(smtpError(535, 'Authentication credentials invalid'));
      }
    },
    onRcptTo(address, _session, callback) {
      callback(rejected.has(address.address.toLowerCase()) ? smtpError(550, `No such user: ${address.address}`) : null);
    },
    onData,
  });

  server.server.on('connection', (socket: Socket) => {
    const port = socket.remotePort;
    if (port === undefined) return;
    sockets.set(port, socket);
    socket.once('close', () => sockets.delete(port));
  });

  const host = '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Connections the tests cut on purpose surface as server errors; they are expected here.
  server.on('error', () => {});
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('SMTP test server has no TCP address');
  const credentials = options.auth ? `${encodeURIComponent(options.auth.user)}:${encodeURIComponent(options.auth.pass)}@` : '';

  return {
    host,
    port: address.port,
    url: `smtp://${credentials}${host}:${address.port}`,
    messages,
    get attempts() {
      return attempts;
    },
    failNext,
    waitForMessages(count, timeoutMs = 5_000) {
      if (messages.length >= count) return Promise.resolve([...messages]);
      return new Promise((resolve, reject) => {
        const waiter: Waiter = {
          count,
          resolve,
          reject,
          timer: setTimeout(() => {
            waiters.delete(waiter);
            reject(new Error(`Expected ${count} message(s) within ${timeoutMs} ms, got ${messages.length}`));
          }, timeoutMs),
        };
        waiters.add(waiter);
      });
    },
    async close() {
      for (const waiter of waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error('SMTP test server closed'));
      }
      waiters.clear();
      for (const socket of sockets.values()) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}
