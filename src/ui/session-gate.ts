import type { Request, RequestHandler, Response } from 'express';
import { UnauthorizedError } from '../errors.js';
import { csrfTokenRefusal, originRefusal, SAFE_METHODS } from './csrf.js';
import { formOf, readForm } from './form-body.js';
import type { SessionCookie } from './session-cookie.js';
import type { SessionStore, UiSession } from './sessions.js';

export interface SignedIn {
  /** The cookie's session id (to end the session on sign-out). */
  id: string;
  session: UiSession;
}

const signedIn = new WeakMap<Response, SignedIn>();

/** The session of a request that passed requireSession. */
export function sessionOf(res: Response): SignedIn | null {
  return signedIn.get(res) ?? null;
}

/**
 * Lets only signed-in sessions through. Without one, a GET of a page is sent to the sign-in page;
 * a GET of data (`isData`: a script's request, which a redirect to a form would only confuse) and
 * anything else is refused (401), before its body is read.
 */
export function requireSession(sessions: SessionStore, cookie: SessionCookie, isData: (req: Request) => boolean = () => false): RequestHandler {
  return async (req, res, next) => {
    const id = cookie.read(req);
    const session = id === null ? null : await sessions.get(id);
    if (id !== null && session !== null) {
      signedIn.set(res, { id, session });
      next();
      return;
    }
    if (id !== null) cookie.clear(res);
    if ((req.method === 'GET' || req.method === 'HEAD') && !isData(req)) {
      res.redirect(303, '/ui/sign-in');
      return;
    }
    next(new UnauthorizedError('Not signed in (or the session ended): sign in at /ui/sign-in'));
  };
}

/**
 * Every request that may change something (any method but GET, HEAD, OPTIONS) must come from the
 * dashboard's own pages: its Origin (or Sec-Fetch-Site) says so, and it carries the session's CSRF
 * token. The Origin is checked before the body is read; the form is read to find the token.
 */
export function requireSameOrigin(publicUrl: string): RequestHandler[] {
  const checkOrigin: RequestHandler = (req, _res, next) => {
    next(SAFE_METHODS.includes(req.method) ? undefined : (originRefusal(req, publicUrl) ?? undefined));
  };
  const checkToken: RequestHandler = (req, res, next) => {
    if (SAFE_METHODS.includes(req.method)) {
      next();
      return;
    }
    const current = sessionOf(res);
    if (current === null) {
      next(new UnauthorizedError('Not signed in'));
      return;
    }
    next(csrfTokenRefusal(req, formOf(req), current.session.csrfToken) ?? undefined);
  };
  return [checkOrigin, ...readForm, checkToken];
}
