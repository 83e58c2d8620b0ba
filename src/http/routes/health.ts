import { Router } from 'express';
import { checkReadiness, LIVE, type ReadinessDeps } from '../../health/readiness.js';
import { route } from '../handler.js';

export type { RedisPolicyHealth, WorkerHealth } from '../../health/readiness.js';
export type HealthDeps = ReadinessDeps;

/** /healthz and /readyz on the web app (src/health/readiness.ts says what they check). */
export function healthRoutes(deps: HealthDeps): Router {
  const router = Router();
  router.get(
    '/healthz',
    route(() => Promise.resolve(LIVE)),
  );
  router.get(
    '/readyz',
    route(() => checkReadiness(deps)),
  );
  return router;
}
