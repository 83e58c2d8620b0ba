import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import type { Queue } from 'bullmq';
import { Router, type Express, type RequestHandler } from 'express';
import { ForbiddenError } from '../errors.js';
import { SAFE_METHODS } from './csrf.js';
import { BULL_BOARD_UI_DIR, QueueBoardAdapter } from './queue-board-page.js';
import { sessionOf } from './session-gate.js';

/** Where the queue board is served, below the dashboard's /ui. */
export const QUEUE_BOARD_PATH = '/queues';

export interface QueueBoardOptions {
  /** The service's BullMQ queue (the web process's, which it enqueues on). */
  queue: Queue;
  /** UI_QUEUE_ACTIONS: retries and removals are allowed; without it the board only shows. */
  actions: boolean;
  /** PUBLIC_URL: over https the CSRF cookie is Secure. */
  publicUrl: string;
}

/**
 * The state-changing API routes the board may use when actions are allowed: retrying failed jobs
 * and removing jobs (one, or all of a state). Adding jobs, editing their data, emptying,
 * obliterating or pausing the queue stay refused: they would bypass what the service guarantees
 * about its jobs (one job per report run, its id derived from both).
 */
const ALLOWED_ACTIONS: readonly RegExp[] = [
  /^\/api\/queues\/[^/]+\/retry\/[^/]+$/u,
  /^\/api\/queues\/[^/]+\/clean\/[^/]+$/u,
  /^\/api\/queues\/[^/]+\/[^/]+\/retry$/u,
  /^\/api\/queues\/[^/]+\/[^/]+\/clean$/u,
];

/**
 * Refuses, before bull-board sees them, the requests that would change the queue and are not
 * allowed: all of them in read-only mode (bull-board's own read-only check would answer too, but
 * not for every route), and all but retries and removals otherwise.
 */
function actionGuard(actions: boolean): RequestHandler {
  return (req, _res, next) => {
    if (SAFE_METHODS.includes(req.method)) {
      next();
      return;
    }
    if (!actions) {
      next(new ForbiddenError('The queue board is read-only: set UI_QUEUE_ACTIONS=true to allow retries and removals'));
      return;
    }
    if (req.method === 'PUT' && ALLOWED_ACTIONS.some((route) => route.test(req.path))) {
      next();
      return;
    }
    next(new ForbiddenError('The queue board allows retries and removals only'));
  };
}

/**
 * bull-board's client (axios) sends the value of a cookie named XSRF-TOKEN back as the header
 * X-XSRF-TOKEN on its requests to this origin: the cookie carries the session's CSRF token, which the
 * dashboard's pages already hold, so the board's actions pass the same CSRF check as a form. Only
 * set when there are actions to send, on the board's pages (not its API or files), for the board's path only.
 */
function csrfCookie(publicUrl: string): RequestHandler {
  const secure = new URL(publicUrl).protocol === 'https:';
  return (req, res, next) => {
    const token = sessionOf(res)?.session.csrfToken;
    const page = !req.path.startsWith('/api/') && !req.path.startsWith('/static/');
    if (page && token !== undefined) res.append('Set-Cookie', `XSRF-TOKEN=${token}; Path=/ui${QUEUE_BOARD_PATH}; SameSite=Strict${secure ? '; Secure' : ''}`);
    next();
  };
}

/**
 * bull-board for the report queue, to be mounted at /ui/queues behind the dashboard's sign-in and
 * CSRF checks. Read-only unless `actions`; then retries and removals only.
 */
export function queueBoardRoutes(options: QueueBoardOptions): Router {
  const adapter = new QueueBoardAdapter();
  adapter.setBasePath(`/ui${QUEUE_BOARD_PATH}`);
  createBullBoard({
    queues: [new BullMQAdapter(options.queue, { readOnlyMode: !options.actions, allowRetries: options.actions, description: 'report processing jobs' })],
    serverAdapter: adapter,
    options: {
      uiBasePath: BULL_BOARD_UI_DIR,
      uiConfig: {
        boardTitle: 'report-relay queues',
        hideDocsLink: true,
        // Its Redis button draws an icon with an inline <style>, which the CSP would have to allow;
        // Redis's INFO is for the Redis dashboards anyway.
        hideRedisDetails: true,
        miscLinks: [{ text: 'Back to the dashboard', url: '/ui' }],
      },
    },
  });
  const router = Router();
  router.use(actionGuard(options.actions));
  if (options.actions) router.get('/{*page}', csrfCookie(options.publicUrl));
  // as: ExpressAdapter.getRouter() is typed `any`; it is the Express app bull-board built.
  const board = adapter.getRouter() as Express;
  // A sub-app starts with Express's defaults: it would name itself in X-Powered-By, which the service's app turns off.
  board.disable('x-powered-by');
  router.use(board);
  return router;
}
