import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { adminRouteFor, answerBodyFor, errorAnswerSchema, type AnswerBody } from '../../src/http/contract/admin-answers.js';
import { describeIssues } from '../../src/errors.js';
import { documentProblemsWith } from './admin-api-document.js';

export interface AnswerWatch {
  /** Answers that broke the contract: method, path, status and what was wrong. */
  violations: string[];
  /** "METHOD /path-pattern STATUS" of every admin answer seen. */
  seen: Set<string>;
}

function problemsWith(body: AnswerBody, contentType: string, bytes: Buffer): string[] {
  if (body === 'empty') return bytes.length === 0 ? [] : [`expected no body, got ${bytes.length} bytes`];
  if (body === 'binary') return contentType.startsWith('application/octet-stream') ? [] : [`expected application/octet-stream, got ${contentType}`];
  if (!contentType.startsWith('application/json')) return [`expected JSON, got ${contentType || 'no content type'}`];
  const result = body.safeParse(JSON.parse(bytes.toString('utf8')));
  return result.success ? [] : describeIssues(result.error.issues);
}

/**
 * Holds every admin answer the server sends to the contract in src/http/contract/admin-answers.ts
 * and to the API document made from it (GET /admin/openapi.json; admin-api-document.ts): the body
 * is copied as it is written and checked once the answer is finished. Answers before a route is
 * reached (401, 429, an unknown path) must have the error shape.
 */
export function watchAdminAnswers(server: Server): AnswerWatch {
  const watch: AnswerWatch = { violations: [], seen: new Set() };
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (!path.startsWith('/admin')) return;
    const chunks: Buffer[] = [];
    const keep = (chunk: unknown) => {
      if (typeof chunk === 'string') chunks.push(Buffer.from(chunk));
      else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
    };
    // as: the originals' overloads, called with whatever arguments came; every call is passed through unchanged.
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      keep(chunk);
      return write(chunk, ...rest);
    }) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      keep(chunk);
      return end(chunk, ...rest);
    }) as typeof res.end;
    res.once('finish', () => {
      const method = req.method ?? 'GET';
      const route = adminRouteFor(method, path);
      const status = res.statusCode;
      const body = route ? answerBodyFor(route, status) : status >= 400 ? errorAnswerSchema : undefined;
      watch.seen.add(`${method} ${route?.path ?? path} ${status}`);
      const contentType = String(res.getHeader('content-type') ?? '');
      const bytes = Buffer.concat(chunks);
      const problems = [
        ...(body === undefined ? ['this route does not answer with this status in the contract'] : problemsWith(body, contentType, bytes)),
        ...documentProblemsWith(method, path, status, contentType, bytes),
      ];
      if (problems.length > 0) watch.violations.push(`${method} ${path} ${status}: ${problems.join('; ')}`);
    });
  });
  return watch;
}
