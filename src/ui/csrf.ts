import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { ForbiddenError } from '../errors.js';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Methods that change nothing: everything else under /ui must pass the checks below. */
export const SAFE_METHODS: readonly string[] = ['GET', 'HEAD', 'OPTIONS'];

/**
 * First check against cross-site requests: the browser says where the request comes from. With an
 * Origin header it must be this service's public origin or the request's own host (a browser that
 * reached the service by another name); without one (or with `null`), the browser must say `Sec-Fetch-Site:
 * same-origin`. A request that says neither (an old browser, a script) is refused: the dashboard is
 * for current browsers, and the admin API is there for scripts.
 */
export function originRefusal(req: Request, publicUrl: string): ForbiddenError | null {
  const origin = req.get('origin');
  // `null` is what a sandboxed frame or a privacy setting sends: no origin to compare, so the fallback decides.
  if (origin !== undefined && origin !== 'null') {
    const own = [new URL(publicUrl).origin, `${req.protocol}://${req.get('host') ?? ''}`];
    return own.includes(origin) ? null : new ForbiddenError(`Refused: this form was sent from another site (${origin.slice(0, 100)})`);
  }
  if (req.get('sec-fetch-site') === 'same-origin') return null;
  return new ForbiddenError('Refused: the browser did not say this request comes from the dashboard itself (no Origin or Sec-Fetch-Site: same-origin)');
}

/**
 * Second check: the synchronizer token of the session, sent as the form field `_csrf` or the header
 * `X-CSRF-Token` (`X-XSRF-Token` is what the queue board's client, axios, sends: see
 * src/ui/queue-board.ts), compared as SHA-256 digests in constant time. Another site can make a
 * browser send a form, but cannot read the page that holds the token.
 */
export function csrfTokenRefusal(req: Request, form: URLSearchParams, expected: string): ForbiddenError | null {
  const sent = req.get('x-csrf-token') ?? req.get('x-xsrf-token') ?? form.get('_csrf') ?? '';
  if (sent !== '' && timingSafeEqual(digest(sent), digest(expected))) return null;
  return new ForbiddenError('Refused: the form has no valid CSRF token; reload the page and try again');
}
