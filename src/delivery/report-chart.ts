import { Resvg } from '@resvg/resvg-js';
import * as echarts from 'echarts';
import { labelForColumn } from '../summary/labels.js';
import type { ReportSummary } from '../summary/types.js';
import type { ChartFont } from './chart-font.js';
import { formatNumber, singleLine } from './format.js';
import { chartContentOf, reportChartOption, type ChartSeries } from './report-chart-option.js';

/**
 * The report email's picture (laid out in report-chart-option.ts), drawn by ECharts' server-side
 * SVG renderer (no browser, no DOM) and turned into a PNG by resvg. Its cost is bounded by the
 * fixed size and by keeping at most `maxPoints` periods and `maxBars` bars; everything it shows is
 * also in the email's tables and text.
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

/** Null when the summary has nothing to draw (no dated series and no top list). */
export function drawReportChart(summary: ReportSummary, options: ChartOptions): ReportChart | null {
  const content = chartContentOf(summary, options);
  if (content === null) return null;
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: options.width, height: options.height });
  try {
    chart.setOption(reportChartOption(content, options));
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
    return { png: image.asPng(), width: image.width, height: image.height, alt: altText(content.series, content.top, content.bars.length) };
  } finally {
    chart.dispose();
  }
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
