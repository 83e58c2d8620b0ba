import type { ReportRecord, ReportStatus } from '../../reports/record.js';
import { REPORT_STATUSES } from '../../reports/state-machine.js';
import type { MissedRun } from '../../schedules/missed-run.js';
import type { Schedule } from '../../schedules/schedule.js';
import type { UiDeps } from '../deps.js';
import { reportHref, scheduleHref, statusBadge, timeTag } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import type { UiPage } from '../page.js';

/** The statuses that need someone: a run that ended badly, or a callback that did not come. */
const ATTENTION: readonly ReportStatus[] = ['failed', 'unrecognized', 'overdue'];
/** Rows per table: the overview shows the newest; the full lists are other pages' job. */
const ROWS = 20;
/** How many recent deliveries the "latest of each series" table is read from. */
const RECENT_DELIVERIES = 100;

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

/**
 * The newest delivered report of each series, among the latest deliveries.
 * TODO(read model): a per-series index of the latest report will answer this for every series at
 * any age; until then a series whose last delivery is older than RECENT_DELIVERIES deliveries is
 * not listed (the table's caption says so).
 */
async function latestOfEachSeries(deps: UiDeps): Promise<ReportRecord[]> {
  const { items } = await deps.store.list({ status: 'delivered', offset: 0, limit: RECENT_DELIVERIES });
  const seen = new Set<string>();
  return items.filter((report) => !seen.has(report.seriesKey) && seen.add(report.seriesKey));
}

function attentionTable(reports: readonly ReportRecord[]): SafeHtml {
  if (reports.length === 0) return html`<p class="empty">No report needs attention.</p>`;
  return html`<div class="table-wrap">
    <table>
      <caption>
        Reports that failed, whose callback was not understood, or whose callback is overdue, newest change first
      </caption>
      <thead>
        <tr>
          <th scope="col">Report</th>
          <th scope="col">Status</th>
          <th scope="col">Schedule</th>
          <th scope="col">Since</th>
          <th scope="col">What happened</th>
        </tr>
      </thead>
      <tbody>
        ${reports.map(
          (report) => html`<tr>
            <th scope="row"><a href="${reportHref(report.id)}">${report.id}</a></th>
            <td data-label="Status">${statusBadge(report.status)}</td>
            <td data-label="Schedule">${reportName(report)}</td>
            <td data-label="Since">${timeTag(report.updatedAt)}</td>
            <td data-label="What happened" class="message">${trouble(report)}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

function missedRunsTable(runs: ReadonlyArray<{ schedule: Schedule; run: MissedRun }>): SafeHtml {
  if (runs.length === 0) return html`<p class="empty">No schedule run is missing.</p>`;
  return html`<div class="table-wrap">
    <table>
      <caption>
        Schedule runs whose callback did not come in time and that were not asked for again, newest first
      </caption>
      <thead>
        <tr>
          <th scope="col">Schedule</th>
          <th scope="col">Fired</th>
          <th scope="col">Period</th>
          <th scope="col">Noticed</th>
        </tr>
      </thead>
      <tbody>
        ${runs.map(
          ({ schedule, run }) => html`<tr>
            <th scope="row"><a href="${scheduleHref(schedule.id)}">${schedule.name}</a></th>
            <td data-label="Fired">${timeTag(run.fireTime)}</td>
            <td data-label="Period">${timeTag(run.period.start)} – ${timeTag(run.period.end)}</td>
            <td data-label="Noticed">${timeTag(run.detectedAt)}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

function seriesTable(reports: readonly ReportRecord[]): SafeHtml {
  if (reports.length === 0) return html`<p class="empty">No report was delivered yet.</p>`;
  return html`<div class="table-wrap">
    <table>
      <caption>
        The newest delivered report of each series (among the last ${RECENT_DELIVERIES} deliveries)
      </caption>
      <thead>
        <tr>
          <th scope="col">Series</th>
          <th scope="col">Report</th>
          <th scope="col">Period</th>
          <th scope="col">Delivered</th>
        </tr>
      </thead>
      <tbody>
        ${reports.map(
          (report) => html`<tr>
            <th scope="row">${reportName(report)}</th>
            <td data-label="Report"><a href="${reportHref(report.id)}">${report.id}</a></td>
            <td data-label="Period">${timeTag(report.request.start ?? null)} – ${timeTag(report.request.end ?? null)}</td>
            <td data-label="Delivered">${timeTag(report.updatedAt)}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
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
      const [attention, missed, series, counts] = await Promise.all([
        needingAttention(deps),
        deps.missedRuns.stillMissed(ROWS),
        latestOfEachSeries(deps),
        deps.store.countByStatus(),
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
          <section aria-labelledby="series-title">
            <h2 id="series-title">Latest report of each series</h2>
            ${seriesTable(series)}
          </section>`,
        vendor: ['echarts.min.js'],
        scripts: ['status-chart.js'],
      };
    });
  },
};
