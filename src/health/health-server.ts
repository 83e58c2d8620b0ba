import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import { checkReadiness, LIVE, type HealthAnswer, type ReadinessDeps } from './readiness.js';

/**
 * A worker's own health port (WORKER_HEALTH_PORT): /healthz and /readyz as the web app answers
 * them, with nothing else. Plain node:http, so the worker process still loads no web framework.
 */
export function createHealthServer(deps: ReadinessDeps & { logger: Logger }): Server {
  return createServer((req, res) => {
    answer(req, deps).then(
      (result) => send(res, result),
      (error: unknown) => {
        deps.logger.warn({ err: error }, 'health check failed');
        send(res, { status: 503, body: { status: 'not_ready', reasons: ['the health check failed'] } });
      },
    );
  });
}

/** What the web app answers for anything but its routes. */
const NOT_FOUND = { status: 404, body: { error: { code: 'not_found', message: 'Not found' } } };

type Answer = HealthAnswer | typeof NOT_FOUND;

async function answer(req: IncomingMessage, deps: ReadinessDeps): Promise<Answer> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return NOT_FOUND;
  const path = new URL(req.url ?? '/', 'http://health').pathname;
  if (path === '/healthz') return LIVE;
  if (path === '/readyz') return checkReadiness(deps);
  return NOT_FOUND;
}

function send(res: ServerResponse, result: Answer): void {
  const body = JSON.stringify(result.body);
  res.writeHead(result.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
