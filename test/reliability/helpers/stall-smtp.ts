import type { Socket } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * An SMTP server that can hang a conversation at a chosen point, so a worker can be killed
 * while it sits in the email step:
 * - 'mail': MAIL FROM is never answered (no message content has been sent);
 * - 'data': the whole message arrives but the final reply is never sent. Such a message is
 *   counted as received: a real server may deliver a message whose 250 the client never saw,
 *   and this is the worst case the service must survive.
 * `received` holds every message whose content fully arrived; `acknowledged` those answered 250.
 */
export type StallPoint = 'mail' | 'data';

export interface ReceivedMail {
  messageId: string | undefined;
  to: string[];
  acknowledged: boolean;
}

/** The messages received for one report (its Message-ID is derived from the report id). */
export function mailsForReport(received: readonly ReceivedMail[], reportId: string): ReceivedMail[] {
  return received.filter((mail) => mail.messageId === `<report-${reportId}@report-relay>`);
}

export interface StallSmtpServer {
  readonly url: string;
  readonly received: ReceivedMail[];
  /** The next conversation hangs at `point`; later ones proceed normally. */
  stallNext(point: StallPoint): void;
  /** Resolves when a conversation is hanging. */
  waitForStall(timeoutMs?: number): Promise<void>;
  /** Resolves when the client of the hanging conversation has closed its connection. */
  waitForStallAbandoned(timeoutMs?: number): Promise<void>;
  /** Answers the hanging MAIL FROM after all, so a client still waiting for it would go on. */
  release(): void;
  /** Resolves once `count` messages are acknowledged. */
  waitForAcknowledged(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startStallSmtpServer(): Promise<StallSmtpServer> {
  const received: ReceivedMail[] = [];
  const sockets = new Set<Socket>();
  let next: StallPoint | null = null;
  let stalled = false;
  let stalledSession: string | null = null;
  let abandoned = false;
  let answerStalled: (() => void) | null = null;

  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    closeTimeout: 100,
    onMailFrom(_address, session, callback) {
      if (next === 'mail') {
        next = null;
        stalled = true;
        stalledSession = session.id;
        answerStalled = () => callback();
        return; // not answered until release()
      }
      callback();
    },
    onClose(session) {
      if (session.id === stalledSession) abandoned = true;
    },
    onData(stream, session, callback) {
      const hang = next === 'data';
      if (hang) next = null;
      simpleParser(stream)
        .then((parsed) => {
          const mail: ReceivedMail = { messageId: parsed.messageId, to: session.envelope.rcptTo.map((a) => a.address), acknowledged: !hang };
          received.push(mail);
          if (hang) stalled = true;
          else callback(null, 'OK');
        })
        .catch((error: unknown) => callback(error as Error));
    },
  });
  server.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // Killed clients leave broken connections behind; that is the point of this server.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  const poll = async (done: () => boolean, what: string, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`SMTP: ${what} did not happen within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    stallNext(point) {
      next = point;
      stalled = false;
      stalledSession = null;
      abandoned = false;
      answerStalled = null;
    },
    waitForStall: (timeoutMs = 15_000) => poll(() => stalled, 'a stalled conversation', timeoutMs),
    waitForStallAbandoned: (timeoutMs = 15_000) => poll(() => abandoned, 'the client leaving the stalled conversation', timeoutMs),
    release() {
      answerStalled?.();
      answerStalled = null;
    },
    waitForAcknowledged: (count, timeoutMs = 15_000) =>
      poll(() => received.filter((mail) => mail.acknowledged).length >= count, `${count} acknowledged message(s)`, timeoutMs),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
