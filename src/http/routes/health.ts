import { Router } from 'express';
import type { Redis } from 'ioredis';
import { route } from '../handler.js';

export interface WorkerHealth {
  /** True while the worker is consuming (not paused, not closing, connected). */
  isConsuming(): boolean;
}

export interface HealthDeps {
  redis: Redis;
  workers?: WorkerHealth;
  pingTimeoutMs?: number;
}

async function redisAnswers(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status !== 'ready') return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([
      redis.ping().then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** /healthz: the process is alive. /readyz: Redis answers and, where workers run, they consume. */
export function healthRoutes(deps: HealthDeps): Router {
  const router = Router();
  router.get(
    '/healthz',
    route(() => Promise.resolve({ status: 200, body: { status: 'ok' } })),
  );
  router.get(
    '/readyz',
    route(async () => {
      const redis = await redisAnswers(deps.redis, deps.pingTimeoutMs ?? 1_000);
      const checks: Record<string, boolean> = { redis };
      if (deps.workers) checks.workers = deps.workers.isConsuming();
      const ready = Object.values(checks).every(Boolean);
      return { status: ready ? 200 : 503, body: { status: ready ? 'ready' : 'not_ready', checks } };
    }),
  );
  return router;
}
