import type { RedisClient } from '../redis-client.js';
import type { Logger } from '../log.js';
import type { ServiceMetrics } from '../metrics/metrics.js';
import { redisKeys } from '../redis-keys.js';
import { tryLease } from '../redis-lease.js';
import { fireTimesBetween } from './fire-times.js';
import type { MissedRunStore } from './missed-run-store.js';
import type { RunArrivals } from './run-arrivals.js';
import { runPeriod } from './run-period.js';
import type { Schedule } from './schedule.js';
import type { ScheduleStore } from './schedule-store.js';

export interface MissedRunCheckDeps {
  redis: RedisClient;
  prefix: string;
  schedules: Pick<ScheduleStore, 'list'>;
  arrivals: Pick<RunArrivals, 'among'>;
  missedRuns: Pick<MissedRunStore, 'add' | 'runsChecked' | 'markChecked'>;
  /** How long after its fire time a run's callback may take (CALLBACK_OVERDUE_MS). */
  overdueMs: number;
  logger: Logger;
  now?: () => Date;
  /** How far back one check looks at most, whatever it missed before (default 7 days). */
  lookbackMs?: number;
  /** Fire times one check looks at per schedule at most, the latest (default 100). */
  maxFireTimes?: number;
  /** Where each run recorded as missed is counted. */
  metrics?: Pick<ServiceMetrics, 'missedRun'>;
}

export interface MissedRunCheckResult {
  schedules: number;
  missed: number;
}

/**
 * Finds the runs of each schedule whose callback has not arrived CALLBACK_OVERDUE_MS after their
 * fire time, and records them as missed. Each schedule's runs are looked at once: the check keeps
 * how far it got (by which cron), and starts from there, from the schedule's creation or last
 * change of cron, and never more than `lookbackMs` or `maxFireTimes` back. Runs on the web side,
 * at start and then periodically; a Redis lease makes one process do it at a time.
 */
export function createMissedRunCheck(deps: MissedRunCheckDeps) {
  const now = deps.now ?? (() => new Date());
  const lookbackMs = deps.lookbackMs ?? 7 * 86_400_000;
  const maxFireTimes = deps.maxFireTimes ?? 100;
  const lockKey = redisKeys(deps.prefix).missedRunCheckLock;

  /** The missed runs of one schedule recorded by this pass. */
  async function checkSchedule(schedule: Schedule): Promise<number> {
    const at = now();
    const through = new Date(at.getTime() - deps.overdueMs);
    const checked = await deps.missedRuns.runsChecked(schedule.id);
    // Runs before a change of cron or time zone were due by the old one: they are not judged by the new one.
    const sameCron = checked !== null && checked.cron === schedule.cron && checked.timezone === schedule.timezone;
    const from = Math.max(Date.parse(sameCron ? checked.through : schedule.updatedAt), Date.parse(schedule.createdAt), at.getTime() - lookbackMs);
    if (from >= through.getTime()) return 0;
    const due = fireTimesBetween(schedule, { after: new Date(from), through }, maxFireTimes).map((time) => time.toISOString());
    const arrived = await deps.arrivals.among(schedule.id, due);
    let missed = 0;
    for (const fireTime of due.filter((time) => !arrived.has(time))) {
      const added = await deps.missedRuns.add({
        scheduleId: schedule.id,
        fireTime,
        period: runPeriod(schedule, new Date(fireTime)),
        detectedAt: at.toISOString(),
        state: 'missed',
        reRequestedReportId: null,
        reRequestedAt: null,
        arrivedAt: null,
        arrivedReportId: null,
      });
      if (added) {
        missed += 1;
        deps.metrics?.missedRun();
        deps.logger.warn({ scheduleId: schedule.id, fireTime }, 'schedule run missed: no callback from Losant by the overdue deadline');
      }
    }
    await deps.missedRuns.markChecked(schedule.id, { through: through.toISOString(), cron: schedule.cron, timezone: schedule.timezone });
    return missed;
  }

  /** One pass over every schedule; null when another process holds the lease. */
  async function runOnce(leaseMs = 30_000): Promise<MissedRunCheckResult | null> {
    const lease = await tryLease(deps.redis, lockKey, leaseMs);
    if (lease === null) return null;
    try {
      const schedules = await deps.schedules.list();
      let missed = 0;
      for (const schedule of schedules) {
        if (lease.lost) break;
        // One schedule that cannot be checked (its stored data is corrupt...) does not stop the others.
        missed += await checkSchedule(schedule).catch((error: unknown) => {
          deps.logger.warn({ err: error, scheduleId: schedule.id }, 'missed-run check of a schedule failed; will try again');
          return 0;
        });
      }
      return { schedules: schedules.length, missed };
    } finally {
      await lease.release();
    }
  }

  /** Runs now and every `intervalMs`; the returned function stops it and waits for a pass under way. */
  function start(intervalMs: number): () => Promise<void> {
    let stopped = false;
    let running: Promise<void> | null = null;
    const tick = () => {
      // A pass slower than the interval is not overlapped by the next one.
      if (stopped || running !== null) return;
      running = runOnce(Math.max(intervalMs, 1_000))
        .then(
          () => undefined,
          (error: unknown) => {
            if (!stopped) deps.logger.warn({ err: error }, 'missed-run check failed; will try again');
          },
        )
        .finally(() => {
          running = null;
        });
    };
    tick();
    const timer = setInterval(tick, intervalMs);
    timer.unref();
    return async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    };
  }

  return { runOnce, start };
}
export type MissedRunCheck = ReturnType<typeof createMissedRunCheck>;
