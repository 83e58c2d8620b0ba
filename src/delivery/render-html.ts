import { html, type SafeHtml } from './html.js';
import type { ChangeDirection } from './format.js';
import type { InsightTable } from './insights-view.js';
import type { FigureTable, ReportView, TopTable } from './report-view.js';

/**
 * The HTML version: table layout with inline styles only (many mail clients drop <style> blocks),
 * no images but the optional inline chart (by Content-ID, with alt text), no scripts, no links. Bars are table cells with a percentage width.
 */

const FONT = 'font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;';
const TEXT = '#1f2937';
const MUTED = '#6b7280';
const BORDER = '#e5e7eb';
const BAR = '#2563eb';
const TRACK = '#e5e7eb';
const CHANGE_COLORS: Record<ChangeDirection, string> = { up: '#9a3412', new: '#9a3412', down: '#166534', same: MUTED };

const TH = `padding:6px 8px;border-bottom:2px solid ${BORDER};font-size:12px;font-weight:bold;color:${MUTED};text-transform:uppercase;`;
const TD = `padding:6px 8px;border-bottom:1px solid ${BORDER};font-size:14px;color:${TEXT};vertical-align:middle;`;
const NUM = 'text-align:right;white-space:nowrap;';

export function renderHtml(view: ReportView): string {
  const body = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${view.subject}</title>
</head>
<body style="margin:0;padding:0;background:#f3f4f6;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f3f4f6;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="640" cellpadding="0" cellspacing="0" style="width:100%;max-width:640px;background:#ffffff;border:1px solid ${BORDER};${FONT}color:${TEXT};">
<tr><td style="padding:20px 24px;background:#1e3a5f;color:#ffffff;${FONT}">
<div style="font-size:20px;font-weight:bold;">${view.title}</div>
<div style="font-size:14px;margin-top:4px;">${view.period} &middot; ${view.grouping}</div>
</td></tr>
<tr><td style="padding:16px 24px 0 24px;">${factsTable(view)}</td></tr>
${view.cappedNote && cappedBox(view.cappedNote)}
${view.badRows && badRowsBox(view.badRows)}
${view.chart && section('Chart', chartContent(view.chart))}
${(view.totals !== null || view.levels !== null) && section('Totals', totalsContent(view))}
${view.topTables.map((table) => section(table.title, topTable(table)))}
${view.insights?.tables.map((table) => section(table.title, insightTable(table)))}
${view.insights && view.insights.unavailable.length > 0 && section('Insights unavailable', html`${view.insights.unavailable.map((line) => note(line))}`)}
${section('The report file', html`${note(view.archiveNote)}${view.archiveLink && archiveLink(view.archiveLink)}${note(view.attachmentNote)}`)}
<tr><td style="padding:16px 24px 20px 24px;font-size:12px;color:${MUTED};border-top:1px solid ${BORDER};">${view.footer}</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;
  return body.value;
}

function section(title: string, content: SafeHtml): SafeHtml {
  return html`<tr><td style="padding:20px 24px 0 24px;">
<div style="font-size:16px;font-weight:bold;margin:0 0 8px 0;color:${TEXT};">${title}</div>
${content}
</td></tr>
`;
}

function archiveLink(link: { url: string; note: string }): SafeHtml {
  return html`<p style="margin:0 0 8px 0;font-size:14px;color:${TEXT};">${link.note} <a href="${link.url}" style="color:#1d4ed8;">report CSV</a></p>`;
}

function note(text: string): SafeHtml {
  return html`<p style="margin:0 0 8px 0;font-size:14px;color:${TEXT};">${text}</p>`;
}

function factsTable(view: ReportView): SafeHtml {
  return html`<table role="presentation" cellpadding="0" cellspacing="0" style="font-size:14px;">
${view.facts.map(
  (
    fact,
  ) => html`<tr><td style="padding:2px 16px 2px 0;color:${MUTED};white-space:nowrap;">${fact.label}</td><td style="padding:2px 0;color:${TEXT};">${fact.value}</td></tr>
`,
)}</table>`;
}

function cappedBox(text: string): SafeHtml {
  return html`<tr><td style="padding:16px 24px 0 24px;">
<div style="padding:10px 12px;background:#eff6ff;border:1px solid #93c5fd;font-size:14px;color:#1e3a8a;">${text}</div>
</td></tr>
`;
}

function badRowsBox(badRows: NonNullable<ReportView['badRows']>): SafeHtml {
  return html`<tr><td style="padding:16px 24px 0 24px;">
<div style="padding:10px 12px;background:#fffbeb;border:1px solid #f59e0b;font-size:14px;color:#78350f;">
<strong>&#9888; ${badRows.summary}</strong>
${badRows.examples.length > 0 && html`<ul style="margin:6px 0 0 0;padding-left:20px;">${badRows.examples.map((example) => html`<li>${example}</li>`)}</ul>`}
</div>
</td></tr>
`;
}

function chartContent(chart: NonNullable<ReportView['chart']>): SafeHtml {
  const { ref } = chart;
  return html`<img src="cid:${ref.cid}" alt="${ref.alt}" width="${ref.width}" height="${ref.height}" style="display:block;width:100%;max-width:${ref.width}px;height:auto;border:0;">
${chart.series && html`<div style="height:12px;font-size:0;line-height:0;">&nbsp;</div>${note('Per period:')}${figureTable(chart.series)}`}`;
}

function totalsContent(view: ReportView): SafeHtml {
  const levels = view.levels;
  return html`${view.comparisonNote && note(view.comparisonNote)}${view.totals && figureTable(view.totals)}${
    levels && html`<div style="height:12px;font-size:0;line-height:0;">&nbsp;</div>${note(levels.note)}${levels.table && figureTable(levels.table)}`
  }`;
}

function figureTable(table: FigureTable): SafeHtml {
  const withChange = table.rows.some((row) => row.change !== null);
  return html`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;">
<tr><th align="left" style="${TH}text-align:left;">${table.labelHeading ?? 'Metric'}</th>${table.headings.map((heading) => html`<th align="right" style="${TH}${NUM}">${heading}</th>`)}${withChange && html`<th align="right" style="${TH}${NUM}">Previous</th><th align="right" style="${TH}${NUM}">Change</th>`}</tr>
${table.rows.map(
  (row) => html`<tr><td style="${TD}">${row.label}</td>${row.values.map((value) => html`<td align="right" style="${TD}${NUM}">${value}</td>`)}${
    withChange &&
    (row.change
      ? html`<td align="right" style="${TD}${NUM}color:${MUTED};">${row.change.previous}</td><td align="right" style="${TD}${NUM}color:${CHANGE_COLORS[row.change.direction]};">${row.change.text}</td>`
      : html`<td style="${TD}"></td><td style="${TD}"></td>`)
  }</tr>
`,
)}</table>`;
}

function topTable(table: TopTable): SafeHtml {
  return html`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;">
<tr><th align="right" style="${TH}${NUM}">#</th><th align="left" style="${TH}text-align:left;">Name</th><th align="right" style="${TH}${NUM}">Value</th><th align="left" colspan="2" style="${TH}text-align:left;">Share</th></tr>
${table.rows.map(
  (
    row,
  ) => html`<tr><td align="right" style="${TD}${NUM}color:${MUTED};">${row.rank}</td><td style="${TD}">${row.name}${row.id !== null && html`<div style="font-size:11px;color:${MUTED};">${row.id}</div>`}</td><td align="right" style="${TD}${NUM}">${row.value}</td><td style="${TD}width:160px;">${bar(row.sharePercent)}</td><td align="right" style="${TD}${NUM}width:56px;">${row.share}</td></tr>
`,
)}</table>`;
}

function bar(percent: number): SafeHtml {
  const filled = percent > 0 && html`<td style="width:${percent}%;height:10px;background:${BAR};font-size:0;line-height:0;">&nbsp;</td>`;
  const empty = percent < 100 && html`<td style="height:10px;background:${TRACK};font-size:0;line-height:0;">&nbsp;</td>`;
  return html`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;"><tr>${filled}${empty}</tr></table>`;
}

const LEVEL_COLORS = { over: '#991b1b', warning: '#92400e', unknown: MUTED, ok: TEXT } as const;

function insightTable(table: InsightTable): SafeHtml {
  return html`${table.notes.map((line) => note(line))}${
    table.rows.length > 0 &&
    html`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;">
<tr>${table.headers.map((heading, index) => html`<th align="${index < 2 ? 'left' : 'right'}" style="${TH}${index < 2 ? 'text-align:left;' : NUM}">${heading}</th>`)}</tr>
${table.rows.map(
  (row) =>
    html`<tr>${row.cells.map(
      (cell, index) =>
        html`<td align="${index < 2 ? 'left' : 'right'}" style="${TD}${index < 2 ? '' : NUM}${row.level !== null && row.level !== 'ok' ? `color:${LEVEL_COLORS[row.level]};` : ''}${index === row.cells.length - 1 && row.level !== null && row.level !== 'ok' ? 'font-weight:bold;' : ''}">${cell}</td>`,
    )}</tr>
`,
)}</table>`
  }`;
}
