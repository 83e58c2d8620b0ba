import { ConflictError, NotFoundError } from '../../errors.js';
import { formatBytes } from '../../delivery/format.js';
import { toReportView } from '../../http/contract/report-view.js';
import { callbackDownloadHeaders, openKeptCallback } from '../../reports/kept-callback.js';
import type { ReportProgress } from '../../reports/progress.js';
import type { ReportRecord } from '../../reports/record.js';
import { REPORT_ID_PATTERN } from '../../reports/secrets.js';
import type { UiDeps } from '../deps.js';
import { reportHref, scheduleHref, timeTag } from '../format.js';
import { csrfField } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import type { PageRequest, PageView, UiPage } from '../page.js';
import { isInFlight, liveStatus, liveStatusCell } from '../report-progress.js';
import { callbackSection } from '../report-view/callback.js';
import { insightsSection } from '../report-view/insights.js';
import { summarySections } from '../report-view/summary.js';

/** The report an address names; an id that cannot be one, or one not kept, is a 404. */
async function reportOf(deps: UiDeps, request: PageRequest): Promise<ReportRecord> {
  const id = request.params.id ?? '';
  const record = REPORT_ID_PATTERN.test(id) ? await deps.store.get(id) : null;
  if (record === null) throw new NotFoundError(`There is no report ${id.slice(0, 40)} (it may have expired)`);
  return record;
}

const RETRYABLE = new Set(['failed', 'unrecognized']);

function groupingText(request: ReportRecord['request']): string {
  if (request.resourceGroupBy === undefined && request.dateGroupBy === undefined) return "Losant's defaults";
  return `${request.resourceGroupBy ?? 'default'} and ${request.dateGroupBy ?? 'default'}`;
}

function statusSection(record: ReportRecord, live: SafeHtml, request: PageRequest): SafeHtml {
  const inFlight = isInFlight(record.status);
  return html`<section aria-labelledby="status-title">
    <h2 id="status-title">Status</h2>
    <div class="report-status" data-report-id="${record.id}"${inFlight && html` data-in-flight`}>
      <p class="live-status" aria-live="polite">${live}</p>
      ${inFlight && html`<p class="notice" data-when-settled hidden>This report's run has ended. <a href="${reportHref(record.id)}">Reload to see its result</a>.</p>`}
    </div>
    ${
      record.error !== null &&
      html`<p class="notice notice-error">
        ${record.error.step} failed (<code>${record.error.code}</code>): ${record.error.message}
        ${timeTag(record.error.at)}
      </p>`
    }
    ${
      RETRYABLE.has(record.status) &&
      html`<form class="retry" method="post" action="${reportHref(record.id)}/retry">
        ${csrfField(request)}
        <button type="submit">Retry this report</button>
        <span class="hint">Runs it again from the step that failed, with the callback already received; Losant is not asked again.</span>
      </form>`
    }
    <dl class="facts">
      <div>
        <dt>Source</dt>
        <dd>
          ${
            record.source === 'schedule' && record.scheduleId !== null
              ? html`schedule <a href="${scheduleHref(record.scheduleId)}">${record.scheduleName ?? record.scheduleId}</a>`
              : html`request`
          }
        </dd>
      </div>
      <div><dt>Created</dt><dd>${timeTag(record.createdAt)}</dd></div>
      <div><dt>Asked for</dt><dd>${timeTag(record.request.start ?? null)} – ${timeTag(record.request.end ?? null)}</dd></div>
      <div><dt>Grouped by</dt><dd>${groupingText(record.request)}</dd></div>
      <div><dt>Losant job</dt><dd><code>${record.losant.jobId ?? '—'}</code></dd></div>
      <div class="wide"><dt>Series</dt><dd><a href="/ui/reports?series=${encodeURIComponent(record.seriesKey)}"><code>${record.seriesKey}</code></a></dd></div>
      ${record.reRequest?.of && html`<div><dt>Asked again for</dt><dd><a href="${reportHref(record.reRequest.of)}">${record.reRequest.of}</a></dd></div>`}
      ${record.reRequest?.as && html`<div><dt>Asked again as</dt><dd><a href="${reportHref(record.reRequest.as)}">${record.reRequest.as}</a></dd></div>`}
    </dl>
  </section>`;
}

function historyTable(record: ReportRecord): SafeHtml {
  return html`<section aria-labelledby="history-title">
    <h2 id="history-title">History</h2>
    <div class="table-wrap">
      <table>
        <caption>
          Every change of status and note, oldest first
        </caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Status</th>
            <th scope="col">What happened</th>
          </tr>
        </thead>
        <tbody>
          ${record.history.map(
            (entry) => html`<tr>
              <th scope="row">${timeTag(entry.at)}</th>
              <td data-label="Status"><span class="badge badge-${entry.status}">${entry.status.replace(/_/gu, ' ')}</span></td>
              <td data-label="What happened" class="message">${entry.note ?? ''}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>
  </section>`;
}

function deliverySection(record: ReportRecord): SafeHtml {
  const { archive, email } = record;
  return html`<section aria-labelledby="delivery-title">
    <h2 id="delivery-title">Delivery</h2>
    <ul class="plain">
      <li>
        ${
          archive === null
            ? html`<span class="muted">${record.delivery.archive ? 'The CSV is not archived yet.' : 'This report is not archived.'}</span>`
            : html`<a href="${reportHref(record.id)}/report.csv" download>Download the CSV</a> <span class="muted">(${formatBytes(archive.csv.bytes)}, as Losant served it)</span>`
        }
      </li>
      <li>
        ${
          email === null
            ? html`<span class="muted">${record.delivery.email ? 'Not emailed yet.' : 'Not emailed (not asked for).'}</span>`
            : html`Emailed ${timeTag(email.sentAt)} to ${email.accepted.join(', ')}${email.rejected.length > 0 && html`; refused by ${email.rejected.join(', ')}`}`
        }
      </li>
    </ul>
  </section>`;
}

async function reportPageView(deps: UiDeps, record: ReportRecord, request: PageRequest, notice: SafeHtml | null): Promise<PageView> {
  const progress = isInFlight(record.status) ? await deps.progress.read([record.id]) : new Map<string, ReportProgress>();
  const live = liveStatusCell(liveStatus(record, progress.get(record.id)));
  const hasCharts = record.summary !== null;
  return {
    title: `Report ${record.id}`,
    body: html`<p><a href="/ui/reports">← All reports</a></p>
      ${notice} ${statusSection(record, live, request)} ${deliverySection(record)}
      ${record.summary === null ? html`` : html`${summarySections(record.summary, record.comparison)}${insightsSection(record.summary.insights)}`} ${historyTable(record)}
      ${callbackSection(toReportView(record), `${reportHref(record.id)}/callback.bin`)}`,
    scripts: hasCharts ? ['reports-live.js', 'report-charts.js'] : ['reports-live.js'],
    ...(hasCharts ? { vendor: ['echarts.min.js'] } : {}),
  };
}

/** One report: where it stands and how it got there, its summary with charts, its callback and files. */
export const reportPage: UiPage = {
  path: '/reports/:id',
  title: 'Report',
  register(routes, deps) {
    routes.get('/reports/:id', async (request) => {
      const record = await reportOf(deps, request);
      const retried = request.query.get('retried');
      const notice =
        retried === 'started'
          ? html`<p class="notice" role="status">A new run of this report was started.</p>`
          : retried === 'running'
            ? html`<p class="notice" role="status">This report is already being run again.</p>`
            : null;
      return reportPageView(deps, record, request, notice);
    });

    routes.post('/reports/:id/retry', async (request) => {
      const record = await reportOf(deps, request);
      try {
        const { started } = await deps.retryReport(record.id);
        return { redirect: `${reportHref(record.id)}?retried=${started ? 'started' : 'running'}` };
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        const notice = html`<p class="notice notice-error" role="alert">The retry was refused: ${error.message}</p>`;
        return { ...(await reportPageView(deps, (await deps.store.get(record.id)) ?? record, request, notice)), status: 409 };
      }
    });

    routes.getFile('/reports/:id/report.csv', async (request) => {
      const record = await reportOf(deps, request);
      if (record.archive === null) throw new NotFoundError(`Report ${record.id}'s CSV is not archived`);
      return { filename: `report-${record.id}.csv`, contentType: 'text/csv; charset=utf-8', body: await deps.archive.openRead(record.archive.csv.key) };
    });

    routes.getFile('/reports/:id/callback.bin', async (request) => {
      const record = await reportOf(deps, request);
      const kept = await openKeptCallback(deps, record.id);
      if (kept === null) throw new NotFoundError(`No callback is kept for report ${record.id}`);
      const filename = `callback-${record.id}.bin`;
      return { filename, contentType: 'application/octet-stream', body: kept.body, headers: callbackDownloadHeaders(filename, kept.info) };
    });
  },
};
