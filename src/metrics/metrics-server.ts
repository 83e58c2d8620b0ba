import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import type { Exposition } from './prometheus.js';
import { scrapeAuth, UNAUTHORIZED_SCRAPE } from './scrape-auth.js';

export interface MetricsServerDeps {
  exposition: () => Promise<Exposition>;
  /** METRICS_TOKEN; null: no token asked (the port is bound to loopback, which the configuration checks). */
  token: string | null;
  logger: Logger;
}

/**
 * A worker's metrics port (WORKER_METRICS_PORT): GET /metrics and nothing else. A port of its own
 * rather than the health port, so it can listen on another interface than the probes (loopback
 * by default, for a scraper beside the worker) and be left off while the probes are on. Plain
 * node:http, so the worker process still loads no web framework.
 */
export function createMetricsServer(deps: MetricsServerDeps): Server {
  const authorized = scrapeAuth(deps.token);
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://metrics');
    if ((req.method !== 'GET' && req.method !== 'HEAD') || url.pathname !== '/metrics') {
      sendJson(res, 404, {}, { error: { code: 'not_found', message: 'Not found' } });
      return;
    }
    if (!authorized(req.headers.authorization, url.searchParams)) {
      sendJson(res, UNAUTHORIZED_SCRAPE.status, UNAUTHORIZED_SCRAPE.headers, UNAUTHORIZED_SCRAPE.body);
      return;
    }
    deps.exposition().then(
      (exposition) => send(req, res, 200, { 'Content-Type': exposition.contentType }, exposition.body),
      (error: unknown) => {
        deps.logger.warn({ err: error }, 'metrics scrape failed');
        sendJson(res, 500, {}, { error: { code: 'internal', message: 'Internal error' } });
      },
    );
  });
}

function sendJson(res: ServerResponse, status: number, headers: Record<string, string>, body: unknown): void {
  send(res.req, res, status, { ...headers, 'Content-Type': 'application/json; charset=utf-8' }, JSON.stringify(body));
}

function send(req: IncomingMessage, res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, { ...headers, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : body);
}
