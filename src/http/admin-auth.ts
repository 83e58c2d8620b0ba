import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { UnauthorizedError } from '../errors.js';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Bearer authentication for the admin API. Tokens are compared as SHA-256 digests with
 * timingSafeEqual, so neither length nor content leaks through timing. A token in the query
 * string is refused outright: URLs end up in logs and browser history. Returns null for an
 * authenticated request, else the error to answer with (the rate limit decides when).
 */
export function adminAuth(token: string): (req: Request) => UnauthorizedError | null {
  const expected = digest(token);
  return (req) => {
    if (Object.keys(req.query).some((name) => /token|auth|key/iu.test(name))) {
      return new UnauthorizedError('Credentials are accepted only in the Authorization header, never in the URL');
    }
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/iu.exec(header);
    if (!match?.[1] || !timingSafeEqual(digest(match[1]), expected)) {
      return new UnauthorizedError('Missing or invalid bearer token');
    }
    return null;
  };
}
