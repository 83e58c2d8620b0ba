import type { ReportRecord, ReportStatus } from '../../reports/record.js';
import type { SeriesOverview } from '../../reports/report-queries.js';
import { REPORT_STATUSES } from '../../reports/state-machine.js';
import type { MissedRun } from '../../schedules/missed-run.js';
import type { Schedule } from '../../schedules/schedule.js';
import type { UiDeps } from '../deps.js';
import { periodTag, reportHref, scheduleHref, statusBadge, timeTag } from '../format.js';
import { dataTable } from '../data-table.js';
import { html, type SafeHtml } from '../html.js';
import type { UiPage } from '../page.js';
import { monthlyUsage } from '../monthly-usage.js';

/** The statuses that need someone: a run that ended badly, or a callback that did not come. */
const ATTENTION: readonly ReportStatus[] = ['failed', 'unrecognized', 'overdue'];
/** Rows per table: the overview shows the newest; the full lists are other pages' job. */
const ROWS = 20;
/** Months of the instance's usage shown: three years. */
const MONTHS_SHOWN = 36;

/** Why a report needs attention, in a sentence. */
function trouble(report: ReportRecord): string {
  if (report.error) return `${report.error.step}: ${report.error.message}`;
  if (report.status === 'unrecognized') return report.interpretation?.reason ?? 'The callback was not understood';
  if (report.status === 'overdue') return 'No callback came from Losant in time';
  return '';
}

function reportName(report: ReportRecord): SafeHtml {
  return report.scheduleId !== null
    ? html`<a href="${scheduleHref(report.scheduleId)}">${report.scheduleName ?? report.scheduleId}</a>`
    : html`<span class="muted">on request</span>`;
}

async function needingAttention(deps: UiDeps): Promise<ReportRecord[]> {
  const lists = await Promise.all(ATTENTION.map((status) => deps.store.list({ status, offset: 0, limit: ROWS })));
  return lists
    .flatMap((list) => list.items)
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
    .slice(0, ROWS);
}

/** Each series' newest report and newest delivery, newest first (one read of the per-series index, every series at any age). */
async function latestOfEachSeries(deps: UiDeps): Promise<SeriesOverview[]> {
  const series = await deps.store.latestPerSeries();
  const newest = (entry: SeriesOverview) => entry.latest?.createdAt ?? '';
  return series.sort((a, b) => newest(b).localeCompare(newest(a)));
}

function attentionTable(reports: readonly ReportRecord[]): SafeHtml {
  if (reports.length === 0) return html`<p class="empty">No report needs attention.</p>`;
  return dataTable({
    caption: 'Reports that failed, whose callback was not understood, or whose callback is overdue, newest change first',
    rows: reports,
    rowHeader: { header: 'Report', cell: (report) => html`<a href="${reportHref(report.id)}">${report.id}</a>` },
    columns: [
      { header: 'Status', cell: (report) => statusBadge(report.status) },
      { header: 'Schedule', cell: reportName },
      { header: 'Since', cell: (report) => timeTag(report.updatedAt) },
      { header: 'What happened', cell: trouble, attributes: html` class="message"` },
    ],
  });
}

function missedRunsTable(runs: ReadonlyArray<{ schedule: Schedule; run: MissedRun }>): SafeHtml {
  if (runs.length === 0) return html`<p class="empty">No schedule run is missing.</p>`;
  return dataTable({
    caption: 'Schedule runs whose callback did not come in time and that were not asked for again, newest first',
    rows: runs,
    rowHeader: { header: 'Schedule', cell: ({ schedule }) => html`<a href="${scheduleHref(schedule.id)}">${schedule.name}</a>` },
    columns: [
      { header: 'Fired', cell: ({ run }) => timeTag(run.fireTime) },
      { header: 'Period', cell: ({ run }) => html`${timeTag(run.period.start)} – ${timeTag(run.period.end)}` },
      { header: 'Noticed', cell: ({ run }) => timeTag(run.detectedAt) },
    ],
  });
}

function seriesName(entry: SeriesOverview): SafeHtml {
  return entry.latest === null ? html`<code>${entry.seriesKey}</code>` : reportName(entry.latest);
}

function seriesTable(series: readonly SeriesOverview[]): SafeHtml {
  if (series.length === 0) return html`<p class="empty">No report was made yet.</p>`;
  return dataTable({
    caption:
      'The newest delivered report of each series (a schedule, or reports requested with the same options) and its newest report of any status, most recently active series first',
    rows: series,
    rowHeader: { header: 'Series', cell: seriesName },
    columns: [
      { header: 'Reports', cell: (entry) => entry.reportCount },
      {
        header: 'Newest report',
        cell: (entry) =>
          entry.latest === null
            ? html`<span class="muted">no longer kept</span>`
            : entry.latest.id === entry.latestDelivered?.reportId
              ? html`<span class="muted">the delivered one</span>`
              : html`<a href="${reportHref(entry.latest.id)}">${entry.latest.id}</a> ${statusBadge(entry.latest.status)}`,
      },
      {
        header: 'Latest delivered',
        cell: (entry) =>
          entry.latestDelivered === null
            ? html`<span class="muted">none yet</span>`
            : html`<a href="${reportHref(entry.latestDelivered.reportId)}">${entry.latestDelivered.reportId}</a>`,
      },
      {
        header: 'Its period',
        cell: (entry) =>
          entry.latestDelivered === null
            ? html`<span class="muted">—</span>`
            : periodTag(entry.latestDelivered.summary.period.start, entry.latestDelivered.summary.period.end),
      },
    ],
  });
}

function statusCounts(counts: Record<ReportStatus, number>): SafeHtml {
  const shown = REPORT_STATUSES.filter((status) => counts[status] > 0);
  return html`<section aria-labelledby="counts-title">
    <h2 id="counts-title">Reports by status</h2>
    ${
      shown.length === 0
        ? html`<p class="empty">No reports yet.</p>`
        : html`<ul class="counts">
            ${shown.map((status) => html`<li>${statusBadge(status)} <strong>${counts[status]}</strong></li>`)}
          </ul>
          <div
            class="chart"
            role="img"
            aria-label="Bar chart of the counts above"
            data-status-counts="${JSON.stringify(Object.fromEntries(shown.map((status) => [status, counts[status]])))}"
          ></div>`
    }
  </section>`;
}

/** The first page: what needs someone now, and how each series stands. */
export const overviewPage: UiPage = {
  path: '/',
  title: 'Overview',
  nav: 'Overview',
  register(routes, deps) {
    routes.get('/', async () => {
      const [attention, missed, series, counts, months] = await Promise.all([
        needingAttention(deps),
        deps.missedRuns.stillMissed(ROWS),
        latestOfEachSeries(deps),
        deps.store.countByStatus(),
        monthlyUsage(deps, MONTHS_SHOWN),
      ]);
      return {
        body: html`${statusCounts(counts)}
          <section aria-labelledby="attention-title">
            <h2 id="attention-title">Needs attention</h2>
            ${attentionTable(attention)}
          </section>
          <section aria-labelledby="missed-title">
            <h2 id="missed-title">Missed schedule runs</h2>
            ${missedRunsTable(missed)}
          </section>
          ${months}
          <section aria-labelledby="series-title">
            <h2 id="series-title">Latest report of each series</h2>
            ${seriesTable(series)}
          </section>`,
        vendor: ['echarts.min.js'],
        scripts: ['status-chart.js', 'usage-chart.js'],
      };
    });
  },
};
