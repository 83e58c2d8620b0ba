import { ValidationError } from '../../errors.js';
import type { ReportQuery } from '../../reports/report-queries.js';
import type { ReportRecord } from '../../reports/record.js';
import { REPORT_ID_PATTERN } from '../../reports/secrets.js';
import { isReportStatus, REPORT_STATUSES } from '../../reports/state-machine.js';
import type { UiDeps } from '../deps.js';
import { reportHref, scheduleHref, timeTag } from '../format.js';
import { dataTable } from '../data-table.js';
import { html, type SafeHtml } from '../html.js';
import type { PageRequest, UiPage } from '../page.js';
import { isInFlight, liveStatus, liveStatusCell } from '../report-progress.js';

const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 100;
/** The most ids one poll may ask about: a page of the list at its largest. */
const MAX_LIVE_IDS = MAX_LIMIT;
const DAY = /^\d{4}-\d{2}-\d{2}$/u;

/** How the list names a source: a report asked for through the API (or this dashboard) is "request". */
const SOURCES = [
  ['api', 'request'],
  ['schedule', 'schedule'],
] as const;

interface Filters {
  status: string;
  source: string;
  series: string;
  from: string;
  to: string;
  offset: number;
  limit: number;
}

function whole(value: string | null, fallback: number, max: number): number {
  if (value === null || value === '') return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > max)
    throw new ValidationError(`Expected a whole number from 0 to ${max}, not "${value.slice(0, 20)}"`);
  return number;
}

/** A day (yyyy-mm-dd, UTC) as the start of that day. */
function day(value: string, name: string): Date {
  const date = new Date(`${value}T00:00:00Z`);
  if (!DAY.test(value) || Number.isNaN(date.getTime())) throw new ValidationError(`${name} must be a date (yyyy-mm-dd), not "${value.slice(0, 20)}"`);
  return date;
}

/** The form's fields as sent (empty: any), checked; and the store's query they make. */
function filtersOf(query: URLSearchParams): { filters: Filters; storeQuery: ReportQuery } {
  const filters: Filters = {
    status: query.get('status') ?? '',
    source: query.get('source') ?? '',
    series: query.get('series') ?? '',
    from: query.get('from') ?? '',
    to: query.get('to') ?? '',
    offset: whole(query.get('offset'), 0, 1_000_000),
    limit: Math.max(1, whole(query.get('limit'), DEFAULT_LIMIT, MAX_LIMIT)),
  };
  const storeQuery: ReportQuery = { offset: filters.offset, limit: filters.limit };
  if (filters.status !== '') {
    if (!isReportStatus(filters.status)) throw new ValidationError(`There is no status "${filters.status.slice(0, 40)}"`);
    storeQuery.status = filters.status;
  }
  if (filters.source !== '') {
    const source = SOURCES.find(([value]) => value === filters.source)?.[0];
    if (source === undefined) throw new ValidationError(`The source is request or schedule, not "${filters.source.slice(0, 40)}"`);
    storeQuery.source = source;
  }
  if (filters.series !== '') storeQuery.seriesKey = filters.series;
  if (filters.from !== '') storeQuery.createdFrom = day(filters.from, 'Created from');
  // The "to" day is included: the store's bound is exclusive, so it is the next day's start.
  if (filters.to !== '') storeQuery.createdTo = new Date(day(filters.to, 'Created to').getTime() + 86_400_000);
  return { filters, storeQuery };
}

/** The list's address with these filters: links keep the filters and change the page. */
function listHref(filters: Filters, offset: number): string {
  const params = new URLSearchParams();
  for (const name of ['status', 'source', 'series', 'from', 'to'] as const) if (filters[name] !== '') params.set(name, filters[name]);
  if (offset > 0) params.set('offset', String(offset));
  if (filters.limit !== DEFAULT_LIMIT) params.set('limit', String(filters.limit));
  const text = params.toString();
  return text === '' ? '/ui/reports' : `/ui/reports?${text}`;
}

function option(value: string, label: string, selected: string): SafeHtml {
  return html`<option value="${value}"${value === selected && html` selected`}>${label}</option>`;
}

function filterForm(filters: Filters, series: ReadonlyArray<{ key: string; label: string }>): SafeHtml {
  return html`<form class="filters" method="get" action="/ui/reports" aria-label="Filter reports">
    <div class="field">
      <label for="f-status">Status</label>
      <select id="f-status" name="status">
        ${option('', 'Any', filters.status)} ${REPORT_STATUSES.map((status) => option(status, status.replace(/_/gu, ' '), filters.status))}
      </select>
    </div>
    <div class="field">
      <label for="f-source">Source</label>
      <select id="f-source" name="source">
        ${option('', 'Any', filters.source)} ${SOURCES.map(([value, label]) => option(value, label, filters.source))}
      </select>
    </div>
    <div class="field">
      <label for="f-series">Series</label>
      <select id="f-series" name="series">
        ${option('', 'Any', filters.series)} ${series.map((entry) => option(entry.key, entry.label, filters.series))}
      </select>
    </div>
    <div class="field">
      <label for="f-from">Created from</label>
      <input id="f-from" name="from" type="date" value="${filters.from}" />
    </div>
    <div class="field">
      <label for="f-to">Created to</label>
      <input id="f-to" name="to" type="date" value="${filters.to}" />
    </div>
    <div class="field">
      <label for="f-limit">Per page</label>
      <input id="f-limit" name="limit" type="number" min="1" max="${MAX_LIMIT}" value="${filters.limit}" />
    </div>
    <div class="field actions">
      <button type="submit">Filter</button>
      <a href="/ui/reports">Clear</a>
    </div>
  </form>`;
}

/** Each series by the name people know it by: its schedule's, or the options a requested report was asked with. */
async function seriesChoices(deps: UiDeps): Promise<Array<{ key: string; label: string }>> {
  const series = await deps.store.latestPerSeries();
  return series
    .map((entry) => ({ key: entry.seriesKey, label: `${seriesLabel(entry.latest, entry.seriesKey)} (${entry.reportCount})` }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

function seriesLabel(report: ReportRecord | null, seriesKey: string): string {
  if (report === null) return seriesKey;
  if (report.source === 'schedule') return `Schedule: ${report.scheduleName ?? report.scheduleId ?? seriesKey}`;
  const { resourceGroupBy, dateGroupBy, start, end } = report.request;
  const days = start !== undefined && end !== undefined ? `${Math.round((Date.parse(end) - Date.parse(start)) / 86_400_000)} days` : 'default period';
  return `Requested: ${days}, by ${resourceGroupBy ?? 'default'} and ${dateGroupBy ?? 'default'}`;
}

function reportsTable(reports: readonly ReportRecord[], lives: ReadonlyMap<string, SafeHtml>, total: number, filters: Filters): SafeHtml {
  if (reports.length === 0) return html`<p class="empty">No report matches these filters.</p>`;
  const first = filters.offset + 1;
  const last = filters.offset + reports.length;
  return dataTable({
    caption: html`Reports ${first}–${last} of ${total}, newest first`,
    rows: reports,
    tableAttributes: html` class="reports-table"`,
    rowAttributes: (report) => html` data-report-id="${report.id}"${isInFlight(report.status) && html` data-in-flight`}`,
    rowHeader: { header: 'Report', cell: (report) => html`<a href="${reportHref(report.id)}">${report.id}</a>` },
    columns: [
      { header: 'Status', cell: (report) => lives.get(report.id), attributes: html` class="live-status" aria-live="polite"` },
      {
        header: 'Source',
        cell: (report) =>
          report.source === 'schedule' && report.scheduleId !== null
            ? html`<a href="${scheduleHref(report.scheduleId)}">${report.scheduleName ?? report.scheduleId}</a>`
            : html`request`,
      },
      { header: 'Period', cell: (report) => html`<span>${timeTag(report.request.start ?? null)} – ${timeTag(report.request.end ?? null)}</span>` },
      { header: 'Created', cell: (report) => timeTag(report.createdAt) },
      { header: 'Updated', cell: (report) => timeTag(report.updatedAt), attributes: html` data-live-updated` },
    ],
  });
}

function pager(total: number, filters: Filters): SafeHtml {
  const previous = filters.offset > 0 ? Math.max(0, filters.offset - filters.limit) : null;
  const next = filters.offset + filters.limit < total ? filters.offset + filters.limit : null;
  if (previous === null && next === null) return html``;
  return html`<nav class="pager" aria-label="Pages of reports">
    ${previous === null ? html`<span class="muted">Newer</span>` : html`<a href="${listHref(filters, previous)}" rel="prev">Newer</a>`}
    ${next === null ? html`<span class="muted">Older</span>` : html`<a href="${listHref(filters, next)}" rel="next">Older</a>`}
  </nav>`;
}

/** The statuses and progress of the reports named in `ids` (the ones a list shows in flight). */
async function liveStatuses(deps: UiDeps, request: PageRequest) {
  const ids = (request.query.get('ids') ?? '')
    .split(',')
    .filter((id) => id !== '')
    .slice(0, MAX_LIVE_IDS);
  const bad = ids.find((id) => !REPORT_ID_PATTERN.test(id));
  if (bad !== undefined) throw new ValidationError(`Not a report id: "${bad.slice(0, 40)}"`);
  const [records, progress] = await Promise.all([deps.store.getMany(ids), deps.progress.read(ids)]);
  return { reports: records.map((record) => ({ ...liveStatus(record, progress.get(record.id)), updatedAt: record.updatedAt })) };
}

/** The reports, filtered and paged; the statuses of those in flight follow along by themselves. */
export const reportsPage: UiPage = {
  path: '/reports',
  title: 'Reports',
  nav: 'Reports',
  register(routes, deps) {
    routes.get('/reports', async (request) => {
      const { filters, storeQuery } = filtersOf(request.query);
      const [page, series] = await Promise.all([deps.store.query(storeQuery), seriesChoices(deps)]);
      const progress = await deps.progress.read(page.items.filter((report) => isInFlight(report.status)).map((report) => report.id));
      const lives = new Map(page.items.map((report) => [report.id, liveStatusCell(liveStatus(report, progress.get(report.id)))]));
      return {
        body: html`${filterForm(filters, series)} ${reportsTable(page.items, lives, page.total, filters)} ${pager(page.total, filters)}`,
        scripts: ['reports-live.js'],
      };
    });
    routes.getJson('/reports.json', (request) => liveStatuses(deps, request));
  },
};
