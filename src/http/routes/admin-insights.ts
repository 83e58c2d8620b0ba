import { Router } from 'express';
import { parseBackfillRequest, type Trends } from '../../trends/index.js';
import { route } from '../handler.js';

/** Insights across reports: the organizations' monthly trends, backfilled from Losant. */
export function adminInsightRoutes(trends: Pick<Trends, 'backfill'>): Router {
  const router = Router();
  router.post(
    '/admin/insights/backfill',
    route(async (req) => ({ status: 200, body: { backfill: await trends.backfill(parseBackfillRequest(req.body)) } })),
  );
  return router;
}
