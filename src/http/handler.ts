import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** What a handler returns: the router alone turns it into a response. */
export interface HandlerResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type Handler = (req: Request, res: Response) => Promise<HandlerResult>;

/** Adapts a data-returning handler to Express; thrown errors go to the one error mapper. */
export function route(handler: Handler): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    handler(req, res).then((result) => {
      for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
      if (result.body === null) res.status(result.status).end();
      else if (Buffer.isBuffer(result.body)) res.status(result.status).send(result.body);
      else if (result.body instanceof Readable) {
        res.status(result.status);
        // A stream that fails midway can only cut the answer short: the status is sent already.
        return pipeline(result.body, res).catch(() => res.destroy());
      } else res.status(result.status).json(result.body);
      return undefined;
    }, next);
  };
}
