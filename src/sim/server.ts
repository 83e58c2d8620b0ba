import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { errorMessage } from '../errors.js';
import { INSTANCE_ID_PATTERN } from '../losant/request-schemas.js';
import type { Logger } from '../log.js';
import type { ApiAnswer, ApiInput } from './api.js';
import type { Auth } from './auth.js';
import type { Downloads } from './downloads.js';
import { LosantSimError, errorTypeFor, validationError } from './errors.js';
import type { FaultState } from './faults.js';
import type { ActionName, FaultRule, SimRequest } from './types.js';

/**
 * The HTTP edge: records every request, then for the API applies (in this order) an injected
 * fault, the bearer token and its scopes, the instance id (malformed 400, unknown 404), and the
 * action's handler. Only this file touches req/res.
 */

const MAX_BODY_BYTES = 1024 * 1024;
const ROUTES: Record<string, ActionName> = {
  'GET ': 'get',
  'PATCH ': 'patch',
  'POST generateReport': 'generateReport',
  'GET deviceCounts': 'deviceCounts',
  'GET notebookMinuteCounts': 'notebookMinuteCounts',
  'GET payloadCounts': 'payloadCounts',
  'GET payloadCountsBreakdown': 'payloadCountsBreakdown',
  'GET historicalSummaries': 'historicalSummaries',
};

export interface ServerDependencies {
  instanceId: string;
  auth: Auth;
  faults: FaultState;
  downloads: Downloads;
  api: Record<ActionName, (input: ApiInput) => ApiAnswer | Promise<ApiAnswer>>;
  record: (request: SimRequest) => void;
  now: () => Date;
  logger: Logger;
  signal: AbortSignal;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

const errorBody = (error: LosantSimError) => ({ type: error.type, message: error.message });

async function readBody(req: IncomingMessage): Promise<{ text: string; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  // as: without setEncoding a request yields Buffers; Node types its iterator as any.
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  return { text: Buffer.concat(chunks).toString('utf8'), tooLarge: size > MAX_BODY_BYTES };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** JSON bodies must say so; an empty body is "no body" (generateReport's body is optional). */
function parseBody(text: string, contentType: string | undefined): unknown {
  if (text.trim() === '') return undefined;
  if (!/^application\/(?:[\w.+-]+\+)?json\b/iu.test(contentType ?? '')) throw validationError('body: Content-Type must be application/json');
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed;
  } catch {
    throw validationError('body: is not valid JSON');
  }
}

export function createSimServer(deps: ServerDependencies): Server {
  const answerFault = async (rule: FaultRule, req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (rule.delayMs !== undefined && rule.delayMs > 0) await delay(rule.delayMs, undefined, { signal: deps.signal, ref: false });
    if (rule.status === 0) {
      req.socket.destroy();
      return true;
    }
    // A 2xx without a body is "slow but fine": the real answer follows the delay.
    if (rule.status >= 200 && rule.status < 300 && rule.body === undefined) return false;
    const headers: Record<string, string> = rule.retryAfterSeconds === undefined ? {} : { 'retry-after': String(rule.retryAfterSeconds) };
    const body = rule.body ?? { type: errorTypeFor(rule.status), message: `Injected fault: HTTP ${rule.status}` };
    sendJson(res, rule.status, body, headers);
    return true;
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, action: ActionName, id: string, input: ApiInput, bodyError?: LosantSimError) => {
    const rule = deps.faults.take(action);
    if (rule !== undefined && (await answerFault(rule, req, res))) return;
    deps.auth.check(req.headers.authorization, action);
    if (!INSTANCE_ID_PATTERN.test(id)) throw validationError('instanceId: must be 24 hexadecimal digits');
    if (id.toLowerCase() !== deps.instanceId.toLowerCase()) throw new LosantSimError('NotFound', 404, 'Instance was not found');
    // A body that is not JSON matters only to the actions that take one, and only past auth.
    if (bodyError !== undefined && (action === 'patch' || action === 'generateReport')) throw bodyError;
    const answer = await deps.api[action](input);
    sendJson(res, answer.status, answer.body);
  };

  const handleDownload = async (req: IncomingMessage, res: ServerResponse, token: string, file: string) => {
    const answer = deps.downloads.answer(token, file);
    res.writeHead(answer.status, answer.headers);
    if (typeof answer.body === 'string') {
      res.end(answer.body);
      return;
    }
    if (req.method === 'HEAD') {
      answer.body.destroy();
      res.end();
      return;
    }
    try {
      await pipeline(answer.body, res);
    } catch (error) {
      // A downloader that hangs up mid-stream is its own business, not a simulator failure.
      deps.logger.debug({ err: error }, 'sim: download stream ended early');
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    const segments = url.pathname
      .split('/')
      .filter((segment) => segment !== '')
      .map(safeDecode);
    const method = req.method ?? 'GET';
    const isInstance = segments[0] === 'instances' && segments.length >= 2 && segments.length <= 3;
    const action = isInstance ? (ROUTES[`${method} ${segments[2] ?? ''}`] ?? null) : null;
    const { text, tooLarge } = await readBody(req);
    let body: unknown = text === '' ? undefined : text;
    let bodyError: LosantSimError | undefined;
    try {
      if (tooLarge) throw validationError(`body: must be at most ${MAX_BODY_BYTES} bytes`);
      body = parseBody(text, req.headers['content-type']);
    } catch (error) {
      bodyError = error instanceof LosantSimError ? error : validationError(`body: ${errorMessage(error)}`);
    }
    deps.record({ action, method, path: url.pathname, headers: { ...req.headers }, query: Object.fromEntries(url.searchParams), body, at: deps.now() });

    if (segments[0] === 'downloads' && segments.length === 3 && (method === 'GET' || method === 'HEAD')) {
      await handleDownload(req, res, segments[1] ?? '', segments[2] ?? '');
      return;
    }
    if (action === null) {
      sendJson(res, 404, { type: 'NotFound', message: `No route for ${method} ${url.pathname}` });
      return;
    }
    try {
      await handleApi(req, res, action, segments[1] ?? '', { query: Object.fromEntries(url.searchParams), body }, bodyError);
    } catch (error) {
      if (error instanceof LosantSimError) {
        sendJson(res, error.status, errorBody(error));
        return;
      }
      throw error;
    }
  };

  return createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (deps.signal.aborted) {
        res.destroy();
        return;
      }
      deps.logger.error({ err: error, method: req.method }, 'sim: request failed');
      if (!res.headersSent) sendJson(res, 500, { type: 'InternalError', message: 'The simulator failed to answer' });
      else res.destroy();
    });
  });
}
