import type { ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { Route } from './harness.js';

/**
 * Routes that serve hostile report files, generated on the fly with backpressure so the serving
 * side never holds more than one chunk: whatever memory a test measures is the service's.
 */

export interface Served {
  /** Bytes written to the socket so far. */
  bytes: number;
  /** True once the client went away before the file ended. */
  cutOff: boolean;
}

const HEADER = 'resourceType,resourceId,resourceName,deviceCount\n';
const ROW = 'organization,5f1a2b3c4d5e6f7a8b9c0d01,Acme Water,120\n';

/** Writes `next()` chunks until it returns null or the client leaves; waits on 'drain' in between. */
function pump(res: ServerResponse, served: Served, next: () => Buffer | null): void {
  res.on('close', () => {
    if (!res.writableFinished) served.cutOff = true;
  });
  const write = (): void => {
    for (;;) {
      if (res.destroyed) return;
      const chunk = next();
      if (chunk === null) {
        res.end();
        return;
      }
      served.bytes += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', write);
        return;
      }
    }
  };
  write();
}

/** A chunk of whole CSV rows, about `size` bytes. */
function rows(size: number): Buffer {
  return Buffer.from(ROW.repeat(Math.max(1, Math.floor(size / ROW.length))));
}

/** A valid CSV of `totalBytes` (or endless), with or without an honest Content-Length. */
export function bigCsv(served: Served, options: { totalBytes?: number; announce?: boolean } = {}): Route {
  return (_req, res) => {
    const chunk = rows(64 * 1024);
    const total = options.totalBytes ?? Number.POSITIVE_INFINITY;
    const headers: Record<string, string | number> = { 'content-type': 'text/csv' };
    if (options.announce && Number.isFinite(total)) headers['content-length'] = total;
    res.writeHead(200, headers);
    let sent = 0;
    pump(res, served, () => {
      if (sent >= total) return null;
      const piece = sent === 0 ? Buffer.concat([Buffer.from(HEADER), chunk]) : chunk;
      const cut = piece.subarray(0, Math.min(piece.length, total - sent));
      sent += cut.length;
      return cut;
    });
  };
}

const BOMB_MEMBER_DECODED = 8 * 1024 * 1024;
/** One gzip member of 8 MiB of zeros (about 8 KB); members concatenate into one valid gzip stream. */
const BOMB_MEMBER = gzipSync(Buffer.alloc(BOMB_MEMBER_DECODED), { level: 9 });

/** What the bomb bytes sent so far decode to. */
export function bombDecodedBytes(served: Served): number {
  return Math.floor(served.bytes / BOMB_MEMBER.length) * BOMB_MEMBER_DECODED;
}

/** A gzip stream that decodes to `members` × 8 MiB, as Content-Encoding or as a .gz file. */
export function gzipBomb(served: Served, options: { members: number; as: 'content-encoding' | 'file' }): Route {
  return (_req, res) => {
    res.writeHead(200, options.as === 'content-encoding' ? { 'content-type': 'text/csv', 'content-encoding': 'gzip' } : { 'content-type': 'application/gzip' });
    let left = options.members;
    pump(res, served, () => (left-- > 0 ? BOMB_MEMBER : null));
  };
}

/** Headers at once, then one byte every `intervalMs`, forever. */
export function trickle(served: Served, intervalMs: number): Route {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/csv' });
    const timer = setInterval(() => {
      served.bytes += 1;
      res.write('r');
    }, intervalMs);
    res.on('close', () => {
      clearInterval(timer);
      served.cutOff = true;
    });
  };
}

/** Accepts the request and never answers. */
export function silence(served: Served): Route {
  return (_req, res) => {
    res.on('close', () => {
      served.cutOff = true;
    });
  };
}

/** A CSV whose one data row has a field of `fieldBytes` (unquoted). */
export function hugeField(served: Served, fieldBytes: number): Route {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/csv' });
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let left = fieldBytes;
    let stage = 0;
    pump(res, served, () => {
      if (stage === 0) {
        stage = 1;
        return Buffer.from(`${HEADER}organization,o1,`);
      }
      if (left > 0) {
        const piece = chunk.subarray(0, Math.min(chunk.length, left));
        left -= piece.length;
        return piece;
      }
      if (stage === 1) {
        stage = 2;
        return Buffer.from(',3\n');
      }
      return null;
    });
  };
}

/** A CSV with `columns` columns: the header, then `rowCount` rows of numbers. */
export function wideCsv(served: Served, columns: number, rowCount: number): Route {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/csv' });
    const header = Buffer.from(`${Array.from({ length: columns }, (_, i) => `c${i}`).join(',')}\n`);
    const row = Buffer.from(`${'1,'.repeat(columns - 1)}1\n`);
    let written = -1;
    pump(res, served, () => {
      written += 1;
      if (written === 0) return header;
      return written <= rowCount ? row : null;
    });
  };
}

export function served(): Served {
  return { bytes: 0, cutOff: false };
}
