import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';

export interface FileServer {
  /** The URL at which `path` is served (it must be one of the files given). */
  urlOf(path: string): string;
  close(): Promise<void>;
}

/**
 * Serves fixed files over loopback HTTP, as a storage bucket would: GET /<index>.csv with
 * Content-Length and text/csv, streamed from disk.
 */
export async function startFileServer(files: readonly string[]): Promise<FileServer> {
  const server = createServer((req, res) => {
    const index = Number(/^\/(\d+)\.csv$/u.exec(req.url ?? '')?.[1] ?? Number.NaN);
    const file = files[index];
    if (req.method !== 'GET' || file === undefined) {
      res.writeHead(404).end();
      return;
    }
    stat(file)
      .then(async ({ size }) => {
        res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-length': size });
        await pipeline(createReadStream(file), res);
      })
      .catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    urlOf(path) {
      const index = files.indexOf(path);
      if (index < 0) throw new Error(`${path} is not served`);
      return `http://127.0.0.1:${port}/${index}.csv`;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
