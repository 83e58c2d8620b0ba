import { NotFoundError } from '../../errors.js';
import type { OrganizationTrendView } from '../../trends/index.js';
import type { KnownResource, ResourceKind, ResourcePoint } from '../../usage/resource-history.js';
import { usageFigures } from '../../usage/usage-columns.js';
import { figureCell, periodTag, reportHref, timeTag } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import type { UiPage } from '../page.js';
import { KINDS, resourceListHref } from '../resource-kinds.js';
import { organizationTrendSection } from '../trends/organization-trend.js';
import { FIGURE_NAMES, usageChart } from '../usage-chart.js';

/** The newest points shown: the read model keeps up to 2,000 per resource; 400 are years of daily reports. */
const POINTS_SHOWN = 400;

/** A point's x label: its period's first day (or month, for a report grouped by month). */
function periodLabel(point: ResourcePoint): string {
  const start = point.period.start;
  if (start === null) return point.reportId;
  return point.dateGrouping === 'month' ? start.slice(0, 7) : start.slice(0, 10);
}

function tagList(tags: Readonly<Record<string, string>>): SafeHtml {
  const entries = Object.entries(tags).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return html`<span class="muted">none</span>`;
  return html`<ul class="tags">
    ${entries.map(([name, value]) => html`<li><span class="tag-name">${name}</span> ${value}</li>`)}
  </ul>`;
}

function facts(kind: ResourceKind, resource: KnownResource, latest: ResourcePoint | undefined, count: number): SafeHtml {
  return html`<dl class="facts">
    <dt>Id</dt>
    <dd><code>${resource.id}</code></dd>
    <dt>Reports naming it</dt>
    <dd>${count}${count >= POINTS_SHOWN ? html` <span class="muted">(the newest ${POINTS_SHOWN} shown)</span>` : ''}</dd>
    <dt>Latest report</dt>
    <dd><a href="${reportHref(resource.latestReportId)}">${resource.latestReportId}</a> from ${timeTag(resource.latestPeriodStart)}</dd>
    <dt>Tags</dt>
    <dd>${latest === undefined ? html`<span class="muted">none</span>` : tagList(latest.tags)}</dd>
  </dl>
  <p><a href="${resourceListHref(kind)}">All ${KINDS[kind].many.toLowerCase()}</a></p>`;
}

function historyTable(words: (typeof KINDS)[ResourceKind], points: readonly ResourcePoint[]): SafeHtml {
  return html`<div class="table-wrap">
    <table>
      <caption>
        The ${words.one.toLowerCase()}'s figures in each report that names it, newest period first: payloads and minutes summed over the report's
        period, devices at its highest day or month
      </caption>
      <thead>
        <tr>
          <th scope="col">Report</th>
          <th scope="col">Period</th>
          <th scope="col">${FIGURE_NAMES.billablePayloads}</th>
          <th scope="col">${FIGURE_NAMES.devices}</th>
          <th scope="col">${FIGURE_NAMES.notebookMinutes}</th>
        </tr>
      </thead>
      <tbody>
        ${[...points].reverse().map((point) => {
          const figures = usageFigures(point.figures);
          return html`<tr>
            <th scope="row"><a href="${reportHref(point.reportId)}">${point.reportId}</a></th>
            <td data-label="Period">${periodTag(point.period.start, point.period.end)}</td>
            <td data-label="${FIGURE_NAMES.billablePayloads}" class="number">${figureCell(figures.billablePayloads)}</td>
            <td data-label="${FIGURE_NAMES.devices}" class="number">${figureCell(figures.devices)}</td>
            <td data-label="${FIGURE_NAMES.notebookMinutes}" class="number">${figureCell(figures.notebookMinutes)}</td>
          </tr>`;
        })}
      </tbody>
    </table>
  </div>`;
}

/** The reports part of the page: the figures in each kept report that names the resource. */
function reportsSection(words: (typeof KINDS)[ResourceKind], points: readonly ResourcePoint[]): SafeHtml {
  const chart = usageChart(
    `Line charts of the ${words.one.toLowerCase()}'s billable payloads, devices and notebook minutes per report period`,
    points.map((point) => ({ label: periodLabel(point), figures: usageFigures(point.figures) })),
  );
  return html`<section aria-labelledby="usage-title">
    <h2 id="usage-title">Usage per report</h2>
    ${points.length === 0 ? html`<p class="empty">The reports that named it are no longer kept.</p>` : html`${chart} ${historyTable(words, points)}`}
  </section>`;
}

/**
 * /ui/organizations/:id or /ui/applications/:id: one resource's usage across every kept report
 * that names it; an organization's page also has its months (from reports and Losant's
 * historicalSummaries) and their month-over-month change, and is there for an organization known
 * from its months alone (a backfill names organizations no kept report does).
 */
function resourceUsagePage(kind: ResourceKind): UiPage {
  const words = KINDS[kind];
  return {
    path: `/${words.segment}/:id`,
    title: words.one,
    register(routes, deps) {
      routes.get(`/${words.segment}/:id`, async (request) => {
        const id = request.params.id ?? '';
        const [resource, points, trend] = await Promise.all([
          deps.usage.resources.resource(kind, id),
          deps.usage.resources.resourceHistory(kind, id, { limit: POINTS_SHOWN }),
          kind === 'organization' ? deps.trends.organizationTrend(id) : Promise.resolve<OrganizationTrendView | null>(null),
        ]);
        const months = kind === 'organization' ? organizationTrendSection(trend) : null;
        const charts = { vendor: ['echarts.min.js'], scripts: ['usage-chart.js'] };
        if (resource === null) {
          if (trend === null) throw new NotFoundError(`No ${words.one.toLowerCase()} with the id ${id} is named in the kept reports`);
          return {
            title: trend.name,
            body: html`<p class="kind-label">${words.one}</p>
              <dl class="facts">
                <dt>Id</dt>
                <dd><code>${trend.id}</code></dd>
                <dt>Reports naming it</dt>
                <dd>none kept: its months come from Losant's historicalSummaries</dd>
              </dl>
              <p><a href="${resourceListHref(kind)}">All ${words.many.toLowerCase()}</a></p>
              ${months}`,
            ...charts,
          };
        }
        return {
          title: resource.name,
          body: html`<p class="kind-label">${words.one}</p>
            ${facts(kind, resource, points.at(-1), points.length)} ${months} ${reportsSection(words, points)}`,
          ...charts,
        };
      });
    },
  };
}

export const organizationPage = resourceUsagePage('organization');
export const applicationPage = resourceUsagePage('application');
