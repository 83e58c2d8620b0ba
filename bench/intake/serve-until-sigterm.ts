import type { Express } from 'express';

/** Listens on loopback; on SIGTERM (the harness's stop) closes the server, then `close`, then exits. */
export function serveUntilSigterm(app: Express, port: number, close: () => Promise<unknown>): void {
  const server = app.listen(port, '127.0.0.1');
  process.once('SIGTERM', () => {
    server.close();
    server.closeIdleConnections();
    void close().finally(() => process.exit(0));
  });
}
