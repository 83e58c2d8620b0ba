import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback HTTP server that serves one CSV (as Losant's download links do) and counts the
 * requests. `stallNext()` makes the next download send its headers and the first line, then
 * hang until the connection is cut or `release()` is called: a worker can be killed mid-download.
 */
export interface CsvServer {
  readonly url: string;
  readonly requests: number;
  stallNext(): void;
  /** Resolves when the `n`th request (1-based) has started. */
  waitForRequest(n: number, timeoutMs?: number): Promise<void>;
  /** Finishes any stalled download. */
  release(): void;
  close(): Promise<void>;
}

export async function startCsvServer(csv: Buffer): Promise<CsvServer> {
  let requests = 0;
  let stall = false;
  const stalled = new Set<ServerResponse>();
  const waiters: Array<{ n: number; resolve: () => void }> = [];

  const finish = (res: ServerResponse) => {
    if (!res.writableEnded && !res.destroyed) res.end(csv.subarray(csv.indexOf(0x0a) + 1));
  };

  const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
    requests += 1;
    for (const waiter of waiters.filter((entry) => entry.n <= requests)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    res.writeHead(200, { 'Content-Type': 'text/csv; charset=utf-8' });
    if (!stall) {
      res.end(csv);
      return;
    }
    stall = false;
    res.write(csv.subarray(0, csv.indexOf(0x0a) + 1));
    stalled.add(res);
    res.once('close', () => stalled.delete(res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/downloads/report.csv`,
    get requests() {
      return requests;
    },
    stallNext() {
      stall = true;
    },
    waitForRequest(n, timeoutMs = 15_000) {
      if (requests >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`download request ${n} did not come within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    release() {
      for (const res of stalled) finish(res);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
