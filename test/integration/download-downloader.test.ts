import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { createLogger } from '../../src/log.js';
import { createDownloader, DownloadError, type Downloader, type DownloaderOptions } from '../../src/download/index.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface TestServer {
  port: number;
  base: string;
  routes: Map<string, Handler>;
  hits: Map<string, number>;
  connections: number;
  close(): Promise<void>;
}

async function startServer(): Promise<TestServer> {
  const routes = new Map<string, Handler>();
  const hits = new Map<string, number>();
  const state = { connections: 0 };
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const handler = routes.get(path);
    if (handler === undefined) {
      res.writeHead(404).end('no such route');
      return;
    }
    handler(req, res);
  });
  server.on('connection', () => {
    state.connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    base: `http://127.0.0.1:${port}`,
    routes,
    hits,
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function drainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.once('drain', done).once('close', done);
  });
}

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

let server: TestServer;
let dir: string;
const downloaders: Downloader[] = [];
let fileCounter = 0;

function downloader(overrides: Partial<DownloaderOptions> = {}): Downloader {
  const instance = createDownloader({
    allowedHosts: ['127.0.0.1', 'localhost', 'slow.example'],
    allowedPorts: '*',
    allowPrivateNetworks: true,
    maxBytes: 10 * 1024 * 1024,
    connectTimeoutMs: 2_000,
    idleTimeoutMs: 2_000,
    totalTimeoutMs: 10_000,
    retryBaseDelayMs: 10,
    ...overrides,
  });
  downloaders.push(instance);
  return instance;
}

const destination = (): string => join(dir, `file-${++fileCounter}.csv`);

async function expectFailure(promise: Promise<unknown>): Promise<DownloadError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DownloadError, `expected a DownloadError, got ${String(error)}`);
    return error;
  }
  assert.fail('the download did not fail');
}

function assertNoFiles(path: string): void {
  assert.equal(existsSync(path), false, 'no destination file');
  assert.equal(existsSync(`${path}.part`), false, 'no .part file');
}

before(async () => {
  server = await startServer();
  dir = await mkdtemp(join(tmpdir(), 'download-test-'));
});

after(async () => {
  await Promise.all(downloaders.map((instance) => instance.close()));
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('successful downloads', () => {
  test('a CSV is written to the destination with its sha256, type and host', async () => {
    const csv = 'organization,devices\nacme,12\nglobex,7\n';
    server.routes.set('/report.csv', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' }).end(csv);
    });
    const path = destination();
    const result = await downloader().download(`${server.base}/report.csv?X-Amz-Signature=abc`, path);
    assert.equal(await readFile(path, 'utf8'), csv);
    assert.deepEqual(result, {
      bytes: Buffer.byteLength(csv),
      sha256: sha256(csv),
      contentType: 'text/csv; charset=utf-8',
      finalHost: '127.0.0.1',
      attempts: 1,
    });
    assert.equal(existsSync(`${path}.part`), false);
  });

  test('a multi-megabyte body is streamed to the .part file while it still arrives', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const firstHalf = 48; // 3 MiB
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    server.routes.set('/big.csv', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      void (async () => {
        for (let i = 0; i < firstHalf * 2; i++) {
          if (i === firstHalf) await released;
          if (!res.write(chunk)) await drainOrClose(res);
        }
        res.end();
      })();
    });
    const path = destination();
    const pending = downloader().download(`${server.base}/big.csv`, path);
    // The server holds back the second half until the first is on disk: a downloader that
    // buffered the body in memory would never get there.
    for (let waited = 0; ; waited += 20) {
      const size = await stat(`${path}.part`).then(
        (s) => s.size,
        () => 0,
      );
      if (size >= 2 * 1024 * 1024) break;
      assert.ok(waited < 5_000, 'the .part file grows before the body is complete');
      await sleep(20);
    }
    assert.equal(existsSync(path), false, 'not renamed before the end');
    release();
    const result = await pending;
    const expected = createHash('sha256');
    for (let i = 0; i < firstHalf * 2; i++) expected.update(chunk);
    assert.equal(result.bytes, chunk.length * firstHalf * 2);
    assert.equal(result.sha256, expected.digest('hex'));
    assert.equal((await stat(path)).size, result.bytes);
  });

  for (const [coding, encode] of [
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ] as const) {
    test(`a body sent with Content-Encoding: ${coding} is decoded, and the hash is of the decoded bytes`, async () => {
      const csv = 'a,b\n'.repeat(10_000);
      server.routes.set(`/encoded-${coding}`, (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/csv', 'content-encoding': coding }).end(encode(Buffer.from(csv)));
      });
      const path = destination();
      const result = await downloader().download(`${server.base}/encoded-${coding}`, path);
      assert.equal(await readFile(path, 'utf8'), csv);
      assert.equal(result.bytes, csv.length);
      assert.equal(result.sha256, sha256(csv));
    });
  }

  test('onBytes is told every decoded chunk written: they add up to the file', async () => {
    const csv = 'a,b\n'.repeat(50_000);
    server.routes.set('/progress.csv', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv', 'content-encoding': 'gzip' }).end(gzipSync(Buffer.from(csv)));
    });
    const chunks: number[] = [];
    const result = await downloader().download(`${server.base}/progress.csv`, destination(), { onBytes: (bytes) => chunks.push(bytes) });
    assert.ok(chunks.length > 1, 'told along the way, not once at the end');
    assert.equal(
      chunks.reduce((sum, bytes) => sum + bytes, 0),
      result.bytes,
    );
  });

  test('a .gz file and an application/gzip body are gunzipped by their magic bytes', async () => {
    const csv = 'x,y\n1,2\n';
    server.routes.set('/report.csv.gz', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(gzipSync(csv));
    });
    server.routes.set('/download', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/gzip' }).end(gzipSync(csv));
    });
    for (const route of ['/report.csv.gz', '/download']) {
      const path = destination();
      const result = await downloader().download(`${server.base}${route}`, path);
      assert.equal(await readFile(path, 'utf8'), csv, route);
      assert.equal(result.sha256, sha256(csv));
    }
  });

  test('a .gz path whose body is not gzip is kept as sent', async () => {
    server.routes.set('/plain.gz', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' }).end('not,gzip\n');
    });
    const path = destination();
    await downloader().download(`${server.base}/plain.gz`, path);
    assert.equal(await readFile(path, 'utf8'), 'not,gzip\n');
  });

  test('a body that keeps trickling within the idle timeout succeeds', async () => {
    server.routes.set('/trickle-10', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      let sent = 0;
      const timer = setInterval(() => {
        res.write('x');
        if (++sent === 10) {
          clearInterval(timer);
          res.end();
        }
      }, 100);
      res.on('close', () => clearInterval(timer));
    });
    const path = destination();
    const result = await downloader({ idleTimeoutMs: 400, totalTimeoutMs: 5_000 }).download(`${server.base}/trickle-10`, path);
    assert.equal(result.bytes, 10);
  });

  test('redirects to an allowed host are followed, relative and absolute', async () => {
    server.routes.set('/start', (_req, res) => {
      res.writeHead(302, { location: '/middle?sig=1' }).end();
    });
    server.routes.set('/middle', (_req, res) => {
      res.writeHead(307, { location: `http://localhost:${server.port}/final.csv` }).end();
    });
    server.routes.set('/final.csv', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' }).end('done\n');
    });
    const path = destination();
    const result = await downloader().download(`${server.base}/start`, path);
    assert.equal(await readFile(path, 'utf8'), 'done\n');
    assert.equal(result.finalHost, 'localhost');
    assert.equal(result.attempts, 1);
  });
});

describe('size limits', () => {
  test('a gzip bomb is stopped at the decoded cap and leaves no file', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024));
    assert.ok(bomb.length < 100 * 1024);
    server.routes.set('/bomb', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv', 'content-encoding': 'gzip', 'content-length': bomb.length }).end(bomb);
    });
    server.routes.set('/bomb.csv.gz', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/gzip' }).end(bomb);
    });
    for (const route of ['/bomb', '/bomb.csv.gz']) {
      const path = destination();
      const error = await expectFailure(downloader({ maxBytes: 5 * 1024 * 1024 }).download(`${server.base}${route}`, path));
      assert.equal(error.code, 'download_too_large', route);
      assert.equal(error.retryable, false);
      assert.equal(error.attempts, 1, 'not retried');
      assertNoFiles(path);
    }
  });

  test('a Content-Length above the cap is refused before the body is read', async () => {
    let serverSawClose = false;
    server.routes.set('/huge', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv', 'content-length': 20 * 1024 * 1024 });
      res.write(Buffer.alloc(1024, 'a'));
      res.on('close', () => {
        serverSawClose = true;
      });
      // ...and never sends the rest: a downloader that read on would hang until a timeout.
    });
    const path = destination();
    // The idle and total timeouts are far away: a downloader that read on would fail with download_timeout, not too_large.
    const error = await expectFailure(
      downloader({ maxBytes: 1024 * 1024, idleTimeoutMs: 60_000, totalTimeoutMs: 120_000 }).download(`${server.base}/huge`, path),
    );
    assert.equal(error.code, 'download_too_large');
    assert.equal(error.retryable, false);
    assert.match(error.message, /announced 20971520 bytes/u);
    assertNoFiles(path);
    for (let i = 0; i < 3_000 && !serverSawClose; i++) await sleep(20);
    assert.equal(serverSawClose, true, 'the connection was closed');
  });

  test('a body without Content-Length that passes the cap is refused and removed', async () => {
    server.routes.set('/chunked-big', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      const chunk = Buffer.alloc(64 * 1024, 'b');
      void (async () => {
        for (let i = 0; i < 48 && !res.destroyed; i++) {
          if (!res.write(chunk)) await drainOrClose(res);
        }
        res.end();
      })();
    });
    const path = destination();
    const error = await expectFailure(downloader({ maxBytes: 1024 * 1024 }).download(`${server.base}/chunked-big`, path));
    assert.equal(error.code, 'download_too_large');
    assertNoFiles(path);
  });
});

describe('timeouts', () => {
  test('a body that trickles forever fails on the total timeout even though bytes keep coming', async () => {
    server.routes.set('/trickle-forever', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      const timer = setInterval(() => res.write('x'), 100);
      res.on('close', () => clearInterval(timer));
    });
    const path = destination();
    // The message names the total deadline, so the idle timeout (far away here) cannot be what ended it.
    const error = await expectFailure(downloader({ idleTimeoutMs: 60_000, totalTimeoutMs: 700 }).download(`${server.base}/trickle-forever`, path));
    assert.equal(error.code, 'download_timeout');
    assert.equal(error.retryable, true);
    assert.match(error.message, /within 700 ms \(DOWNLOAD_TIMEOUT_MS\)/u);
    assertNoFiles(path);
  });

  test('a body that stalls fails on the idle timeout', async () => {
    server.routes.set('/stall', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.write('a,b\n');
    });
    const path = destination();
    const error = await expectFailure(downloader({ idleTimeoutMs: 300, retries: 0 }).download(`${server.base}/stall`, path));
    assert.equal(error.code, 'download_timeout');
    assert.equal(error.retryable, true);
    assert.match(error.message, /no data for 300 ms/u);
    assertNoFiles(path);
  });

  test('a connection that cannot be established in time fails on the connect timeout', async () => {
    const path = destination();
    const error = await expectFailure(
      downloader({
        connectTimeoutMs: 200,
        retries: 0,
        // A resolver that never answers holds the connection attempt open without dialing anything.
        lookup: () => undefined,
      }).download('http://slow.example/report.csv', path),
    );
    assert.equal(error.code, 'download_timeout');
    assert.match(error.message, /200 ms/u);
  });

  test("the caller's AbortSignal cancels the download and removes the partial file", async () => {
    server.routes.set('/trickle-abort', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      const timer = setInterval(() => res.write('x'), 20);
      res.on('close', () => clearInterval(timer));
    });
    const path = destination();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const error = await expectFailure(downloader().download(`${server.base}/trickle-abort`, path, { signal: controller.signal }));
    assert.equal(error.code, 'download_aborted');
    assert.equal(error.retryable, true);
    assertNoFiles(path);
  });
});

describe('HTTP status and retries', () => {
  test('a 503 followed by a 200 is retried within the call', async () => {
    let calls = 0;
    server.routes.set('/flaky', (_req, res) => {
      calls += 1;
      if (calls === 1) res.writeHead(503).end('busy');
      else res.writeHead(200, { 'content-type': 'text/csv' }).end('ok\n');
    });
    const path = destination();
    const result = await downloader().download(`${server.base}/flaky`, path);
    assert.equal(result.attempts, 2);
    assert.equal(await readFile(path, 'utf8'), 'ok\n');
  });

  for (const status of [503, 500, 429]) {
    test(`HTTP ${status} every time ends in a transient error after the retries`, async () => {
      const route = `/always-${status}`;
      server.routes.set(route, (_req, res) => {
        res.writeHead(status).end('no');
      });
      const path = destination();
      const error = await expectFailure(downloader({ retries: 2 }).download(`${server.base}${route}`, path));
      assert.equal(error.code, 'download_unavailable');
      assert.equal(error.retryable, true);
      assert.equal(error.httpStatus, status);
      assert.equal(error.attempts, 3);
      assert.equal(server.hits.get(route), 3);
      assertNoFiles(path);
    });
  }

  for (const status of [403, 410]) {
    test(`HTTP ${status} is a permanent "expired or forbidden" error, not retried`, async () => {
      const route = `/expired-${status}`;
      server.routes.set(route, (_req, res) => {
        res.writeHead(status).end('<Error>AccessDenied</Error>');
      });
      const error = await expectFailure(downloader().download(`${server.base}${route}`, destination()));
      assert.equal(error.code, 'download_link_expired_or_forbidden');
      assert.equal(error.retryable, false);
      assert.equal(error.message, `the download link has expired or is forbidden (HTTP ${status})`);
      assert.equal(server.hits.get(route), 1);
    });
  }

  test('HTTP 404 is a permanent not-found error', async () => {
    const error = await expectFailure(downloader().download(`${server.base}/missing.csv`, destination()));
    assert.equal(error.code, 'download_not_found');
    assert.equal(error.retryable, false);
    assert.equal(error.httpStatus, 404);
    assert.equal(server.hits.get('/missing.csv'), 1);
  });

  test('another 4xx is a permanent status error', async () => {
    server.routes.set('/bad-request', (_req, res) => {
      res.writeHead(400).end();
    });
    const error = await expectFailure(downloader().download(`${server.base}/bad-request`, destination()));
    assert.equal(error.code, 'download_http_status');
    assert.equal(error.retryable, false);
    assert.equal(error.httpStatus, 400);
  });

  test('a refused connection is a transient network error, retried', async () => {
    const closed = await startServer();
    const port = closed.port;
    await closed.close();
    const error = await expectFailure(downloader({ retries: 1 }).download(`http://127.0.0.1:${port}/x`, destination()));
    assert.equal(error.code, 'download_network');
    assert.equal(error.retryable, true);
    assert.match(error.message, /ECONNREFUSED/u);
    assert.equal(error.attempts, 2);
  });

  test('a connection reset in the middle of the body is a transient network error and leaves no file', async () => {
    server.routes.set('/reset', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv', 'content-length': 100_000 });
      res.write(Buffer.alloc(10_000, 'r'), () => res.socket?.destroy());
    });
    const path = destination();
    const error = await expectFailure(downloader({ retries: 0 }).download(`${server.base}/reset`, path));
    assert.equal(error.code, 'download_network');
    assert.equal(error.retryable, true);
    assertNoFiles(path);
  });
});

describe('redirect limits', () => {
  test('a redirect chain longer than maxRedirects fails', async () => {
    server.routes.set('/loop', (req, res) => {
      const n = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('n') ?? '0');
      res.writeHead(301, { location: `/loop?n=${n + 1}` }).end();
    });
    const error = await expectFailure(downloader({ maxRedirects: 3 }).download(`${server.base}/loop`, destination()));
    assert.equal(error.code, 'download_too_many_redirects');
    assert.equal(error.retryable, false);
    assert.equal(server.hits.get('/loop'), 4);
  });

  test('a redirect to a host that is not allowed, or to another scheme, is refused', async () => {
    server.routes.set('/to-elsewhere', (_req, res) => {
      res.writeHead(302, { location: 'https://elsewhere.example/report.csv' }).end();
    });
    server.routes.set('/to-file', (_req, res) => {
      res.writeHead(302, { location: 'file:///etc/passwd' }).end();
    });
    const hostError = await expectFailure(downloader().download(`${server.base}/to-elsewhere`, destination()));
    assert.equal(hostError.code, 'download_host_not_allowed');
    assert.match(hostError.message, /elsewhere\.example/u);
    const schemeError = await expectFailure(downloader().download(`${server.base}/to-file`, destination()));
    assert.equal(schemeError.code, 'download_bad_scheme');
  });

  test('a redirect without a Location is a permanent error', async () => {
    server.routes.set('/no-location', (_req, res) => {
      res.writeHead(302).end();
    });
    const error = await expectFailure(downloader().download(`${server.base}/no-location`, destination()));
    assert.equal(error.code, 'download_bad_redirect');
  });
});

describe('bodies that cannot be decoded, files that cannot be written', () => {
  test('an unsupported Content-Encoding is a permanent error', async () => {
    server.routes.set('/zstd', (_req, res) => {
      res.writeHead(200, { 'content-encoding': 'zstd' }).end('????');
    });
    const path = destination();
    const error = await expectFailure(downloader().download(`${server.base}/zstd`, path));
    assert.equal(error.code, 'download_unsupported_encoding');
    assert.equal(error.retryable, false);
    assertNoFiles(path);
  });

  test('a corrupt gzip body is a permanent decode error and leaves no file', async () => {
    server.routes.set('/corrupt', (_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip' }).end('this is not gzip at all');
    });
    const path = destination();
    const error = await expectFailure(downloader().download(`${server.base}/corrupt`, path));
    assert.equal(error.code, 'download_decode_failed');
    assert.equal(error.retryable, false);
    assertNoFiles(path);
  });

  test('a destination that cannot be written is a transient write error', async () => {
    server.routes.set('/small', (_req, res) => {
      res.writeHead(200).end('a\n');
    });
    const blocker = join(dir, 'not-a-directory');
    await writeFile(blocker, 'x');
    const error = await expectFailure(downloader({ retries: 0 }).download(`${server.base}/small`, join(blocker, 'report.csv')));
    assert.equal(error.code, 'download_write_failed');
    assert.equal(error.retryable, true);
  });
});

describe('logging', () => {
  test('logs name scheme, host and path but never the query string', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void lines.push(line) } });
    let calls = 0;
    server.routes.set('/signed.csv', (_req, res) => {
      calls += 1;
      if (calls === 1) res.writeHead(302, { location: '/signed.csv?X-Amz-Signature=redirectsecret' }).end();
      else if (calls === 2) res.writeHead(503).end();
      else res.writeHead(200).end('a\n');
    });
    await downloader({ logger }).download(`${server.base}/signed.csv?X-Amz-Signature=supersecret`, destination());
    const text = lines.join('');
    assert.ok(lines.length >= 3, 'attempts, the redirect, the retry and the result are logged');
    assert.ok(text.includes(`http://127.0.0.1:${server.port}/signed.csv`));
    assert.ok(!text.includes('supersecret'));
    assert.ok(!text.includes('redirectsecret'));
    assert.ok(!text.includes('X-Amz-Signature'));
  });
});
