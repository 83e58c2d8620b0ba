import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createConnection, createServer as createNetServer, type AddressInfo, type LookupFunction, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAddressPolicy, type AddressPolicy } from '../../src/download/address-policy.js';
import { createGuardedConnector, createGuardedLookup } from '../../src/download/guarded-connector.js';
import { createDownloader, DownloadError, type Downloader, type DownloaderOptions } from '../../src/download/index.js';

/*
 * Traffic in this file goes to loopback only. Private and metadata addresses (10.0.0.5,
 * 169.254.169.254, 192.168.1.1) appear only as answers of a stub resolver, and the tests assert
 * that the guard refuses them before a socket is opened. Trap servers on loopback count every
 * connection, so a guard that let a loopback address through would be seen.
 */

interface Trap {
  server: Server;
  host: string;
  port: number;
  connections: number;
  /** Connections the test made itself to prove the trap was listening; not counted as leaks. */
  markers: number;
}

async function startTrap(host: string): Promise<Trap | undefined> {
  const trap = { connections: 0, markers: 0, host } as Trap;
  trap.server = createNetServer((socket) => {
    trap.connections += 1;
    socket.destroy();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      trap.server.once('error', reject);
      trap.server.listen(0, host, resolve);
    });
  } catch {
    return undefined; // no IPv6 loopback on this machine
  }
  trap.port = (trap.server.address() as AddressInfo).port;
  return trap;
}

interface LookupCall {
  hostname: string;
  all: boolean;
}

/** A resolver answering from a table (the same name may answer differently each time), recording every question. */
function stubResolver(table: Record<string, string[]>): { lookup: LookupFunction; calls: LookupCall[] } {
  const calls: LookupCall[] = [];
  const served = new Map<string, number>();
  const lookup: LookupFunction = (hostname, options, callback) => {
    calls.push({ hostname, all: options.all === true });
    const answers = table[hostname];
    if (answers === undefined) {
      const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
      process.nextTick(() => callback(error, ''));
      return;
    }
    const round = served.get(hostname) ?? 0;
    served.set(hostname, round + 1);
    // A name with several answers gives them in turn, one per lookup, to model DNS rebinding.
    const address = answers[Math.min(round, answers.length - 1)]!;
    const family = address.includes(':') ? 6 : 4;
    process.nextTick(() => {
      if (options.all === true) callback(null, [{ address, family }]);
      else callback(null, address, family);
    });
  };
  return { lookup, calls };
}

let trap4: Trap;
let trap6: Trap | undefined;
let dir: string;
let counter = 0;
const downloaders: Downloader[] = [];

const destination = (): string => join(dir, `file-${++counter}.csv`);
const trapConnections = (): number => trap4.connections - trap4.markers + (trap6 === undefined ? 0 : trap6.connections - trap6.markers);

/**
 * A positive signal instead of a sleep: connects to each trap and waits until the trap has
 * accepted that connection. A connection the downloader started before it settled is accepted
 * first, so once the marker has arrived, the count is final.
 */
async function settleTraps(): Promise<void> {
  for (const trap of [trap4, trap6]) {
    if (trap === undefined) continue;
    const target = trap.connections + 1;
    trap.markers += 1;
    const socket = createConnection(trap.port, trap.host);
    socket.on('error', () => undefined);
    const deadline = Date.now() + 60_000;
    while (trap.connections < target) {
      if (Date.now() > deadline) throw new Error(`the trap on ${trap.host} never accepted the marker connection`);
      await sleep(5);
    }
    socket.destroy();
  }
}

function strictDownloader(overrides: Partial<DownloaderOptions> = {}): Downloader {
  const instance = createDownloader({
    allowedHosts: [
      '127.0.0.1',
      'localhost',
      '::1',
      '::ffff:127.0.0.1',
      '0.0.0.0',
      '169.254.169.254',
      'allowed.example',
      'rebind.example',
      'internal.example',
      'metadata.example',
      'router.example',
      'six.example',
    ],
    allowedPorts: '*',
    allowPrivateNetworks: false,
    maxBytes: 1024 * 1024,
    connectTimeoutMs: 1_000,
    idleTimeoutMs: 2_000,
    totalTimeoutMs: 5_000,
    retries: 0,
    ...overrides,
  });
  downloaders.push(instance);
  return instance;
}

async function expectRefusal(promise: Promise<unknown>, code = 'download_private_address'): Promise<DownloadError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DownloadError, `expected a DownloadError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.equal(error.retryable, false);
    return error;
  }
  assert.fail('the download was not refused');
}

before(async () => {
  const v4 = await startTrap('127.0.0.1');
  assert.ok(v4 !== undefined);
  trap4 = v4;
  trap6 = await startTrap('::1');
  dir = await mkdtemp(join(tmpdir(), 'download-ssrf-'));
});

after(async () => {
  await Promise.all(downloaders.map((instance) => instance.close()));
  // Any late connection attempt lands before the marker does.
  await settleTraps();
  assert.equal(trapConnections(), 0, 'no connection ever reached a trap');
  await new Promise((resolve) => trap4.server.close(resolve));
  if (trap6 !== undefined) await new Promise((resolve) => trap6!.server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('literal private addresses are refused before any connection', () => {
  const cases: Array<[string, () => string]> = [
    ['127.0.0.1', () => `http://127.0.0.1:${trap4.port}/`],
    ['[::1]', () => `http://[::1]:${trap6?.port ?? trap4.port}/`],
    ['[::ffff:127.0.0.1]', () => `http://[::ffff:127.0.0.1]:${trap4.port}/`],
    ['decimal 2130706433', () => `http://2130706433:${trap4.port}/`],
    ['octal 0177.0.0.1', () => `http://0177.0.0.1:${trap4.port}/`],
    ['hex 0x7f000001', () => `http://0x7f000001:${trap4.port}/`],
    ['short 127.1', () => `http://127.1:${trap4.port}/`],
    ['0.0.0.0', () => `http://0.0.0.0:${trap4.port}/`],
  ];
  for (const [name, url] of cases) {
    test(`${name} is refused and the trap sees no connection`, async () => {
      const { lookup, calls } = stubResolver({});
      const path = destination();
      const before = trapConnections();
      const error = await expectRefusal(strictDownloader({ lookup }).download(url(), path));
      assert.match(error.message, /DOWNLOAD_ALLOW_PRIVATE_NETWORKS/u);
      await settleTraps();
      assert.equal(trapConnections(), before);
      assert.deepEqual(calls, [], 'an IP literal is never resolved');
      assert.equal(existsSync(`${path}.part`), false);
    });
  }

  test('localhost, resolved by the system resolver, is refused at connect', async () => {
    const before = trapConnections();
    const error = await expectRefusal(strictDownloader().download(`http://localhost:${trap4.port}/`, destination()));
    assert.match(error.message, /"localhost"/u);
    await settleTraps();
    assert.equal(trapConnections(), before);
  });
});

describe('allowed host names that resolve to private addresses are refused at connect', () => {
  const table = {
    'internal.example': ['10.0.0.5'],
    'metadata.example': ['169.254.169.254'],
    'router.example': ['192.168.1.1'],
    'six.example': ['::1'],
  };
  for (const [hostname, [address]] of Object.entries(table)) {
    test(`${hostname} resolving to ${address} is refused after the lookup and before a socket`, async () => {
      const { lookup, calls } = stubResolver(table);
      const port = hostname === 'six.example' ? (trap6?.port ?? trap4.port) : trap4.port;
      const before = trapConnections();
      const error = await expectRefusal(strictDownloader({ lookup }).download(`http://${hostname}:${port}/report.csv`, destination()));
      assert.ok(error.message.includes(address!), error.message);
      assert.deepEqual(
        calls.map((call) => call.hostname),
        [hostname],
      );
      await settleTraps();
      assert.equal(trapConnections(), before);
    });
  }
});

describe('a public-looking allowed host (stub-resolved to one allowed loopback address)', () => {
  type Handler = (req: IncomingMessage, res: ServerResponse) => void;
  const routes = new Map<string, Handler>();
  const site = { connections: 0, requests: 0, port: 0 };
  const server = createHttpServer((req, res) => {
    site.requests += 1;
    const handler = routes.get((req.url ?? '/').split('?')[0] ?? '/');
    if (handler === undefined) res.writeHead(404).end();
    else handler(req, res);
  });
  server.on('connection', () => {
    site.connections += 1;
  });

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    site.port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  function siteDownloader(table: Record<string, string[]>): { downloader: Downloader; calls: LookupCall[] } {
    const { lookup, calls } = stubResolver({ 'allowed.example': ['127.0.0.1'], ...table });
    // Only 127.0.0.1 is let through; every other private address stays refused.
    const downloader = strictDownloader({ lookup, allowedPrivateAddresses: ['127.0.0.1'] });
    return { downloader, calls };
  }

  function reset(): void {
    site.connections = 0;
    site.requests = 0;
  }

  test('serves a file (the exemption works for that one address)', async () => {
    routes.set('/ok.csv', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' }).end('fine\n');
    });
    const { downloader } = siteDownloader({});
    const path = destination();
    const result = await downloader.download(`http://allowed.example:${site.port}/ok.csv`, path);
    assert.equal(result.finalHost, 'allowed.example');
    assert.equal(await readFile(path, 'utf8'), 'fine\n');
  });

  test('a redirect to a name resolving to a private address is refused before the second connection', async () => {
    reset();
    routes.set('/to-internal', (_req, res) => {
      res.writeHead(302, { location: `http://internal.example:${site.port}/secrets` }).end();
    });
    const { downloader, calls } = siteDownloader({ 'internal.example': ['10.0.0.5'] });
    const error = await expectRefusal(downloader.download(`http://allowed.example:${site.port}/to-internal`, destination()));
    assert.match(error.message, /10\.0\.0\.5 is a private network address/u);
    assert.deepEqual(
      calls.map((call) => call.hostname),
      ['allowed.example', 'internal.example'],
    );
    assert.equal(site.connections, 1);
    assert.equal(site.requests, 1);
  });

  test('a redirect to a literal metadata address is refused before any lookup or connection', async () => {
    reset();
    routes.set('/to-metadata', (_req, res) => {
      res.writeHead(301, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    });
    const { downloader, calls } = siteDownloader({});
    const error = await expectRefusal(downloader.download(`http://allowed.example:${site.port}/to-metadata`, destination()));
    assert.match(error.message, /169\.254\.169\.254 is a link-local address/u);
    assert.deepEqual(
      calls.map((call) => call.hostname),
      ['allowed.example'],
    );
    assert.equal(site.requests, 1);
  });

  test('a redirect to another loopback address in an IPv6 disguise is refused', async () => {
    routes.set('/to-mapped', (_req, res) => {
      res.writeHead(307, { location: `http://[::ffff:127.0.0.2]:${trap4.port}/` }).end();
    });
    const { downloader } = siteDownloader({});
    const error = await expectRefusal(downloader.download(`http://allowed.example:${site.port}/to-mapped`, destination()), 'download_host_not_allowed');
    // Not on the allowlist either; with it listed, the address rule refuses it.
    assert.match(error.message, /::ffff:7f00:2/u);
    const listed = createDownloader({
      allowedHosts: ['allowed.example', '::ffff:127.0.0.2'],
      allowedPorts: '*',
      allowPrivateNetworks: false,
      allowedPrivateAddresses: ['127.0.0.1'],
      lookup: stubResolver({ 'allowed.example': ['127.0.0.1'] }).lookup,
      maxBytes: 1024,
      connectTimeoutMs: 1_000,
      idleTimeoutMs: 1_000,
      totalTimeoutMs: 5_000,
      retries: 0,
    });
    downloaders.push(listed);
    const refused = await expectRefusal(listed.download(`http://allowed.example:${site.port}/to-mapped`, destination()));
    assert.match(refused.message, /carries 127\.0\.0\.2 \(ipv4-mapped\)/u);
  });

  test('DNS rebinding: a name that answers loopback, then a private address, is refused on the new connection', async () => {
    reset();
    routes.set('/rebind', (_req, res) => {
      // Connection: close forces the next request onto a new connection, hence a new lookup.
      res.writeHead(302, { location: '/after', connection: 'close' }).end();
    });
    routes.set('/after', (_req, res) => {
      res.writeHead(200).end('should never be served\n');
    });
    const { lookup, calls } = stubResolver({ 'rebind.example': ['127.0.0.1', '192.168.1.1'] });
    const downloader = strictDownloader({ lookup, allowedPrivateAddresses: ['127.0.0.1'] });
    const error = await expectRefusal(downloader.download(`http://rebind.example:${site.port}/rebind`, destination()));
    assert.match(error.message, /192\.168\.1\.1/u);
    assert.deepEqual(
      calls.map((call) => call.hostname),
      ['rebind.example', 'rebind.example'],
    );
    assert.equal(site.requests, 1);
  });
});

describe('the guarded connector and lookup on their own', () => {
  const strict = createAddressPolicy({ allowPrivateNetworks: false });

  function connect(policy: AddressPolicy, hostname: string, port: number): Promise<Error | null> {
    const connector = createGuardedConnector({ addressPolicy: policy, connectTimeoutMs: 1_000 });
    return new Promise((resolve) => {
      connector({ hostname, host: `${hostname}:${port}`, protocol: 'http:', port: String(port) }, (error, socket) => {
        socket?.destroy();
        resolve(error);
      });
    });
  }

  test('an IP literal is judged before the socket is created', async () => {
    const before = trapConnections();
    const error = await connect(strict, '127.0.0.1', trap4.port);
    assert.ok(error instanceof DownloadError);
    assert.equal(error.code, 'download_private_address');
    await settleTraps();
    assert.equal(trapConnections(), before);
  });

  test('a socket whose remote address the policy refuses is closed and reported', async () => {
    // A policy that lets the pre-connect check pass and refuses the connected socket: the
    // last line of defence, for a path that reached a socket without the earlier checks.
    let checks = 0;
    const flaky: AddressPolicy = {
      check: (address) => (++checks === 1 ? { allowed: true } : { allowed: false, reason: `${address} refused after connect` }),
    };
    const canary = await startTrap('127.0.0.1');
    assert.ok(canary !== undefined);
    try {
      const error = await connect(flaky, '127.0.0.1', canary.port);
      assert.ok(error instanceof DownloadError);
      assert.match(error.message, /refused after connect/u);
      assert.equal(checks, 2);
    } finally {
      await new Promise((resolve) => canary.server.close(resolve));
    }
  });

  test('a lookup answer with any refused address fails the lookup, in both callback shapes', async () => {
    const resolver: LookupFunction = (_hostname, options, callback) => {
      const answers: LookupAddress[] = [
        { address: '93.184.215.14', family: 4 },
        { address: '10.0.0.5', family: 4 },
      ];
      if (options.all === true) callback(null, answers);
      else callback(null, '10.0.0.5', 4);
    };
    const guarded = createGuardedLookup(strict, resolver);
    for (const all of [true, false]) {
      const error = await new Promise<Error | null>((resolve) => guarded('mixed.example', { all }, (err) => resolve(err)));
      assert.ok(error instanceof DownloadError, `all: ${all}`);
      assert.match(error.message, /"mixed\.example": 10\.0\.0\.5 is a private network address/u);
    }
  });

  test('a lookup answer of public addresses passes through unchanged', async () => {
    const answers: LookupAddress[] = [
      { address: '93.184.215.14', family: 4 },
      { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
    ];
    const resolver: LookupFunction = (_hostname, _options, callback) => callback(null, answers);
    const guarded = createGuardedLookup(strict, resolver);
    const result = await new Promise<{ error: Error | null; address: unknown }>((resolve) =>
      guarded('public.example', { all: true }, (error, address) => resolve({ error, address })),
    );
    assert.equal(result.error, null);
    assert.deepEqual(result.address, answers);
  });
});
