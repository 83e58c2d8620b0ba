import { pipeline } from 'node:stream/promises';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { NotFoundError } from '../errors.js';
import { assetRoutes } from './assets.js';
import type { UiDeps, UiSecurity } from './deps.js';
import { uiErrorPage } from './error-page.js';
import { formOf } from './form-body.js';
import { renderPage, type NavItem } from './layout.js';
import type { FileAnswer, PageHandler, PageRequest, PageRoutes, UiPage } from './page.js';
import { PAGES } from './pages/index.js';
import { QUEUE_BOARD_PATH, queueBoardRoutes, type QueueBoardOptions } from './queue-board.js';
import { noStore, queueBoardSecurityHeaders, uiSecurityHeaders } from './security-headers.js';
import { sessionCookie } from './session-cookie.js';
import { requireSameOrigin, requireSession, sessionOf } from './session-gate.js';
import { createSessionStore } from './sessions.js';
import { signInRoutes } from './sign-in.js';

/** The nav: every page that names a label, in the order of PAGES. */
export function navOf(pages: readonly UiPage[]): NavItem[] {
  return pages.flatMap((page) => (page.nav === undefined ? [] : [{ label: page.nav, href: page.path === '/' ? '/ui' : `/ui${page.path}` }]));
}

function pageRequest(req: Request, res: Response): PageRequest {
  const query = req.originalUrl.indexOf('?');
  return {
    // as: Express types route parameters loosely; for a string route they are strings.
    params: req.params as Record<string, string>,
    query: new URLSearchParams(query === -1 ? '' : req.originalUrl.slice(query + 1)),
    form: formOf(req),
    csrfToken: sessionOf(res)?.session.csrfToken ?? '',
  };
}

const FILENAME = /^[\w.-]{1,200}$/u;

/**
 * Sends a download: an attachment whatever its type, so a browser saves it and never renders it
 * (with nosniff from the security headers). A stream that fails midway cuts the connection, so
 * the browser sees a failed download rather than a short file.
 */
async function sendFile(res: Response, file: FileAnswer): Promise<void> {
  if (!FILENAME.test(file.filename)) throw new Error(`not a plain file name: ${file.filename}`);
  res.status(200).set({ ...file.headers, 'Content-Type': file.contentType, 'Content-Disposition': `attachment; filename="${file.filename}"` });
  if (Buffer.isBuffer(file.body)) {
    res.send(file.body);
    return;
  }
  await pipeline(file.body, res).catch(() => res.destroy());
}

/** The PageRoutes a page registers on: its handlers' answers rendered in the page shell. */
function pageRoutes(router: Router, page: UiPage, nav: readonly NavItem[]): PageRoutes {
  const answer =
    (handler: PageHandler): RequestHandler =>
    async (req, res) => {
      const result = await handler(pageRequest(req, res));
      if ('redirect' in result) {
        res.redirect(303, result.redirect);
        return;
      }
      const shell = {
        title: result.title ?? page.title,
        body: result.body,
        nav,
        currentPath: req.baseUrl + req.path.replace(/\/$/u, ''),
        csrfToken: sessionOf(res)?.session.csrfToken ?? null,
        ...(result.scripts ? { scripts: result.scripts } : {}),
        ...(result.vendor ? { vendor: result.vendor } : {}),
      };
      res
        .status(result.status ?? 200)
        .type('html')
        .send(renderPage(shell).value);
    };
  return {
    get: (path, handler) => router.get(path, answer(handler)),
    post: (path, handler) => router.post(path, answer(handler)),
    getJson: (path, handler) => {
      if (!path.endsWith('.json')) throw new Error(`a JSON route's path must end in .json: ${path}`);
      router.get(path, async (req, res) => {
        res.json(await handler(pageRequest(req, res)));
      });
    },
    getFile: (path, handler) => {
      router.get(path, async (req, res) => {
        await sendFile(res, await handler(pageRequest(req, res)));
      });
    },
  };
}

/** The nav's link to the queue board (bull-board's own page, not one of PAGES), when it is served. */
const QUEUES_NAV: NavItem = { label: 'Queues', href: `/ui${QUEUE_BOARD_PATH}` };

/**
 * The dashboard, mounted at /ui: its own security headers, public assets and sign-in, then, for
 * signed-in sessions only, the CSRF checks, sign-out, every page of PAGES and, when given, the
 * queue board (bull-board) at /ui/queues.
 */
export function createUiRouter(deps: UiDeps, security: UiSecurity, options: { queueBoard?: QueueBoardOptions; pages?: readonly UiPage[] } = {}): Router {
  const router = Router();
  const pages = options.pages ?? PAGES;
  const nav = [...navOf(pages), ...(options.queueBoard ? [QUEUES_NAV] : [])];
  const sessions = createSessionStore(deps.redis, {
    prefix: deps.settings.redisPrefix,
    idleMs: security.sessionIdleMs,
    maxMs: security.sessionMaxMs,
    logger: deps.logger,
  });
  const cookie = sessionCookie(deps.settings.publicUrl);

  // bull-board's pages need a CSP of their own (see queueBoardSecurityHeaders); every other page keeps the strict one.
  const boardHeaders = options.queueBoard ? queueBoardSecurityHeaders() : uiSecurityHeaders;
  router.use((req, res, next) => {
    const board = req.path === QUEUE_BOARD_PATH || req.path.startsWith(`${QUEUE_BOARD_PATH}/`);
    (board ? boardHeaders : uiSecurityHeaders)(req, res, next);
  });
  router.use(assetRoutes());
  router.use(noStore);
  router.use(
    signInRoutes({
      redis: deps.redis,
      prefix: deps.settings.redisPrefix,
      publicUrl: deps.settings.publicUrl,
      adminToken: security.adminToken,
      failuresPerMinute: security.signInFailuresPerMinute,
      sessions,
      cookie,
    }),
  );
  const isQueueBoardApi = (req: Request) => req.path.startsWith(`${QUEUE_BOARD_PATH}/api/`);
  router.use(requireSession(sessions, cookie, isQueueBoardApi), ...requireSameOrigin(deps.settings.publicUrl));
  for (const page of pages) page.register(pageRoutes(router, page, nav), deps);
  if (options.queueBoard) router.use(QUEUE_BOARD_PATH, queueBoardRoutes(options.queueBoard));
  router.use((req, _res, next) => {
    next(new NotFoundError(`There is no dashboard page at ${req.originalUrl.split('?')[0] ?? ''}`));
  });
  router.use(uiErrorPage(deps.logger, nav));
  return router;
}
