import type { Redis } from 'ioredis';
import { mastersOf, type RedisClient } from './redis-client.js';
import type { Logger } from './log.js';

/**
 * BullMQ and the report records need Redis to refuse writes when full rather than evict keys:
 * an evicted job or record is a report silently lost. Records and callback bodies carry TTLs, so
 * under a `volatile-*` policy they are exactly what Redis evicts first. Managed Redis services
 * often disable CONFIG, so INFO memory is asked when CONFIG GET is refused. On a cluster each
 * master is asked (CONFIG and INFO describe one server), and the answer is the one that is not
 * noeviction, if any: the slot of the deployment may move to any of them.
 */
export async function readEvictionPolicy(redis: RedisClient): Promise<string | null> {
  const policies = await Promise.all(mastersOrFail(redis).map(readServerEvictionPolicy));
  return policies.find((policy) => policy !== 'noeviction') ?? 'noeviction';
}

/** A cluster not connected yet knows no master: the check fails (and is tried again) rather than reading nothing as a policy. */
function mastersOrFail(redis: RedisClient): Redis[] {
  const masters = mastersOf(redis);
  if (masters.length === 0) throw new Error('no Redis master is connected: the cluster is not ready');
  return masters;
}

async function readServerEvictionPolicy(redis: Redis): Promise<string | null> {
  try {
    const reply = await redis.config('GET', 'maxmemory-policy');
    if (reply[1]) return reply[1];
  } catch {
    // CONFIG may be renamed or disabled; fall through to INFO.
  }
  const info = await redis.info('memory');
  return /maxmemory_policy:(\S+)/u.exec(info)?.[1] ?? null;
}

/** Whether Redis keeps its data across a restart, as far as it says. */
export interface Persistence {
  /** `on`: AOF or RDB save points; `off`: neither; `unknown`: CONFIG refused and AOF off (a managed service may snapshot on its own). */
  state: 'on' | 'off' | 'unknown';
  /** aof_enabled from INFO persistence (null when INFO does not say). */
  aof: boolean | null;
  /** CONFIG GET save ('' when RDB snapshots are off; null when CONFIG is refused). */
  savePoints: string | null;
  /** rdb_last_bgsave_status from INFO persistence: false when the last snapshot failed. */
  lastBgsaveOk: boolean | null;
}

const PERSISTENCE_RANK: Record<Persistence['state'], number> = { off: 0, unknown: 1, on: 2 };

/**
 * Reads persistence from INFO persistence and CONFIG GET save (which managed services may refuse);
 * on a cluster, the weakest master's (off before unknown before on), with a failed snapshot of any.
 */
export async function readPersistence(redis: RedisClient): Promise<Persistence> {
  const all = await Promise.all(mastersOrFail(redis).map(readServerPersistence));
  // Never empty (mastersOrFail), so reduce has a first value to start from.
  const weakest = all.reduce((worst, next) => (PERSISTENCE_RANK[next.state] < PERSISTENCE_RANK[worst.state] ? next : worst));
  return all.some((one) => one.lastBgsaveOk === false) ? { ...weakest, lastBgsaveOk: false } : weakest;
}

async function readServerPersistence(redis: Redis): Promise<Persistence> {
  const info = await redis.info('persistence');
  const aofField = /aof_enabled:(\d)/u.exec(info)?.[1];
  const aof = aofField === undefined ? null : aofField === '1';
  const bgsave = /rdb_last_bgsave_status:(\w+)/u.exec(info)?.[1];
  const lastBgsaveOk = bgsave === undefined ? null : bgsave === 'ok';
  let savePoints: string | null = null;
  try {
    const reply = await redis.config('GET', 'save');
    savePoints = typeof reply[1] === 'string' ? reply[1].trim() : null;
  } catch {
    // CONFIG may be renamed or disabled (ElastiCache, Azure, Memorystore): INFO alone cannot tell RDB.
  }
  const state = aof === true || (savePoints !== null && savePoints !== '') ? 'on' : savePoints === '' && aof === false ? 'off' : 'unknown';
  return { state, aof, savePoints, lastBgsaveOk };
}

export class EvictionPolicyError extends Error {}

const policyProblem = (policy: string | null) =>
  `Redis maxmemory-policy is "${policy ?? 'unknown'}", not "noeviction": under memory pressure Redis may delete queued jobs ` +
  'and report records (they carry TTLs, so volatile-* policies evict them first). Set "maxmemory-policy noeviction" on the ' +
  "Redis server (CONFIG SET, redis.conf, or the managed service's parameter group or settings; see README: Deploying).";

export interface RedisDurabilityOptions {
  redis: RedisClient;
  logger: Logger;
  /** REDIS_REQUIRE_NOEVICTION: refuse the start, and be unready, on any other policy. */
  requireNoEviction: boolean;
}

export interface Readiness {
  ok: boolean;
  reason?: string;
}

/**
 * Checks Redis's eviction policy and persistence at start and then periodically, both roles.
 * At start, a policy other than noeviction refuses the start when it is required (the default
 * when NODE_ENV=production) and is warned about otherwise. Later, a change of policy is logged
 * once, and while it is not noeviction and noeviction is required, readiness() is red with the
 * reason; /readyz reads that result, never Redis. Persistence that is off is warned about once
 * (again only after it was back on), unknown persistence is said once at info.
 */
export function createRedisDurability(options: RedisDurabilityOptions) {
  const { redis, logger, requireNoEviction } = options;
  let readiness: Readiness = { ok: true };
  /** The policy the last check read; undefined before the first. */
  let lastPolicy: string | null | undefined;
  let lastPersistence: Persistence['state'] | undefined;
  let bgsaveFailing = false;

  async function check(phase: 'start' | 'periodic'): Promise<void> {
    const policy = await readEvictionPolicy(redis);
    if (policy === 'noeviction') {
      if (lastPolicy !== undefined && lastPolicy !== 'noeviction') logger.info({ maxmemoryPolicy: policy }, 'Redis maxmemory-policy is noeviction again');
      readiness = { ok: true };
    } else {
      const problem = policyProblem(policy);
      if (phase === 'start' && requireNoEviction) {
        throw new EvictionPolicyError(
          `${problem} (refusing to start because REDIS_REQUIRE_NOEVICTION=true, its default when NODE_ENV=production; ` +
            'set REDIS_REQUIRE_NOEVICTION=false to start anyway)',
        );
      }
      if (requireNoEviction) readiness = { ok: false, reason: problem };
      if (policy !== lastPolicy) {
        if (phase === 'start') logger.warn({ maxmemoryPolicy: policy }, `WARNING: ${problem} (starting anyway: REDIS_REQUIRE_NOEVICTION=false)`);
        else
          logger.error(
            { maxmemoryPolicy: policy, previousPolicy: lastPolicy ?? null },
            `Redis maxmemory-policy changed to "${policy ?? 'unknown'}": ${problem}${requireNoEviction ? ' /readyz answers 503 until it is back.' : ''}`,
          );
      }
    }
    lastPolicy = policy;

    const persistence = await readPersistence(redis);
    if (persistence.state !== lastPersistence) {
      if (persistence.state === 'off') {
        logger.warn(
          { aof: persistence.aof, savePoints: persistence.savePoints },
          'WARNING: Redis persistence is off (no AOF, no RDB save points): a Redis restart loses every stored callback and queued job. ' +
            "Turn on appendonly (or RDB snapshots, or the managed service's persistence/backups; see README: Deploying).",
        );
      } else if (persistence.state === 'unknown') {
        logger.info({ aof: persistence.aof }, 'Redis persistence unknown: CONFIG is refused and AOF is off; check that the service keeps snapshots');
      }
      lastPersistence = persistence.state;
    }
    if (persistence.lastBgsaveOk === false && !bgsaveFailing) {
      logger.warn({}, 'WARNING: Redis reports its last RDB snapshot failed (rdb_last_bgsave_status:err)');
    }
    bgsaveFailing = persistence.lastBgsaveOk === false;
    logger.debug({ maxmemoryPolicy: policy, persistence: persistence.state }, 'Redis durability checked');
  }

  /** Checks every `intervalMs` (the start's check is separate: check('start')); returns the stop function. */
  function start(intervalMs: number): () => void {
    let stopped = false;
    let running = false;
    const timer = setInterval(() => {
      if (running) return; // a slow Redis: the check still running is the next one
      running = true;
      check('periodic')
        .catch((error: unknown) => {
          if (!stopped) logger.warn({ err: error }, 'Redis durability check failed; will try again');
        })
        .finally(() => {
          running = false;
        });
    }, intervalMs);
    timer.unref();
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }

  return {
    check,
    start,
    /** The last check's verdict on the eviction policy, held in memory for /readyz. */
    readiness(): Readiness {
      return readiness;
    },
  };
}
export type RedisDurability = ReturnType<typeof createRedisDurability>;
