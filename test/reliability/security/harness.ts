import assert from 'node:assert/strict';
import { lookup as systemLookup } from 'node:dns';
import { rm } from 'node:fs/promises';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type LookupFunction, type Server } from 'node:net';
import request from 'supertest';
import type { Logger } from '../../../src/log.js';
import type { ServiceOverrides } from '../../../src/service.js';
import { startSimulator, type Simulator } from '../../../src/sim/index.js';
import { TEST_ADMIN_TOKEN } from '../../helpers/config.js';
import { startService, type RunningService } from '../../helpers/service.js';

/**
 * Shared pieces of the security tests. Every server here listens on loopback only; addresses off
 * this machine appear only as answers of a stub resolver and are never dialed.
 */

export const AUTH = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` } as const;
export const HEALTHY = { status: 200, body: { status: 'ok' } } as const;

export interface InjectedReport {
  id: string;
  /** The callback URL the service gave Losant, secret included. */
  callbackUrl: string;
  secret: string;
}

export interface Harness {
  sim: Simulator;
  service: RunningService;
  /** A report requested through the admin API; the simulator never calls back, so the test does. */
  newReport(body?: Record<string, unknown>): Promise<InjectedReport>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  name: string;
  env?: Record<string, string>;
  worker?: boolean;
  logger?: Logger;
  overrides?: ServiceOverrides;
}

/** A simulator that never calls back, and the whole service pointed at it. */
export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const sim = await startSimulator({ reportDelayMs: 1, faults: { noCallback: true } });
  const service = await startService({
    name: options.name,
    ...(options.worker === false ? { worker: false } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.overrides ? { overrides: options.overrides } : {}),
    env: { LOSANT_API_URL: sim.url, LOSANT_API_TOKEN: sim.token, LOSANT_INSTANCE_ID: sim.instanceId, ...options.env },
  });

  async function newReport(body: Record<string, unknown> = { email: false }): Promise<InjectedReport> {
    // Losant runs one report job at a time per instance.
    const previous = sim.jobs.at(-1);
    if (previous) await sim.waitForJob(previous.jobId, 10_000);
    const response = await request(service.url).post('/admin/reports').set(AUTH).send(body);
    assert.equal(response.status, 202, JSON.stringify(response.body));
    const id = response.body.report.id as string;
    const callbackUrl = sim.requests
      .filter((entry) => entry.action === 'generateReport')
      .map((entry) => (entry.body as { callbackUrl?: string }).callbackUrl ?? '')
      .find((url) => url.includes(`/callbacks/r/${id}/`));
    assert.ok(callbackUrl, `Losant was given a callback URL for ${id}`);
    return { id, callbackUrl, secret: callbackUrl.split('/').at(-1)! };
  }

  return {
    sim,
    service,
    newReport,
    async close() {
      await service.stop();
      await sim.close();
      await rm(service.config.dataDir, { recursive: true, force: true });
    },
  };
}

export interface RawResponse {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** One HTTP request with full control over headers and body (no client-side normalization). */
export function rawRequest(url: string, options: { method?: string; headers?: OutgoingHttpHeaders; body?: Buffer | string } = {}): Promise<RawResponse> {
  const headers = { ...options.headers };
  // Node frames a DELETE body only when told its length.
  if (options.body !== undefined && headers['content-length'] === undefined && headers['transfer-encoding'] === undefined) {
    headers['content-length'] = Buffer.byteLength(options.body);
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'POST', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A JSON callback body naming one download URL, the way Losant's simulator shapes it. */
export function urlCallback(url: string): { body: string; headers: OutgoingHttpHeaders } {
  return { body: JSON.stringify({ status: 'completed', success: true, url }), headers: { 'content-type': 'application/json' } };
}

export async function expectHealthy(service: RunningService): Promise<void> {
  const response = await request(service.url).get('/healthz');
  assert.deepEqual({ status: response.status, body: response.body }, HEALTHY);
}

export interface Trap {
  host: string;
  port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

/** A TCP listener that counts and drops every connection; undefined when `host` cannot be bound (no IPv6). */
export async function startTrap(host: string, port = 0): Promise<Trap | undefined> {
  let connections = 0;
  const server: Server = createNetServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch {
    return undefined;
  }
  return {
    host,
    port: (server.address() as AddressInfo).port,
    get connections() {
      return connections;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type Route = (req: IncomingMessage, res: ServerResponse) => void;

export interface FileServer {
  /** http://host:port */
  url: string;
  port: number;
  readonly requests: string[];
  readonly connections: number;
  route(path: string, handler: Route): void;
  close(): Promise<void>;
}

/** A loopback HTTP server with routes set per test; unknown paths get 404. */
export async function startFileServer(host = '127.0.0.1', port = 0): Promise<FileServer> {
  const routes = new Map<string, Route>();
  const requests: string[] = [];
  let connections = 0;
  const server = createHttpServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    requests.push(path);
    const handler = routes.get(path);
    if (handler) handler(req, res);
    else res.writeHead(404).end();
  });
  server.on('connection', () => {
    connections += 1;
  });
  // A client that gives up mid-body (the service refusing a file) is expected here.
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${actual}`,
    port: actual,
    requests,
    get connections() {
      return connections;
    },
    route: (path, handler) => routes.set(path, handler),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A resolver answering from a table and asking the system (for localhost) otherwise; records each question. */
export function stubLookup(table: Record<string, string>): { lookup: LookupFunction; questions: string[] } {
  const questions: string[] = [];
  const lookup: LookupFunction = (hostname, options, callback) => {
    questions.push(hostname);
    const address = table[hostname];
    if (address === undefined) {
      systemLookup(hostname, options, callback);
      return;
    }
    const family = address.includes(':') ? 6 : 4;
    process.nextTick(() => {
      if (options.all === true) callback(null, [{ address, family }]);
      else callback(null, address, family);
    });
  };
  return { lookup, questions };
}

/** How many "will retry" notes a record's history holds. */
export function retryNotes(history: ReadonlyArray<{ note?: string }>): number {
  return history.filter((entry) => (entry.note ?? '').includes('will retry')).length;
}
