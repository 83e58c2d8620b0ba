import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * The dashboard's headers, stricter than the rest of the service's: scripts, styles, images,
 * fetches and fonts from this origin only, no inline script or style, no eval, no plugins, no
 * <base>, forms posting only here, and no framing by anyone. helmet's other headers (nosniff,
 * HSTS, ...) come with it.
 */
export const uiSecurityHeaders: RequestHandler = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      fontSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  frameguard: { action: 'deny' },
  // Not helmet's no-referrer: with it, browsers send `Origin: null` on the dashboard's own form
  // posts, and the Origin check could not tell them from a sandboxed frame's. same-origin still
  // sends nothing to other sites.
  referrerPolicy: { policy: 'same-origin' },
});

/** Pages carry a session's data and its CSRF token: no cache (browser or proxy) keeps them. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};
