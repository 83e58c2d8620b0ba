import type { RedisClient } from '../redis-client.js';

/**
 * Liveness and readiness, as both the web app (src/http/routes/health.ts) and a worker's own
 * health port (./health-server.ts) answer them: the same checks, the same bodies.
 */

export interface WorkerHealth {
  /** True while the worker is consuming (not paused, not closing, connected). */
  isConsuming(): boolean;
}

/** The last periodic check of Redis's eviction policy (src/redis-policy.ts), held in memory. */
export interface RedisPolicyHealth {
  readiness(): { ok: boolean; reason?: string };
}

export interface ReadinessDeps {
  redis: RedisClient;
  workers?: WorkerHealth;
  redisPolicy?: RedisPolicyHealth;
  pingTimeoutMs?: number;
}

export interface HealthAnswer {
  status: 200 | 503;
  body: { status: 'ok' | 'ready' | 'not_ready'; checks?: Record<string, boolean>; reasons?: string[] };
}

/** /healthz: the process is alive (it answers). */
export const LIVE: HealthAnswer = { status: 200, body: { status: 'ok' } };

async function redisAnswers(redis: RedisClient, timeoutMs: number): Promise<boolean> {
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

/**
 * /readyz: Redis answers, its eviction policy passed the last periodic check (no Redis call of
 * its own), and, where workers run, they consume. A 503 lists its reasons.
 */
export async function checkReadiness(deps: ReadinessDeps): Promise<HealthAnswer> {
  const redis = await redisAnswers(deps.redis, deps.pingTimeoutMs ?? 1_000);
  const checks: Record<string, boolean> = { redis };
  const reasons: string[] = [];
  if (!redis) reasons.push('Redis does not answer');
  if (deps.redisPolicy) {
    const policy = deps.redisPolicy.readiness();
    checks.redisPolicy = policy.ok;
    if (!policy.ok) reasons.push(policy.reason ?? 'Redis maxmemory-policy is not noeviction');
  }
  if (deps.workers) {
    checks.workers = deps.workers.isConsuming();
    if (!checks.workers) reasons.push('the workers are not consuming');
  }
  const ready = Object.values(checks).every(Boolean);
  return ready ? { status: 200, body: { status: 'ready', checks } } : { status: 503, body: { status: 'not_ready', checks, reasons } };
}
