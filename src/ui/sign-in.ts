import { createHash, timingSafeEqual } from 'node:crypto';
import { Router, type RequestHandler, type Response } from 'express';
import type { RedisClient } from '../redis-client.js';
import { createFailureLimit } from '../http/failure-limit.js';
import { clientKey } from '../http/rate-limit.js';
import { redisKeys } from '../redis-keys.js';
import { originRefusal } from './csrf.js';
import { formOf, readForm } from './form-body.js';
import { html, type SafeHtml } from './html.js';
import { renderPage } from './layout.js';
import type { SessionCookie } from './session-cookie.js';
import { requireSameOrigin, requireSession, sessionOf } from './session-gate.js';
import type { SessionStore } from './sessions.js';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

export interface SignInOptions {
  redis: RedisClient;
  prefix: string;
  publicUrl: string;
  adminToken: string;
  failuresPerMinute: number;
  sessions: SessionStore;
  cookie: SessionCookie;
}

function signInPage(res: Response, status: number, message: SafeHtml | null): void {
  const body = html`${message}
    <form class="sign-in" method="post" action="/ui/sign-in">
      <label for="token">Admin token</label>
      <input id="token" name="token" type="password" autocomplete="current-password" required spellcheck="false" />
      <p class="hint">The service's <code>ADMIN_TOKEN</code>. You stay signed in while you use the dashboard.</p>
      <button type="submit">Sign in</button>
    </form>`;
  res
    .status(status)
    .type('html')
    .send(renderPage({ title: 'Sign in', body, nav: [], currentPath: '/ui/sign-in', csrfToken: null }).value);
}

const alert = (text: string) => html`<p class="notice notice-error" role="alert">${text}</p>`;

/**
 * Signing in with the admin token, and out. The token is compared as SHA-256 digests in constant
 * time, like the admin API's; failed sign-ins are limited per client address, and a client over
 * the limit is refused before its token is compared. A sign-in starts a new session (ending the
 * one the browser had), so a session id planted before sign-in is worth nothing after it.
 */
export function signInRoutes(options: SignInOptions): Router {
  const router = Router();
  const expected = digest(options.adminToken);
  const failures = createFailureLimit(options.redis, { perMinute: options.failuresPerMinute, keyOf: redisKeys(options.prefix).ui.signInFailures });

  router.get('/sign-in', (_req, res) => {
    signInPage(res, 200, null);
  });

  // A sign-in form posted from another site would sign the browser into a session of the attacker's choosing.
  const sameOrigin: RequestHandler = (req, _res, next) => {
    next(originRefusal(req, options.publicUrl) ?? undefined);
  };
  // Before the token is even read: a client over the limit learns nothing from its guess.
  const underLimit: RequestHandler = async (req, res, next) => {
    const overLimit = await failures.refusal(clientKey(req.ip));
    if (!overLimit) {
      next();
      return;
    }
    res.setHeader('Retry-After', String(overLimit.retryAfterSeconds));
    signInPage(res, 429, alert(`Too many failed sign-ins from your address; try again in ${overLimit.retryAfterSeconds} s.`));
  };

  router.post('/sign-in', sameOrigin, underLimit, ...readForm, async (req, res) => {
    const token = formOf(req).get('token') ?? '';
    if (token === '' || !timingSafeEqual(digest(token), expected)) {
      const counted = await failures.record(clientKey(req.ip));
      if (counted.refusal) res.setHeader('Retry-After', String(counted.refusal.retryAfterSeconds));
      signInPage(res, counted.refusal ? 429 : 401, alert('That is not the admin token.'));
      return;
    }
    const previous = options.cookie.read(req);
    if (previous !== null) await options.sessions.destroy(previous);
    const { id } = await options.sessions.create();
    options.cookie.write(res, id);
    res.redirect(303, '/ui');
  });

  router.post('/sign-out', requireSession(options.sessions, options.cookie), ...requireSameOrigin(options.publicUrl), async (_req, res) => {
    const current = sessionOf(res);
    if (current) await options.sessions.destroy(current.id);
    options.cookie.clear(res);
    res.redirect(303, '/ui/sign-in');
  });

  return router;
}
