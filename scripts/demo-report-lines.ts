/**
 * What the demo prints about its report: the summary and where the email and the archived files
 * are when it was delivered, or why it was not. Plain lines, each starting with a fixed label, so
 * a reader (or the test, test/integration/demo.test.ts) finds the same thing in the same place.
 */
import { fileURLToPath } from 'node:url';
import type { ReportRecord } from '../src/reports/record.js';

/** A file path for a file: archive location (what a user can open); other targets' locations as they are. */
function placeOf(location: string): string {
  return location.startsWith('file:') ? fileURLToPath(location) : location;
}

/** The statuses a report went through, a repeated one (a note on the same status) shown once. */
export function historyLine(record: ReportRecord): string {
  return record.history
    .map((entry) => entry.status)
    .filter((status, index, all) => index === 0 || all[index - 1] !== status)
    .join(' -> ');
}

function summaryLines(record: ReportRecord): string[] {
  const { summary } = record;
  if (summary === null) return ['(no summary)'];
  const lines = [
    `Rows ${summary.rows} (${summary.badRowCount} bad), ${summary.resourceCount} ${summary.grouping.resource}s, ${summary.period.start ?? '?'} .. ${summary.period.end ?? '?'}`,
  ];
  const per = summary.grouping.date === 'unknown' ? 'period' : summary.grouping.date;
  for (const column of ['payloadBillableCount', 'deviceCount', 'notebookMinutesCount'].filter((name) => name in summary.totals)) {
    const level = Object.hasOwn(summary.levels, column) ? summary.levels[column] : undefined;
    if (level) {
      const on = level.peakPeriod === null ? '' : ` on ${level.peakPeriod.slice(0, 10)}`;
      lines.push(`  ${column}: peak ${level.peak.toLocaleString('en-US')} per ${per}${on}, latest ${level.latest.toLocaleString('en-US')}`);
    } else lines.push(`  total ${column}: ${summary.totals[column]?.toLocaleString('en-US') ?? '?'}`);
  }
  if (summary.levelsUnavailable) lines.push(`  levels not computed: ${summary.levelsUnavailable}`);
  for (const list of summary.top.slice(0, 1)) {
    lines.push(`Top by ${list.label}:`);
    for (const entry of list.entries.slice(0, 5))
      lines.push(`  ${entry.name.padEnd(32)} ${entry.value.toLocaleString('en-US').padStart(14)}  ${(entry.share * 100).toFixed(1)}%`);
  }
  return lines;
}

function emailLine(record: ReportRecord): string {
  const { email } = record;
  if (email === null) return 'not sent (no recipients)';
  if (email.outboxPath !== null) return email.outboxPath;
  return `sent to ${email.accepted.join(', ')}, Message-ID ${email.messageId}`;
}

/** A delivered report: its history, summary, and where the email and the archived files are. */
export function deliveredLines(record: ReportRecord): string[] {
  return [
    `Report ${record.id} delivered: ${historyLine(record)}`,
    ...summaryLines(record),
    ...insightLines(record),
    '',
    `Email         ${emailLine(record)}`,
    `Archived CSV  ${record.archive ? placeOf(record.archive.csv.location) : '(not archived)'}`,
    `Summary JSON  ${record.archive?.summary ? placeOf(record.archive.summary.location) : '(not archived)'}`,
  ];
}

/** A report that ended without being delivered, or was still on its way when the wait ended. */
export function notDeliveredLines(record: ReportRecord, waitedSeconds: number): string[] {
  const { error } = record;
  const reason = error ? `${error.step} step: ${error.code}: ${error.message}` : null;
  if (record.status === 'failed') return [`Report ${record.id} failed at the ${reason ?? 'unknown step'}`, `History: ${historyLine(record)}`];
  if (record.status === 'unrecognized') {
    return [`Report ${record.id} was not delivered: its callback was not understood (${record.interpretation?.reason ?? 'no reason given'})`];
  }
  return [
    `Report ${record.id} was not delivered within ${waitedSeconds} s: it is at ${record.status} (${historyLine(record)})`,
    ...(reason ? [`Last error: ${reason} (${error?.permanent ? 'permanent' : 'it would be retried'})`] : []),
    `Wait longer with: npm run demo -- --timeout <seconds>; LOG_LEVEL=info shows what the service does.`,
  ];
}

const DAY_MS = 86_400_000;

/**
 * The days the demo reports on, by day: this month up to the end of yesterday (UTC), so the month
 * is partly covered and its end can be projected. On a month's first day there is no such day
 * yet, and the previous month's first fifteen days stand in.
 */
export function demoRange(now: Date): { start: Date; end: Date } {
  const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  if (today > monthStart) return { start: new Date(monthStart), end: new Date(today - 1) };
  const previous = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1);
  // Losant-style ranges include the bucket that holds `end`: end on the last millisecond of the fifteenth day.
  return { start: new Date(previous), end: new Date(previous + 15 * DAY_MS - 1) };
}

/** The insights in a few lines: limits flagged, projections over, days that disagree with Losant, and what was unavailable. */
function insightLines(record: ReportRecord): string[] {
  const insights = record.summary?.insights;
  if (!insights) return [];
  const flagged = insights.limits.filter((finding) => finding.level === 'warning' || finding.level === 'over');
  const lines = [`Insights (warning at ${insights.warningPercent}%):`];
  for (const finding of flagged)
    lines.push(
      `  ${finding.level.padEnd(7)} ${finding.name} ${finding.metric}: ${finding.used.toLocaleString('en-US')} of ${finding.limit?.toLocaleString('en-US') ?? '?'} (${finding.percent ?? '?'}%)`,
    );
  for (const projection of insights.projections.filter((entry) => entry.level === 'warning' || entry.level === 'over'))
    lines.push(
      `  month-end ${projection.name} ${projection.metric}: ${projection.projected.toLocaleString('en-US')} projected from ${projection.daysCovered} of ${projection.daysInMonth} days (${projection.projectedPercent ?? '?'}% of its limit)`,
    );
  const reconciliation = insights.reconciliation;
  if (reconciliation !== null) {
    const off = reconciliation.differences.filter((difference) => difference.flagged);
    lines.push(
      `  reconciliation with Losant's counts: ${reconciliation.differences.length} comparisons, ${off.length} above ${reconciliation.tolerance * 100}%`,
    );
  }
  const movers = insights.movers;
  if (movers) {
    const percent = (value: number | null) => (value === null ? 'new' : `${value > 0 ? '+' : ''}${value}%`);
    const names = (list: typeof movers.up) => list.map((mover) => `${mover.name} ${percent(mover.percent)}`).join(', ') || 'none';
    lines.push(
      `  movers ${movers.previousMonth} -> ${movers.latestMonth} (${movers.metric}, ${movers.compared} organizations): up ${names(movers.up)}; down ${names(movers.down)}`,
    );
  }
  for (const part of insights.unavailable) lines.push(`  ${part.part} unavailable: ${part.reason}`);
  return lines;
}
