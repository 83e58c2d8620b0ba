import { performance } from 'node:perf_hooks';
import { SMTPServer } from 'smtp-server';

export interface SmtpSink {
  readonly url: string;
  /** performance.now() at which the server had the whole message of this Message-ID and accepted it. */
  acceptedAt(messageId: string, timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

const MESSAGE_ID = /^message-id:\s*(<[^>\r\n]+>)/imu;

/**
 * A local SMTP server that accepts every message as soon as its data has arrived, recording the
 * time; it parses nothing but the Message-ID, so its own work does not count in the latency.
 */
export async function startSmtpSink(): Promise<SmtpSink> {
  const accepted = new Map<string, number>();
  const waiters = new Map<string, (at: number) => void>();
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (chunk: Buffer) => {
        if (head.length < 16_384) head += chunk.toString('latin1');
      });
      stream.once('end', () => {
        const at = performance.now();
        const end = head.search(/\r?\n\r?\n/u);
        const id = MESSAGE_ID.exec(end < 0 ? head : head.slice(0, end))?.[1];
        callback(null, 'accepted');
        if (id === undefined) return;
        accepted.set(id, at);
        waiters.get(id)?.(at);
        waiters.delete(id);
      });
    },
  });
  server.on('error', () => {
    // A client dropping its connection is not the sink's concern.
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('the SMTP sink has no TCP address');

  return {
    url: `smtp://127.0.0.1:${address.port}`,
    acceptedAt(messageId, timeoutMs = 30_000) {
      const at = accepted.get(messageId);
      if (at !== undefined) return Promise.resolve(at);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(messageId);
          reject(new Error(`no message ${messageId} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.set(messageId, (when) => {
          clearTimeout(timer);
          resolve(when);
        });
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
