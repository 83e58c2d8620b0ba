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
