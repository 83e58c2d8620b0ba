import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { inlineStyleHashes, type InlineStyleHashes } from './queue-board-page.js';

/**
 * The dashboard's headers, stricter than the rest of the service's: scripts, styles, images,
 * fetches and fonts from this origin only, no inline script or style, no eval, no plugins, no
 * <base>, forms posting only here, and no framing by anyone. helmet's other headers (nosniff,
 * ...) come with it, but for HSTS: the app sets that one for every answer, when the service is
 * reached over HTTPS (src/http/app.ts), and this must not put helmet's default back on plain HTTP.
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
  strictTransportSecurity: false,
  // Not helmet's no-referrer: with it, browsers send `Origin: null` on the dashboard's own form
  // posts, and the Origin check could not tell them from a sandboxed frame's. same-origin still
  // sends nothing to other sites.
  referrerPolicy: { policy: 'same-origin' },
});

/**
 * The queue board's headers (bull-board, at /ui/queues): the dashboard's, but for three things
 * bull-board's page needs, found by loading it in chromium and reading the CSP violations:
 * - `base-uri 'self'`: the page sets `<base href="/ui/queues/">` to find its own files;
 * - `style-src-elem` adds the hash of the one `<style>` of its "Loading" placeholder;
 * - `style-src-attr 'unsafe-hashes'` with the hashes of that placeholder's `style="..."`
 *   attributes: only those exact attribute values, none other.
 * Its scripts are files from this origin ('self'); it needs no inline script and no eval. The
 * hashes come from the installed template (src/ui/queue-board-page.ts).
 */
export function queueBoardSecurityHeaders(hashes: InlineStyleHashes = inlineStyleHashes()): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        styleSrcElem: ["'self'", ...hashes.elements],
        styleSrcAttr: hashes.attributes.length > 0 ? ["'unsafe-hashes'", ...hashes.attributes] : ["'none'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    // Set by the app for every answer, as for the dashboard's.
    strictTransportSecurity: false,
    referrerPolicy: { policy: 'same-origin' },
  });
}

/** Pages carry a session's data and its CSRF token: no cache (browser or proxy) keeps them. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};
