import { performance } from 'node:perf_hooks';
import type { BenchCase } from '../lib/case.js';
import { checkBelow } from '../lib/checks.js';
import { measureInterleaved } from '../lib/measure.js';
import { findChartFont } from '../../src/delivery/chart-font.js';
import { DEFAULT_CHART_OPTIONS, drawReportChart } from '../../src/delivery/report-chart.js';
import type { ReportSummary } from '../../src/summary/types.js';

/**
 * Question: what does the email's inline chart cost the worker? A month per day (31 periods) and
 * the largest series the chart draws (62 periods), three lines and ten bars, at the default size:
 * drawing (ECharts SVG + resvg PNG) should stay well under 250 ms per chart.
 */

function summaryWith(periods: number): ReportSummary {
  const starts = Array.from({ length: periods }, (_, index) => new Date(Date.UTC(2026, 0, 1 + index)).toISOString());
  const columns = {
    payloadBillableCount: starts.map((_, index) => 100_000 + index * 1_234),
    deviceCount: starts.map((_, index) => 500 + (index % 7) * 3),
    notebookMinutesUsed: starts.map((_, index) => (index % 3) * 20),
  };
  const entries = Array.from({ length: 10 }, (_, index) => ({ id: `org-${index}`, name: `Organization ${index}`, value: 90_000 - index * 7_000, share: 0.05 }));
  // as: only the fields the chart reads are filled in.
  return {
    periodSeries: { starts, columns, capped: false },
    top: [{ column: 'payloadBillableCount', label: 'Billable payloads', entries }],
  } as unknown as ReportSummary;
}

const emailChartCase: BenchCase = {
  description: 'Email chart: time to draw the inline PNG (ECharts SSR SVG + resvg) for 31 and 62 periods',
  defaults: { runs: 10, warmup: 2 },
  async run({ runs, warmup }) {
    const font = findChartFont();
    const options = { ...DEFAULT_CHART_OPTIONS, font };
    const time = (periods: number) => {
      const summary = summaryWith(periods);
      return () => {
        const started = performance.now();
        const chart = drawReportChart(summary, options);
        return { ms: performance.now() - started, kb: (chart?.png.length ?? 0) / 1024 };
      };
    };
    const measured = await measureInterleaved({ '31 periods': time(31), '62 periods': time(62) }, { runs, warmup });
    const median = (name: string) => measured[name]?.summary.ms?.median ?? Number.NaN;
    return {
      parameters: { width: options.width, height: options.height, font: font ? font.family : 'none (no text)', runs, warmup },
      measurements: Object.values(measured),
      comparisons: [],
      checks: [checkBelow('62 periods: median draw time', median('62 periods'), 250, 'ms')],
    };
  },
};

export default emailChartCase;
