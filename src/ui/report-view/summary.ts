import { formatChange, formatNumber, formatPercent } from '../../delivery/format.js';
import { labelForColumn, orderColumns } from '../../summary/labels.js';
import type { PeriodSeries, ReportSummary, SummaryComparison, TopList } from '../../summary/types.js';
import { reportHref, timeTag } from '../format.js';
import { html, type SafeHtml } from '../html.js';

/**
 * A report's summary on its page: totals and levels, the top resources, the per-period series
 * and the change since the previous report of its series. Every chart has a label and its
 * figures in a table beside it; the charts are drawn by report-charts.js from data-chart.
 */

/** Where the dashboard shows one organization or application across reports. */
function resourceHref(grouping: ReportSummary['grouping']['resource'], id: string): string | null {
  if (grouping === 'organization') return `/ui/organizations/${encodeURIComponent(id)}`;
  if (grouping === 'application') return `/ui/applications/${encodeURIComponent(id)}`;
  return null;
}

/** A chart's data for report-charts.js, and what it shows in words. */
function chart(kind: 'line' | 'bar', label: string, data: { names: string[]; values: Array<number | null>; series: string }): SafeHtml {
  return html`<div class="chart report-chart" role="img" aria-label="${label}" data-chart="${kind}" data-chart-data="${JSON.stringify(data)}"></div>`;
}

function facts(summary: ReportSummary): SafeHtml {
  return html`<dl class="facts">
    <div><dt>Rows</dt><dd>${formatNumber(summary.rows)}</dd></div>
    <div><dt>Bad rows</dt><dd>${formatNumber(summary.badRowCount)}</dd></div>
    <div><dt>${summary.grouping.resource === 'unknown' ? 'Resources' : `${labelForColumn(summary.grouping.resource)}s`}</dt><dd>${formatNumber(summary.resourceCount)}</dd></div>
    <div><dt>Period</dt><dd>${timeTag(summary.period.start)} – ${timeTag(summary.period.end)}</dd></div>
    <div><dt>By</dt><dd>${summary.grouping.date}</dd></div>
  </dl>`;
}

function totalsTable(summary: ReportSummary): SafeHtml {
  const columns = orderColumns(Object.keys(summary.totals), summary.columns);
  if (columns.length === 0) return html`<p class="empty">The report has no numeric columns.</p>`;
  return html`<div class="table-wrap">
    <table>
      <caption>
        Every numeric column summed over the rows (for levels such as devices, a sum of resource-periods: see Levels)
      </caption>
      <thead>
        <tr>
          <th scope="col">Column</th>
          <th scope="col" class="number">Total</th>
        </tr>
      </thead>
      <tbody>
        ${columns.map(
          (column) => html`<tr>
            <th scope="row">${labelForColumn(column)}</th>
            <td data-label="Total" class="number">${formatNumber(summary.totals[column] ?? 0)}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

function levelsTable(summary: ReportSummary): SafeHtml {
  if (summary.levelsUnavailable !== null) return html`<p class="notice">${summary.levelsUnavailable}</p>`;
  const columns = orderColumns(Object.keys(summary.levels), summary.columns);
  if (columns.length === 0) return html`<p class="empty">The report has no level columns.</p>`;
  return html`<div class="table-wrap">
    <table>
      <caption>
        Counts across resources per period: the highest of any period, and the last period's
      </caption>
      <thead>
        <tr>
          <th scope="col">Column</th>
          <th scope="col" class="number">Peak</th>
          <th scope="col">Peak period</th>
          <th scope="col" class="number">Latest</th>
        </tr>
      </thead>
      <tbody>
        ${columns.map((column) => {
          const level = summary.levels[column];
          return html`<tr>
            <th scope="row">${labelForColumn(column)}</th>
            <td data-label="Peak" class="number">${formatNumber(level?.peak ?? 0)}</td>
            <td data-label="Peak period">${timeTag(level?.peakPeriod ?? null)}</td>
            <td data-label="Latest" class="number">${formatNumber(level?.latest ?? 0)}</td>
          </tr>`;
        })}
      </tbody>
    </table>
  </div>`;
}

function topTable(list: TopList, grouping: ReportSummary['grouping']['resource'], index: number): SafeHtml {
  return html`<section class="top-list" aria-labelledby="top-${index}">
    <h3 id="top-${index}">Top by ${list.label}</h3>
    ${
      index === 0 &&
      chart('bar', `Bar chart of the top ${list.entries.length} by ${list.label}; the table below has the same figures`, {
        names: list.entries.map((entry) => entry.name),
        values: list.entries.map((entry) => entry.value),
        series: list.label,
      })
    }
    <div class="table-wrap">
      <table>
        <caption>
          The ${list.entries.length} largest by ${list.label}, with their share of the total
        </caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col" class="number">${list.label}</th>
            <th scope="col" class="number">Share</th>
          </tr>
        </thead>
        <tbody>
          ${list.entries.map((entry) => {
            const href = resourceHref(grouping, entry.id);
            return html`<tr>
              <th scope="row">${href === null ? entry.name : html`<a href="${href}">${entry.name}</a>`}</th>
              <td data-label="${list.label}" class="number">${formatNumber(entry.value)}</td>
              <td data-label="Share" class="number">${formatPercent(entry.share)}</td>
            </tr>`;
          })}
        </tbody>
      </table>
    </div>
  </section>`;
}

/** One chart per main column of the per-period series, and their figures in one table. */
function periodCharts(series: PeriodSeries | null, unit: ReportSummary['grouping']['date']): SafeHtml {
  if (series === null || series.starts.length === 0) return html`<p class="empty">The report has no dated periods to chart.</p>`;
  const columns = Object.keys(series.columns);
  const days = series.starts.map((start) => (unit === 'month' ? start.slice(0, 7) : start.slice(0, 10)));
  return html`<div class="chart-grid">
      ${columns.map(
        (column) => html`<figure class="chart-figure">
          <figcaption>${labelForColumn(column)} per ${unit === 'month' ? 'month' : 'day'}</figcaption>
          ${chart('line', `Line chart of ${labelForColumn(column)} per ${unit === 'month' ? 'month' : 'day'}; the table below has the same figures`, {
            names: days,
            values: series.columns[column] ?? [],
            series: labelForColumn(column),
          })}
        </figure>`,
      )}
    </div>
    ${series.capped && html`<p class="notice">The report had more periods than the series keeps (400): the later ones are left out of the charts, not of the totals.</p>`}
    <details class="figures">
      <summary>The charts' figures as a table</summary>
      <div class="table-wrap">
        <table>
          <caption>
            Sums across resources per ${unit === 'month' ? 'month' : 'day'}
          </caption>
          <thead>
            <tr>
              <th scope="col">Period</th>
              ${columns.map((column) => html`<th scope="col" class="number">${labelForColumn(column)}</th>`)}
            </tr>
          </thead>
          <tbody>
            ${days.map(
              (label, index) => html`<tr>
                <th scope="row">${label}</th>
                ${columns.map((column) => {
                  const value = series.columns[column]?.[index] ?? null;
                  return html`<td data-label="${labelForColumn(column)}" class="number">${value === null ? '—' : formatNumber(value)}</td>`;
                })}
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
    </details>`;
}

function comparisonTable(comparison: SummaryComparison | null): SafeHtml {
  if (comparison === null) return html`<p class="empty">No earlier delivered report of this series to compare with.</p>`;
  const columns = Object.keys(comparison.totals);
  return html`<p>
      Compared with <a href="${reportHref(comparison.previousReportId)}">${comparison.previousReportId}</a>
      (${timeTag(comparison.previousPeriod.start)} – ${timeTag(comparison.previousPeriod.end)}).
    </p>
    <div class="table-wrap">
      <table>
        <caption>
          Change since the previous report of the series (levels compare their latest figure)
        </caption>
        <thead>
          <tr>
            <th scope="col">Column</th>
            <th scope="col" class="number">Previous</th>
            <th scope="col" class="number">This report</th>
            <th scope="col" class="number">Change</th>
            <th scope="col" class="number">%</th>
          </tr>
        </thead>
        <tbody>
          ${columns.map((column) => {
            const change = comparison.totals[column];
            if (change === undefined) return html``;
            const formatted = formatChange(change);
            return html`<tr>
              <th scope="row">${labelForColumn(column)}</th>
              <td data-label="Previous" class="number">${formatNumber(change.previous)}</td>
              <td data-label="This report" class="number">${formatNumber(change.current)}</td>
              <td data-label="Change" class="number">${change.delta > 0 ? '+' : ''}${formatNumber(change.delta)}</td>
              <td data-label="%" class="number change-${formatted.direction}">${formatted.text}</td>
            </tr>`;
          })}
        </tbody>
      </table>
    </div>`;
}

export function summarySections(summary: ReportSummary, comparison: SummaryComparison | null): SafeHtml {
  return html`<section aria-labelledby="summary-title">
      <h2 id="summary-title">Summary</h2>
      ${facts(summary)}
      <h3>Totals</h3>
      ${totalsTable(summary)}
      <h3>Levels</h3>
      ${levelsTable(summary)}
    </section>
    <section aria-labelledby="series-title">
      <h2 id="series-title">Per ${summary.grouping.date === 'month' ? 'month' : 'day'}</h2>
      ${periodCharts(summary.periodSeries, summary.grouping.date)}
    </section>
    <section aria-labelledby="top-title">
      <h2 id="top-title">Top resources</h2>
      ${summary.top.length === 0 ? html`<p class="empty">No resources to rank.</p>` : summary.top.map((list, index) => topTable(list, summary.grouping.resource, index))}
    </section>
    <section aria-labelledby="change-title">
      <h2 id="change-title">Change since the previous report</h2>
      ${comparisonTable(comparison)}
    </section>`;
}
