import { Router } from 'express';
import type { Exposition } from '../../metrics/prometheus.js';
import { scrapeAuth, UNAUTHORIZED_SCRAPE } from '../../metrics/scrape-auth.js';

export interface MetricsRouteDeps {
  exposition: () => Promise<Exposition>;
  /** METRICS_TOKEN: the web process serves /metrics only with one, as it listens where everyone may reach it. */
  token: string;
}

/** GET /metrics for Prometheus, behind the bearer METRICS_TOKEN. */
export function metricsRoutes(deps: MetricsRouteDeps): Router {
  const authorized = scrapeAuth(deps.token);
  const router = Router();
  router.get('/metrics', (req, res, next) => {
    if (!authorized(req.get('authorization'), new URL(req.originalUrl, 'http://metrics').searchParams)) {
      res.status(UNAUTHORIZED_SCRAPE.status).set(UNAUTHORIZED_SCRAPE.headers).json(UNAUTHORIZED_SCRAPE.body);
      return;
    }
    deps.exposition().then((exposition) => {
      res.status(200).set({ 'Content-Type': exposition.contentType, 'Cache-Control': 'no-store' }).send(exposition.body);
    }, next);
  });
  return router;
}
