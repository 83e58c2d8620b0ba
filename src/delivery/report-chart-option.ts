import type { EChartsOption } from 'echarts';
import { labelForColumn } from '../summary/labels.js';
import type { ReportSummary } from '../summary/types.js';
import type { ChartOptions } from './report-chart.js';
import { singleLine } from './format.js';

/**
 * What the report email's chart draws, as an ECharts option: the per-period series as lines (top)
 * and the first top list as bars (bottom). Kept apart from the drawing so the layout can be
 * checked without decoding pixels.
 */

export const CHART_COLORS = ['#2563eb', '#9a3412', '#166534', '#7c3aed'];

export interface ChartSeries {
  labels: string[];
  columns: Array<{ label: string; values: Array<number | null> }>;
  /** Periods left out at the start (more than maxPoints). */
  dropped: number;
}

export interface ChartContent {
  series: ChartSeries | null;
  top: ReportSummary['top'][number] | null;
  /** The top list's entries drawn, bottom to top. */
  bars: ReportSummary['top'][number]['entries'];
}

/** Null when the summary has nothing to draw (no dated series and no top list). */
export function chartContentOf(summary: ReportSummary, options: Pick<ChartOptions, 'maxPoints' | 'maxBars'>): ChartContent | null {
  const series = seriesOf(summary, options.maxPoints);
  const top = summary.top.find((list) => list.entries.length > 0) ?? null;
  if (series === null && top === null) return null;
  return { series, top, bars: top ? top.entries.slice(0, options.maxBars).reverse() : [] };
}

export function reportChartOption({ series, top, bars }: ChartContent, options: Pick<ChartOptions, 'height' | 'font'>): EChartsOption {
  const withText = options.font !== null;
  const family = options.font?.family ?? 'sans-serif';
  const panels = series ? panelsOf(series.columns.length, top ? barsTop(series.columns.length, options.height) : options.height, withText) : [];
  const barsFrom = series ? barsTop(series.columns.length, options.height) : 0;
  const lineAxes = series?.columns.length ?? 0;
  return {
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: family, fontSize: 11 },
    title: withText
      ? [
          ...(series ? [{ text: 'Per period', left: 8, top: 4, textStyle: { fontSize: 13 } }] : []),
          ...(top
            ? [{ text: singleLine(`Top by ${top.label || labelForColumn(top.column)}`, 60), left: 8, top: barsFrom + 4, textStyle: { fontSize: 13 } }]
            : []),
        ]
      : [],
    // Each panel's axis carries its series' name in its colour, so no legend is needed.
    legend: { show: false },
    grid: [
      ...panels.map((panel) => ({ left: withText ? 64 : 12, right: 16, top: panel.top, height: panel.height })),
      ...(top ? [{ left: withText ? 160 : 12, right: 16, top: barsFrom + (withText ? 30 : 8), bottom: withText ? 24 : 12 }] : []),
    ],
    xAxis: [
      // The panels share the periods; only the lowest one names them.
      ...panels.map((_, index) => ({
        type: 'category' as const,
        gridIndex: index,
        data: series?.labels ?? [],
        axisTick: { show: index === panels.length - 1 },
        axisLabel: { show: withText && index === panels.length - 1, hideOverlap: true },
      })),
      ...(top ? [{ type: 'value' as const, gridIndex: panels.length, axisLabel: { show: withText, hideOverlap: true } }] : []),
    ],
    yAxis: [
      // Each column has its own scale (payloads run to millions, devices to hundreds): one panel and one named axis each.
      ...(series?.columns ?? []).map((column, index) => ({
        type: 'value' as const,
        gridIndex: index,
        splitNumber: 2,
        ...(withText ? { name: column.label, nameLocation: 'end' as const, nameGap: 6 } : {}),
        nameTextStyle: { color: colorOf(index), align: 'left' as const, fontWeight: 'bold' as const },
        axisLabel: { show: withText, color: colorOf(index), hideOverlap: true },
      })),
      ...(top
        ? [
            {
              type: 'category' as const,
              gridIndex: panels.length,
              data: bars.map((entry) => singleLine(entry.name || entry.id, 24)),
              // Every bar named, even when the panels above leave the bars little room.
              axisLabel: { show: withText, interval: 0 },
            },
          ]
        : []),
    ],
    series: [
      ...(series?.columns ?? []).map((column, index) => ({
        type: 'line' as const,
        name: column.label,
        xAxisIndex: index,
        yAxisIndex: index,
        data: column.values,
        showSymbol: series !== null && series.labels.length <= 31,
        symbolSize: 3,
        connectNulls: false,
        lineStyle: { color: colorOf(index) },
        itemStyle: { color: colorOf(index) },
      })),
      ...(top
        ? [
            {
              type: 'bar' as const,
              name: top.label,
              xAxisIndex: panels.length,
              yAxisIndex: lineAxes,
              data: bars.map((entry) => entry.value),
              itemStyle: { color: colorOf(0) },
            },
          ]
        : []),
    ],
  };
}

function colorOf(index: number): string {
  return CHART_COLORS[index % CHART_COLORS.length] ?? '#000000';
}

/** Where the bars start: the more series, the more room the panels above them take. */
function barsTop(seriesCount: number, height: number): number {
  return Math.round(height * Math.min(0.6, 0.3 + 0.075 * seriesCount));
}

/**
 * The series' panels, stacked from the title down to `bottom`: each leaves room above it for
 * its axis name, and the lowest one room below for the periods.
 */
function panelsOf(count: number, bottom: number, withText: boolean): Array<{ top: number; height: number }> {
  const first = withText ? 28 : 8;
  const nameRoom = withText ? 18 : 6;
  const labelsRoom = withText ? 28 : 8;
  const slot = (bottom - first - labelsRoom) / count;
  return Array.from({ length: count }, (_, index) => ({
    top: Math.round(first + index * slot + nameRoom),
    height: Math.max(8, Math.round(slot - nameRoom - 4)),
  }));
}

function seriesOf(summary: ReportSummary, maxPoints: number): ChartSeries | null {
  const source = summary.periodSeries;
  if (!source || source.starts.length === 0) return null;
  const columns = Object.entries(source.columns);
  if (columns.length === 0) return null;
  const from = Math.max(0, source.starts.length - maxPoints);
  return {
    labels: source.starts.slice(from).map((start) => start.slice(0, 10)),
    columns: columns.slice(0, CHART_COLORS.length).map(([column, values]) => ({ label: singleLine(labelForColumn(column), 40), values: values.slice(from) })),
    dropped: from,
  };
}
