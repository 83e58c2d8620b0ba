import { isLevelColumn } from '../summary/columns.js';
import { labelForColumn, orderColumns } from '../summary/labels.js';
import { levelFiguresOf } from '../summary/level-figures.js';
import type { ColumnChange, ReportSummary, SummaryComparison, TopList } from '../summary/types.js';
import { buildInsightsView, type InsightsView } from './insights-view.js';
import { formatBytes, formatChange, formatNumber, formatPercent, formatPeriod, formatTimestamp, singleLine, type ChangeDirection } from './format.js';

/**
 * What the report email says, as plain (unescaped, single-line) strings. The HTML and text
 * renderers both draw this one model, so the two versions cannot drift apart in content.
 */

export interface ReportEmailInput {
  reportId: string;
  instanceId: string;
  request: {
    start?: string;
    end?: string;
    resourceGroupBy?: string;
    dateGroupBy?: string;
    includeSandbox?: boolean;
    scheduleName?: string;
  };
  summary: ReportSummary;
  comparison: SummaryComparison | null;
  archiveLocation: string | null;
  /** A presigned link to the archived CSV and when it stops working (EMAIL_ARCHIVE_LINK_HOURS). */
  archiveLink?: { url: string; expiresAt: Date } | null;
  attachment: { filename: string; bytes: number; compressed: boolean } | { omittedReason: string } | null;
  generatedAt: Date;
  /** The inline chart attached beside the email (src/delivery/report-chart.ts); absent or null: none. */
  chart?: ChartRef | null;
}

/** An inline picture: the attachment's Content-ID, its size in pixels and what it shows. */
export interface ChartRef {
  cid: string;
  alt: string;
  width: number;
  height: number;
}

export interface ViewChange {
  direction: ChangeDirection;
  text: string;
  previous: string;
}

export interface FigureRow {
  label: string;
  /** One per heading of the table. */
  values: string[];
  change: ViewChange | null;
}

/** Metric name, the figures under `headings`, then (when any row has one) previous and change. */
export interface FigureTable {
  /** What the first column's cells are; absent: metrics. */
  labelHeading?: string;
  headings: string[];
  rows: FigureRow[];
}

/** Level columns (devices, users, storage...): peak and latest, never their sum over periods. */
export interface LevelsView {
  /** What peak and latest mean, or why they are missing. */
  note: string;
  table: FigureTable | null;
}

export interface TopRow {
  rank: number;
  name: string;
  /** Shown beside the name when it differs from it. */
  id: string | null;
  value: string;
  /** 0..100, for the bar. */
  sharePercent: number;
  share: string;
}

export interface TopTable {
  title: string;
  rows: TopRow[];
}

export interface ReportView {
  subject: string;
  title: string;
  period: string;
  grouping: string;
  facts: Array<{ label: string; value: string }>;
  comparisonNote: string | null;
  /** Says that the resource count and top lists stopped at the resource cap while the totals did not; null when they did not stop. */
  cappedNote: string | null;
  /** Flow columns (payloads, notebook minutes...) with their totals; null when there are none. */
  totals: FigureTable | null;
  levels: LevelsView | null;
  topTables: TopTable[];
  badRows: { summary: string; examples: string[] } | null;
  /** The inline chart, with its per-period figures as a table so a reader who blocks pictures gets the same facts. */
  chart: { ref: ChartRef; series: FigureTable | null } | null;
  /** Limits, projections and reconciliation (src/insights); null when the summary has none. */
  insights: InsightsView | null;
  archiveNote: string;
  /** The link is the whole URL (never cut); the note says until when it works. */
  archiveLink: { url: string; note: string } | null;
  attachmentNote: string;
  footer: string;
}

const MAX_BAD_ROW_EXAMPLES = 5;
const NAME_LENGTH = 60;
/** As many periods as the chart draws at most (DEFAULT_CHART_OPTIONS.maxPoints). */
const MAX_SERIES_ROWS = 62;

export function buildReportView(input: ReportEmailInput): ReportView {
  const { summary, request, comparison } = input;
  const resource = knownGrouping(request.resourceGroupBy) ?? knownGrouping(summary.grouping.resource);
  const dateGrouping = knownDateGrouping(request.dateGroupBy) ?? knownDateGrouping(summary.grouping.date);
  const period = formatPeriod(summary.period.start ?? request.start, summary.period.end ?? request.end);
  const groupingParts = [resource ? `by ${resource}` : 'by resource', dateGrouping ? `per ${dateGrouping}` : null];
  const grouping = groupingParts.filter((part) => part !== null).join(', ');
  const scheduleName = request.scheduleName ? singleLine(request.scheduleName, 60) : '';
  const resourcePlural = resource === 'organization' ? 'organizations' : resource === 'application' ? 'applications' : 'resources';

  // Built only from sanitized pieces; nodemailer encodes the header, singleLine keeps CR/LF out of it.
  const subject = singleLine(`Losant usage report ${period}, ${grouping}${scheduleName !== '' ? ` (${scheduleName})` : ''}`, 200);

  const facts = [
    { label: 'Period', value: period },
    { label: 'Grouping', value: grouping },
    ...(scheduleName !== '' ? [{ label: 'Schedule', value: scheduleName }] : []),
    { label: 'Rows', value: formatNumber(summary.rows) },
    { label: capitalize(resourcePlural), value: formatNumber(summary.resourceCount) },
    ...(request.includeSandbox !== undefined ? [{ label: 'Sandbox', value: request.includeSandbox ? 'included' : 'not included' }] : []),
    { label: 'Instance', value: singleLine(input.instanceId, 64) },
    { label: 'Report', value: singleLine(input.reportId, 64) },
  ];

  const columns = orderColumns(Object.keys(summary.totals), summary.columns);
  const flows = columns.filter((column) => !isLevelColumn(column));
  const figureRow = (column: string, values: number[]): FigureRow => ({
    label: singleLine(labelForColumn(column), NAME_LENGTH),
    values: values.map(formatNumber),
    change: viewChange(comparison, column),
  });
  const totals = flows.length > 0 ? { headings: ['Total'], rows: flows.map((column) => figureRow(column, [summary.totals[column] ?? 0])) } : null;
  const levelColumns = columns.filter((column) => isLevelColumn(column));
  const levels = levelColumns.length > 0 ? levelsView(summary, levelColumns, { dateWord: dateGrouping ?? 'period', resourcePlural }, figureRow) : null;

  return {
    subject,
    title: 'Losant usage report',
    period,
    grouping,
    facts,
    comparisonNote: comparison
      ? `Change against the previous report ${singleLine(comparison.previousReportId, 64)} (${formatPeriod(comparison.previousPeriod.start, comparison.previousPeriod.end)}).`
      : null,
    cappedNote: summary.resourcesCapped > 0 ? cappedNote(summary, resourcePlural) : null,
    totals,
    levels,
    topTables: summary.top.filter((list) => list.entries.length > 0).map((list) => topTable(list, resourcePlural)),
    badRows: summary.badRowCount > 0 ? badRowsView(summary) : null,
    chart: input.chart ? { ref: { ...input.chart, alt: singleLine(input.chart.alt, 300) }, series: seriesTable(summary, dateGrouping) } : null,
    insights: summary.insights ? buildInsightsView(summary.insights) : null,
    archiveNote: input.archiveLocation ? `The original CSV is archived at ${singleLine(input.archiveLocation, 300)}` : 'The original CSV was not archived.',
    archiveLink: input.archiveLink
      ? { url: input.archiveLink.url, note: `Download the original CSV (the link works until ${formatTimestamp(input.archiveLink.expiresAt)}):` }
      : null,
    attachmentNote: attachmentNote(input.attachment),
    footer: `Generated by report-relay at ${formatTimestamp(input.generatedAt)}.`,
  };
}

/** Past the cap resourceCount is the cap itself: no resource after it was counted. */
function cappedNote(summary: ReportSummary, resourcePlural: string): string {
  const cap = formatNumber(summary.resourceCount);
  const rows = summary.resourcesCapped;
  const [noun, verb] = rows === 1 ? ['row', 'was'] : ['rows', 'were'];
  return (
    `This report names more than ${cap} ${resourcePlural}; the ${formatNumber(rows)} ${noun} of ${resourcePlural} past the first ${cap} ${verb} ` +
    `counted in the totals only, not in the number of ${resourcePlural} or the top lists.`
  );
}

function topTable(list: TopList, resourcePlural: string): TopTable {
  const label = singleLine(list.label !== '' ? list.label : labelForColumn(list.column), NAME_LENGTH);
  return {
    title: `Top ${resourcePlural} by ${label.charAt(0).toLowerCase()}${label.slice(1)}`,
    rows: list.entries.map((entry, index) => {
      const share = Number.isFinite(entry.share) ? Math.min(Math.max(entry.share, 0), 1) : 0;
      const name = singleLine(entry.name, NAME_LENGTH);
      const id = singleLine(entry.id, NAME_LENGTH);
      return {
        rank: index + 1,
        name: name !== '' ? name : id,
        id: id !== '' && id !== name ? id : null,
        value: formatNumber(entry.value),
        sharePercent: Math.round(share * 1000) / 10,
        share: formatPercent(share),
      };
    }),
  };
}

function viewChange(comparison: SummaryComparison | null, column: string): ViewChange | null {
  const change: ColumnChange | undefined = comparison && Object.hasOwn(comparison.totals, column) ? comparison.totals[column] : undefined;
  return change ? { ...formatChange(change), previous: formatNumber(change.previous) } : null;
}

function levelsView(
  summary: ReportSummary,
  columns: string[],
  words: { dateWord: string; resourcePlural: string },
  figureRow: (column: string, values: number[]) => FigureRow,
): LevelsView {
  const { dateWord, resourcePlural } = words;
  const rows = columns.flatMap((column) => {
    const figures = levelFiguresOf(summary, column);
    return figures ? [figureRow(column, [figures.peak, figures.latest])] : [];
  });
  // Figures are missing only when levels could not be computed, or from a summary stored before they existed.
  const reason = summary.levelsUnavailable ? singleLine(summary.levelsUnavailable, 200) : 'this summary has no peak or latest figures';
  if (rows.length === 0) return { note: `Devices, users, storage and other counts at a moment are not shown: ${reason}.`, table: null };
  const note = [
    `Counts at a moment (devices, users, storage...) are not added up over ${dateWord}s.`,
    `Peak per ${dateWord}: the highest sum across ${resourcePlural} on one ${dateWord}. Last ${dateWord}: the sum on the report's last ${dateWord}.`,
    rows.some((row) => row.change !== null) ? `Changes compare the last ${dateWord}.` : '',
    rows.length < columns.length ? `Some are not shown: ${reason}.` : '',
  ];
  return {
    note: note.filter((sentence) => sentence !== '').join(' '),
    table: { headings: [`Peak per ${dateWord}`, `Last ${dateWord}`], rows },
  };
}

/** The per-period series as rows (period, then one figure per column), the last MAX_SERIES_ROWS periods as the chart draws them. */
function seriesTable(summary: ReportSummary, dateGrouping: 'day' | 'month' | null): FigureTable | null {
  const series = summary.periodSeries;
  if (!series || series.starts.length === 0) return null;
  const columns = Object.keys(series.columns);
  const from = Math.max(0, series.starts.length - MAX_SERIES_ROWS);
  return {
    labelHeading: capitalize(dateGrouping ?? 'period'),
    headings: columns.map((column) => singleLine(labelForColumn(column), NAME_LENGTH)),
    rows: series.starts.slice(from).map((start, offset) => ({
      label: start.slice(0, 10),
      values: columns.map((column) => {
        const value = series.columns[column]?.[from + offset];
        return value === null || value === undefined ? '' : formatNumber(value);
      }),
      change: null,
    })),
  };
}

function badRowsView(summary: ReportSummary): { summary: string; examples: string[] } {
  const count = summary.badRowCount;
  return {
    summary: `${formatNumber(count)} ${count === 1 ? 'row' : 'rows'} could not be read and ${count === 1 ? 'is' : 'are'} left out of the totals.`,
    examples: summary.badRows.slice(0, MAX_BAD_ROW_EXAMPLES).map((row) => `line ${formatNumber(row.line)}: ${singleLine(row.reason, 160)}`),
  };
}

function attachmentNote(attachment: ReportEmailInput['attachment']): string {
  if (attachment === null) return 'The CSV is not attached to this email.';
  if ('omittedReason' in attachment) return `The CSV is not attached: ${singleLine(attachment.omittedReason, 200)}`;
  const how = attachment.compressed ? ', gzip-compressed' : '';
  return `The CSV is attached as ${singleLine(attachment.filename, 120)} (${formatBytes(attachment.bytes)}${how}).`;
}

function knownGrouping(value: string | undefined): 'organization' | 'application' | null {
  return value === 'organization' || value === 'application' ? value : null;
}

function knownDateGrouping(value: string | undefined): 'day' | 'month' | null {
  return value === 'day' || value === 'month' ? value : null;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
