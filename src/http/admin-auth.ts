import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { UnauthorizedError } from '../errors.js';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Bearer authentication for the admin API. Tokens are compared as SHA-256 digests with
 * timingSafeEqual, so neither length nor content leaks through timing. A token in the query
 * string is refused outright: URLs end up in logs and browser history.
 */
export function adminAuth(token: string): RequestHandler {
  const expected = digest(token);
  return (req, _res, next) => {
    if (Object.keys(req.query).some((name) => /token|auth|key/iu.test(name))) {
      next(new UnauthorizedError('Credentials are accepted only in the Authorization header, never in the URL'));
      return;
    }
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/iu.exec(header);
    if (!match?.[1] || !timingSafeEqual(digest(match[1]), expected)) {
      next(new UnauthorizedError('Missing or invalid bearer token'));
      return;
    }
    next();
  };
}
