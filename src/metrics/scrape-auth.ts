import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Query parameters that look like credentials: a token in a URL ends up in logs, so it is refused outright. */
const CREDENTIAL_NAME = /token|auth|key/iu;

/**
 * Who may scrape /metrics: with METRICS_TOKEN, a request whose `Authorization: Bearer` carries
 * it (compared as SHA-256 digests with timingSafeEqual, as the admin token is, so neither length
 * nor content leaks through timing); without one (a worker's metrics port on loopback), anyone
 * who can reach the port. Plain functions of the header and the query, for node:http and Express alike.
 */
export function scrapeAuth(token: string | null): (authorization: string | undefined, query: URLSearchParams) => boolean {
  const expected = token === null ? null : digest(token);
  return (authorization, query) => {
    if ([...query.keys()].some((name) => CREDENTIAL_NAME.test(name))) return false;
    if (expected === null) return true;
    const match = /^Bearer\s+(\S+)\s*$/iu.exec(authorization ?? '');
    return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), expected);
  };
}

/** The answer to a scrape without the token: the admin API's error shape, and the scheme to use. */
export const UNAUTHORIZED_SCRAPE = {
  status: 401,
  headers: { 'WWW-Authenticate': 'Bearer realm="metrics"' },
  body: { error: { code: 'unauthorized', message: 'Missing or invalid bearer token (METRICS_TOKEN), or a credential in the URL' } },
} as const;
