import { Resvg } from '@resvg/resvg-js';
import * as echarts from 'echarts';
import { labelForColumn } from '../summary/labels.js';
import type { ReportSummary } from '../summary/types.js';
import type { ChartFont } from './chart-font.js';
import { formatNumber, singleLine } from './format.js';

/**
 * The report email's picture: the per-period series as lines (top) and the first top list as
 * bars (bottom), drawn by ECharts' server-side SVG renderer (no browser, no DOM) and turned into
 * a PNG by resvg. Its cost is bounded by the fixed size and by keeping at most `maxPoints`
 * periods and `maxBars` bars; everything it shows is also in the email's tables and text.
 */

export interface ChartOptions {
  width: number;
  height: number;
  /** Periods drawn at most: the last ones, the latest being what a reader looks at first. */
  maxPoints: number;
  maxBars: number;
  /** Null: no font is installed, so the chart carries no text (axes, legend and names left out). */
  font: ChartFont | null;
}

export interface ReportChart {
  png: Buffer;
  width: number;
  height: number;
  /** What the picture shows, for mail clients that do not load it. */
  alt: string;
}

export const DEFAULT_CHART_OPTIONS: Omit<ChartOptions, 'font'> = { width: 640, height: 480, maxPoints: 62, maxBars: 10 };

const COLORS = ['#2563eb', '#9a3412', '#166534', '#7c3aed'];

/** Null when the summary has nothing to draw (no dated series and no top list). */
export function drawReportChart(summary: ReportSummary, options: ChartOptions): ReportChart | null {
  const series = seriesOf(summary, options.maxPoints);
  const top = summary.top.find((list) => list.entries.length > 0) ?? null;
  if (series === null && top === null) return null;
  const withText = options.font !== null;
  const family = options.font?.family ?? 'sans-serif';
  const bars = top ? top.entries.slice(0, options.maxBars).reverse() : [];
  const split = series && top ? 0.5 : 1;

  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: options.width, height: options.height });
  try {
    chart.setOption({
      animation: false,
      backgroundColor: '#ffffff',
      color: COLORS,
      textStyle: { fontFamily: family, fontSize: 11 },
      title: withText
        ? [
            ...(series ? [{ text: 'Per period', left: 8, top: 4, textStyle: { fontSize: 13 } }] : []),
            ...(top
              ? [
                  {
                    text: singleLine(`Top by ${top.label || labelForColumn(top.column)}`, 60),
                    left: 8,
                    top: series ? `${split * 100}%` : 4,
                    textStyle: { fontSize: 13 },
                  },
                ]
              : []),
          ]
        : [],
      legend: withText && series ? { top: 4, right: 8, data: series.columns.map((column) => column.label) } : { show: false },
      grid: [
        ...(series ? [{ left: withText ? 64 : 12, right: 16, top: 32, height: `${split * 100 - 14}%` }] : []),
        ...(top ? [{ left: withText ? 160 : 12, right: 16, top: series ? `${split * 100 + 6}%` : 32, bottom: 12 }] : []),
      ],
      xAxis: [
        ...(series ? [{ type: 'category', gridIndex: 0, data: series.labels, axisLabel: { show: withText, hideOverlap: true } }] : []),
        ...(top ? [{ type: 'value', gridIndex: series ? 1 : 0, axisLabel: { show: withText, hideOverlap: true } }] : []),
      ],
      yAxis: [
        // Each column has its own scale (payloads run to millions, devices to hundreds); the first is labelled.
        ...(series ? series.columns.map((_, index) => ({ type: 'value', gridIndex: 0, show: index === 0, axisLabel: { show: withText } })) : []),
        ...(top
          ? [{ type: 'category', gridIndex: series ? 1 : 0, data: bars.map((entry) => singleLine(entry.name || entry.id, 24)), axisLabel: { show: withText } }]
          : []),
      ],
      series: [
        ...(series
          ? series.columns.map((column, index) => ({
              type: 'line',
              name: column.label,
              xAxisIndex: 0,
              yAxisIndex: index,
              data: column.values,
              showSymbol: series.labels.length <= 31,
              connectNulls: false,
            }))
          : []),
        ...(top
          ? [
              {
                type: 'bar',
                name: top.label,
                xAxisIndex: series ? 1 : 0,
                yAxisIndex: series ? series.columns.length : 0,
                data: bars.map((entry) => entry.value),
                itemStyle: { color: COLORS[0] },
              },
            ]
          : []),
      ],
    });
    const svg = chart.renderToSVGString();
    const resvg = new Resvg(svg, {
      fitTo: { mode: 'width', value: options.width },
      background: '#ffffff',
      // Only the one font file: the same pixels on every machine that has it.
      font: options.font
        ? { loadSystemFonts: false, fontFiles: [options.font.file], defaultFontFamily: options.font.family, sansSerifFamily: options.font.family }
        : { loadSystemFonts: false },
      logLevel: 'off',
    });
    const image = resvg.render();
    return { png: image.asPng(), width: image.width, height: image.height, alt: altText(series, top, bars.length) };
  } finally {
    chart.dispose();
  }
}

interface ChartSeries {
  labels: string[];
  columns: Array<{ label: string; values: Array<number | null> }>;
  /** Periods left out at the start (more than maxPoints). */
  dropped: number;
}

function seriesOf(summary: ReportSummary, maxPoints: number): ChartSeries | null {
  const source = summary.periodSeries;
  if (!source || source.starts.length === 0) return null;
  const columns = Object.entries(source.columns);
  if (columns.length === 0) return null;
  const from = Math.max(0, source.starts.length - maxPoints);
  return {
    labels: source.starts.slice(from).map((start) => start.slice(0, 10)),
    columns: columns.slice(0, COLORS.length).map(([column, values]) => ({ label: singleLine(labelForColumn(column), 40), values: values.slice(from) })),
    dropped: from,
  };
}

function altText(series: ChartSeries | null, top: ReportSummary['top'][number] | null, barCount: number): string {
  const parts: string[] = [];
  if (series) {
    const first = series.labels[0] ?? '';
    const last = series.labels.at(-1) ?? '';
    const names = series.columns.map((column) => column.label.toLowerCase()).join(', ');
    parts.push(
      `Chart of ${names} per period from ${first} to ${last} (${formatNumber(series.labels.length)} periods${series.dropped > 0 ? `, the last ones only` : ''})`,
    );
  }
  if (top) parts.push(`bars of the top ${formatNumber(barCount)} by ${(top.label || labelForColumn(top.column)).toLowerCase()}`);
  const text = parts.join('; ');
  return singleLine(`${text.charAt(0).toUpperCase()}${text.slice(1)}. The same figures are in the tables below.`, 300);
}
