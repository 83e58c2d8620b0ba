import { CronExpressionParser } from 'cron-parser';

/** What fire times are computed from: a schedule's 5-field cron in its IANA time zone. */
export interface CronSchedule {
  cron: string;
  timezone: string;
}

/**
 * The times a schedule fires at in (after, through], oldest first; only the latest `max` when
 * there are more.
 *
 * The times are those a scheduler meets stepping forward from one fire time to the next (how
 * Losant, and the simulator, run a config). cron-parser's backward steps disagree with its forward
 * steps around a change of daylight saving time: backwards, a spring-forward day's 02:30 is
 * skipped and a fall-back day's 01:30 comes twice, while forwards it is 03:30 once and 01:30 once.
 * So backward steps only find a starting point, a few fire times before the window's latest
 * `max`, and the times themselves come from forward steps.
 */
export function fireTimesBetween(schedule: CronSchedule, window: { after: Date | null; through: Date }, max: number): Date[] {
  if (max < 1) return [];
  const after = window.after?.getTime() ?? Number.NEGATIVE_INFINITY;
  const through = window.through.getTime();
  // A backward step that skipped a DST hour is made up for by the forward steps; two steps of
  // margin make up for ones that repeated an hour. Should times still be short, the search goes
  // further back, until the window's start or `max` times are reached.
  for (let steps = max + 2; ; steps *= 2) {
    const backwards = CronExpressionParser.parse(schedule.cron, { tz: schedule.timezone, currentDate: new Date(through + 1) });
    let start = backwards.prev().toDate();
    for (let step = 1; step < steps && start.getTime() > after; step += 1) start = backwards.prev().toDate();
    const times = forwardFrom(schedule, start, after, through, max);
    if (times.length >= max || start.getTime() <= after) return times;
  }
}

/** Fire times in (after, through] met stepping forward from `start` (never itself), the latest `max`. */
function forwardFrom(schedule: CronSchedule, start: Date, after: number, through: number, max: number): Date[] {
  // No start or end date is set, so the iterator never runs out.
  const forwards = CronExpressionParser.parse(schedule.cron, { tz: schedule.timezone, currentDate: start });
  const times: Date[] = [];
  for (;;) {
    const time = forwards.next().toDate();
    if (time.getTime() > through) return times;
    if (time.getTime() <= after) continue;
    times.push(time);
    if (times.length > max) times.shift();
  }
}

/**
 * The latest time the schedule fired at or before `at`, as forward steps meet it (see
 * fireTimesBetween), or null when it never fired before.
 */
export function latestFireTime(schedule: CronSchedule, at: Date): Date | null {
  return fireTimesBetween(schedule, { after: null, through: at }, 1)[0] ?? null;
}

/**
 * Which run of a schedule a callback belongs to when its body names no Losant job: the latest
 * time the schedule fired at or before `at` (its report covers the periods up to then), as ISO.
 * A resend of the same run comes before the next fire time, so it names the same run.
 */
export function runFireTime(schedule: CronSchedule, at: Date): string {
  // A valid cron fires at least once in any leap-year cycle; `at` itself stands in if it never did.
  return (latestFireTime(schedule, at) ?? at).toISOString();
}

/**
 * The next `count` times the schedule fires after `from` (never `from` itself), oldest first, as a
 * scheduler stepping forward meets them (see fireTimesBetween): what a page shows as upcoming runs.
 */
export function nextFireTimes(schedule: CronSchedule, from: Date, count: number): Date[] {
  // No start or end date is set, so the iterator never runs out.
  const forwards = CronExpressionParser.parse(schedule.cron, { tz: schedule.timezone, currentDate: from });
  return Array.from({ length: Math.max(0, count) }, () => forwards.next().toDate());
}
