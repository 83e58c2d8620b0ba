import { LEVEL_WORDS, metricLabel, MOVERS_LABEL, PART_LABELS } from '../insights/labels.js';
import type { InsightLevel, Mover, Movers, ReportInsights } from '../insights/types.js';
import { formatNumber, singleLine } from './format.js';

/**
 * The insights part of the report email as plain strings: one table per part, drawn by both
 * renderers. Rows are flagged by level so the HTML can colour them; the words say it too.
 */

export interface InsightTable {
  title: string;
  notes: string[];
  headers: string[];
  rows: Array<{ cells: string[]; level: InsightLevel | null }>;
}

export interface InsightsView {
  tables: InsightTable[];
  /** "Month-end projection: unavailable (Losant failed: ...)". */
  unavailable: string[];
}

const NAME_LENGTH = 60;
const percentText = (percent: number | null): string => (percent === null ? '-' : `${percent.toFixed(1)}%`);
const limitText = (limit: number | null): string => (limit === null ? 'unknown' : formatNumber(limit));

export function buildInsightsView(insights: ReportInsights): InsightsView {
  const tables: InsightTable[] = [];
  const unavailable = insights.unavailable.map((entry) => singleLine(`${PART_LABELS[entry.part]}: ${entry.reason}`, 300));

  if (insights.limits.length > 0) {
    // Every instance figure; of the organizations, those that need attention (the rest are within limits).
    const shown = insights.limits.filter((finding) => finding.scope === 'instance' || finding.level !== 'ok');
    const withinLimits = insights.limits.length - shown.length;
    tables.push({
      title: PART_LABELS.limits,
      notes: [
        `Warning at ${insights.warningPercent}% of a limit, over above 100%.` +
          (withinLimits > 0 ? ` ${formatNumber(withinLimits)} other figures of organizations are within their limits.` : ''),
      ],
      headers: ['Organization', 'Metric', 'Used', 'Limit', 'Percent', 'Level'],
      rows: shown.map((finding) => ({
        cells: [
          finding.scope === 'instance' ? `Instance ${singleLine(finding.name, NAME_LENGTH)}` : singleLine(finding.name, NAME_LENGTH),
          metricLabel(finding.metric),
          formatNumber(finding.used),
          limitText(finding.limit),
          percentText(finding.percent),
          LEVEL_WORDS[finding.level],
        ],
        level: finding.level,
      })),
    });
  }

  if (insights.projections.length > 0) {
    const first = insights.projections[0];
    tables.push({
      title: PART_LABELS.projection,
      notes: first
        ? [
            `Linear: the daily rate over the ${first.daysCovered} days covered, times the ${first.daysInMonth} days of the month (${first.month.start.slice(0, 7)}).`,
          ]
        : [],
      headers: ['Organization', 'Metric', 'So far', 'Projected', 'Limit', 'Percent', 'Level'],
      rows: insights.projections.map((projection) => ({
        cells: [
          singleLine(projection.name, NAME_LENGTH),
          metricLabel(projection.metric),
          formatNumber(projection.usedSoFar),
          formatNumber(projection.projected),
          limitText(projection.limit),
          percentText(projection.projectedPercent),
          LEVEL_WORDS[projection.level],
        ],
        level: projection.level,
      })),
    });
  }

  const reconciliation = insights.reconciliation;
  if (reconciliation) {
    const flagged = reconciliation.differences.filter((difference) => difference.flagged);
    tables.push({
      title: PART_LABELS.reconciliation,
      notes: [
        flagged.length === 0
          ? `${formatNumber(reconciliation.differences.length)} day figures compared; none differs by more than ${percentText(reconciliation.tolerance * 100)}.`
          : `${formatNumber(flagged.length)} of ${formatNumber(reconciliation.differences.length)} day figures differ by more than ${percentText(reconciliation.tolerance * 100)}:`,
      ],
      headers: ['Day', 'Metric', 'Report', 'Losant', 'Difference'],
      rows: flagged.map((difference) => ({
        cells: [
          difference.period.start.slice(0, 10),
          metricLabel(difference.metric),
          formatNumber(difference.report),
          formatNumber(difference.losant),
          `${difference.difference > 0 ? '+' : ''}${formatNumber(difference.difference)} (${percentText(Math.round(difference.relative * 1000) / 10)})`,
        ],
        level: 'over',
      })),
    });
    for (const driver of reconciliation.drivers) {
      tables.push({
        title: 'Payload sources',
        notes: [`What drove the ${formatNumber(driver.total)} billable payloads of ${driver.period.start.slice(0, 10)} to ${driver.period.end.slice(0, 10)}.`],
        headers: ['Source', 'Payloads', 'Share'],
        rows: driver.sources.map((source) => ({
          cells: [singleLine(source.source, NAME_LENGTH), formatNumber(source.count), percentText(Math.round(source.share * 1000) / 10)],
          level: null,
        })),
      });
    }
  }
  // Absent on summaries stored before movers existed; null when they could not be read.
  if (insights.movers !== undefined) tables.push(moversTable(insights.movers));
  return { tables, unavailable };
}

const changeText = (change: number): string => `${change > 0 ? '+' : ''}${formatNumber(change)}`;

/** Top movers up and down, both months' figures beside the change; one line when there is no history to compare. */
function moversTable(movers: Movers | null): InsightTable {
  const table: InsightTable = { title: MOVERS_LABEL, notes: [], headers: [], rows: [] };
  if (movers === null) {
    table.notes.push('Month over month: unavailable (the organizations’ monthly figures could not be read).');
    return table;
  }
  const { latestMonth, previousMonth } = movers;
  if (movers.compared === 0) {
    table.notes.push(
      `No month-over-month history yet: no organization has whole-month figures for both ${previousMonth} and ${latestMonth} (backfill them from Losant with POST /admin/insights/backfill).`,
    );
    return table;
  }
  table.notes.push(
    `${metricLabel(movers.metric)}, ${latestMonth} against ${previousMonth} (whole months), ${formatNumber(movers.compared)} organizations compared.` +
      (movers.up.length === 0 && movers.down.length === 0 ? ' None changed.' : ''),
  );
  table.headers = ['Organization', 'Direction', previousMonth, latestMonth, 'Change', 'Percent'];
  const row = (direction: string, mover: Mover) => ({
    cells: [
      singleLine(mover.name, NAME_LENGTH),
      direction,
      formatNumber(mover.previous),
      formatNumber(mover.latest),
      changeText(mover.change),
      mover.percent === null ? '-' : `${mover.percent > 0 ? '+' : ''}${mover.percent.toFixed(1)}%`,
    ],
    level: null,
  });
  table.rows = [...movers.up.map((mover) => row('up', mover)), ...movers.down.map((mover) => row('down', mover))];
  return table;
}
