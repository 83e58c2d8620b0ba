import { once } from 'node:events';
import { createServer, connect, type Socket } from 'node:net';

export interface TcpRelay {
  /** http://127.0.0.1:<port>, to use in place of the server's own address. */
  url: string;
  /** Client connections opened through the relay so far. */
  readonly opened: number;
  /** Client connections still open. */
  readonly open: number;
  /**
   * Resolves once every client connection is closed (by the client: the relay never closes one);
   * rejects, naming how many are left, when that takes longer than `limitMs`.
   */
  allClosed(limitMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A TCP relay on 127.0.0.1 (port 0) in front of a server on `targetPort`, which keeps each client
 * connection open until the client closes it, as a store with a long keep-alive would: when the
 * server drops its side (an idle timeout), the relay opens a new one for the client's next bytes.
 * A test sees through it whether a client lets its sockets go.
 */
export async function startTcpRelay(targetPort: number): Promise<TcpRelay> {
  const clients = new Set<Socket>();
  let opened = 0;
  const waiting: Array<() => void> = [];
  const server = createServer((client) => {
    opened += 1;
    clients.add(client);
    let upstream: Socket | null = null;
    const toServer = (): Socket => {
      if (upstream && !upstream.destroyed) return upstream;
      const next = connect(targetPort, '127.0.0.1');
      next.on('data', (chunk: Buffer) => client.write(chunk));
      next.on('error', () => next.destroy());
      upstream = next;
      return next;
    };
    client.on('data', (chunk: Buffer) => toServer().write(chunk));
    client.on('error', () => client.destroy());
    client.on('close', () => {
      upstream?.destroy();
      clients.delete(client);
      if (clients.size === 0) for (const resolve of waiting.splice(0)) resolve();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the relay has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    get opened() {
      return opened;
    },
    get open() {
      return clients.size;
    },
    allClosed: (limitMs) =>
      clients.size === 0
        ? Promise.resolve()
        : new Promise((resolve, reject) => {
            const limit = setTimeout(() => reject(new Error(`${clients.size} of ${opened} connections still open after ${limitMs} ms`)), limitMs);
            waiting.push(() => {
              clearTimeout(limit);
              resolve();
            });
          }),
    async close() {
      for (const client of clients) client.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
