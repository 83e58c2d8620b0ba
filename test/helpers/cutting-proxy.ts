import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CuttingProxy {
  url: string;
  /** Resolves once the cut was made: the matching request's first body bytes reached the proxy. */
  cut: Promise<void>;
  close(): Promise<void>;
}

/**
 * An HTTP proxy on 127.0.0.1 (port 0) in front of `upstream`. The first request that `matches`
 * is cut in the middle of its body: when its first bytes arrive, `onCut` runs (a test stops the
 * server there) and the request and its connection are dropped. Everything else passes through.
 */
export async function startCuttingProxy(upstream: string, matches: (req: IncomingMessage) => boolean, onCut: () => Promise<void>): Promise<CuttingProxy> {
  const target = new URL(upstream);
  let armed = true;
  let markCut: () => void = () => undefined;
  const cut = new Promise<void>((resolve) => {
    markCut = resolve;
  });
  const server: Server = createServer((req, res) => {
    const cutThis = armed && matches(req);
    if (cutThis) armed = false;
    const forward = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => {
      // The upstream is away (the test stopped it): the client sees its connection dropped.
      res.socket?.destroy();
    });
    if (!cutThis) {
      req.pipe(forward);
      return;
    }
    req.once('data', (chunk: Buffer) => {
      forward.write(chunk);
      void onCut().then(() => {
        forward.destroy();
        res.socket?.destroy();
        markCut();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // as: a TCP server's address is an AddressInfo
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    cut,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
