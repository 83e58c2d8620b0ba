import { CronExpressionParser } from 'cron-parser';
import type { ReportConfig } from '../losant/request-schemas.js';
import { errorMessage } from '../errors.js';

/**
 * Runs report configs on their cron schedule. Losant documents neither the timezone format nor
 * its default; the simulator takes IANA names and defaults to UTC. One timer per config, set to
 * the next fire time but never further than MAX_TIMER_MS ahead (setTimeout overflows at about
 * 24.8 days), so a far fire time is approached in hops. Timers are unref'd: a schedule never
 * keeps a process alive.
 */

const MAX_TIMER_MS = 20 * 86_400_000;
export const DEFAULT_TIMEZONE = 'UTC';

export function isValidTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/** Why a config cannot be scheduled ("cron: ..." / "timezone: ..."), or null. */
export function scheduleProblem(config: Pick<ReportConfig, 'cron' | 'timezone'>): string | null {
  const timezone = config.timezone ?? DEFAULT_TIMEZONE;
  if (!isValidTimezone(timezone)) return `timezone: "${timezone}" is not an IANA time zone name, e.g. America/New_York`;
  try {
    CronExpressionParser.parse(config.cron, { tz: timezone });
    return null;
  } catch (error) {
    return `cron: ${errorMessage(error)}`;
  }
}

export function nextFireTime(config: Pick<ReportConfig, 'cron' | 'timezone'>, after: Date): Date {
  return CronExpressionParser.parse(config.cron, { tz: config.timezone ?? DEFAULT_TIMEZONE, currentDate: after })
    .next()
    .toDate();
}

export interface ScheduledConfig extends Pick<ReportConfig, 'cron' | 'timezone'> {
  id: string;
}

export function createScheduler<T extends ScheduledConfig>(options: { now: () => Date; onFire: (config: T, at: Date) => void }) {
  const timers = new Map<string, { timer: NodeJS.Timeout; due: Date }>();
  let closed = false;

  const arm = (config: T, due: Date) => {
    if (closed) return;
    const wait = Math.min(Math.max(0, due.getTime() - options.now().getTime()), MAX_TIMER_MS);
    const timer = setTimeout(() => {
      timers.delete(config.id);
      if (options.now().getTime() < due.getTime()) {
        arm(config, due);
        return;
      }
      options.onFire(config, due);
      // From the slot just fired, so a clock that stands still cannot fire the same slot twice.
      const from = new Date(Math.max(options.now().getTime(), due.getTime()));
      arm(config, nextFireTime(config, from));
    }, wait);
    timer.unref();
    timers.set(config.id, { timer, due });
  };

  const clear = () => {
    for (const { timer } of timers.values()) clearTimeout(timer);
    timers.clear();
  };

  return {
    /** Replaces every schedule (the configs must already be valid). */
    replace(configs: readonly T[]): void {
      clear();
      for (const config of configs) arm(config, nextFireTime(config, options.now()));
    },
    /** The next fire time of each scheduled config, by id. */
    nextRuns(): Map<string, Date> {
      return new Map([...timers].map(([id, { due }]) => [id, due]));
    },
    close(): void {
      closed = true;
      clear();
    },
  };
}
