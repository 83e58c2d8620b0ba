import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PNG } from 'pngjs';
import { findChartFont } from '../../src/delivery/chart-font.js';
import { DEFAULT_CHART_OPTIONS, drawReportChart } from '../../src/delivery/report-chart.js';
import { chartContentOf, reportChartOption } from '../../src/delivery/report-chart-option.js';
import type { ReportSummary } from '../../src/summary/types.js';

interface Axis {
  show?: boolean;
  name?: string;
  gridIndex?: number;
  nameTextStyle?: { color?: string };
  axisLabel?: { show?: boolean; color?: string };
}
interface Series {
  type: string;
  name: string;
  yAxisIndex: number;
  xAxisIndex: number;
  lineStyle?: { color?: string };
}

/** Three series whose scales differ by orders of magnitude, and a top list. */
function summaryWith(periods: number, top = true): ReportSummary {
  const starts = Array.from({ length: periods }, (_, index) => new Date(Date.UTC(2026, 0, 1 + index)).toISOString());
  const columns = {
    payloadBillableCount: starts.map((_, index) => 100_000 + index * 1_234),
    deviceCount: starts.map((_, index) => 500 + (index % 7) * 3),
    payloadBillableSizeMb: starts.map((_, index) => (index % 3) * 0.5),
  };
  const entries = Array.from({ length: 10 }, (_, index) => ({ id: `org-${index}`, name: `Organization ${index}`, value: 90_000 - index * 7_000, share: 0.05 }));
  // as: only the fields the chart reads are filled in.
  return {
    periodSeries: { starts, columns, capped: false },
    top: top ? [{ column: 'payloadBillableCount', label: 'Billable payloads', entries }] : [],
  } as unknown as ReportSummary;
}

const font = { file: '/nonexistent.ttf', family: 'Liberation Sans' };

describe('the report chart layout', () => {
  for (const withTop of [true, false]) {
    test(`every per-period series has its own labelled axis in its own colour${withTop ? ' (with bars)' : ' (lines only)'}`, () => {
      const content = chartContentOf(summaryWith(31, withTop), DEFAULT_CHART_OPTIONS);
      assert.ok(content);
      const option = reportChartOption(content, { ...DEFAULT_CHART_OPTIONS, font });
      const yAxes = option.yAxis as Axis[];
      const lines = (option.series as Series[]).filter((series) => series.type === 'line');
      assert.equal(lines.length, 3);
      assert.deepEqual(
        lines.map((line) => line.name),
        ['Billable payloads', 'Devices', 'Billable payload size (MB)'],
      );
      const axisIndexes = new Set(lines.map((line) => line.yAxisIndex));
      assert.equal(axisIndexes.size, lines.length, 'one axis per series');
      for (const line of lines) {
        const axis = yAxes[line.yAxisIndex];
        assert.ok(axis, `${line.name} has an axis`);
        assert.notEqual(axis.show, false, `${line.name}'s axis is shown`);
        assert.notEqual(axis.axisLabel?.show, false, `${line.name}'s axis has its figures`);
        assert.equal(axis.name, line.name, `${line.name}'s axis is named after it`);
        assert.ok(line.lineStyle?.color, `${line.name} has a colour`);
        assert.equal(axis.nameTextStyle?.color, line.lineStyle.color, `${line.name}'s axis name is in its colour`);
        assert.equal(axis.axisLabel?.color, line.lineStyle.color, `${line.name}'s axis figures are in its colour`);
      }
    });
  }

  test('without a font the chart carries no text, axes names included', () => {
    const content = chartContentOf(summaryWith(31), DEFAULT_CHART_OPTIONS);
    assert.ok(content);
    const option = reportChartOption(content, { ...DEFAULT_CHART_OPTIONS, font: null });
    for (const axis of option.yAxis as Axis[]) {
      assert.equal(axis.axisLabel?.show, false);
      assert.ok(!axis.name, 'no axis name');
    }
  });

  for (const periods of [1, 31, 62]) {
    test(`the drawn PNG still decodes at the default size (${periods} periods)`, () => {
      const chart = drawReportChart(summaryWith(periods), { ...DEFAULT_CHART_OPTIONS, font: findChartFont() });
      assert.ok(chart);
      const decoded = PNG.sync.read(chart.png);
      assert.equal(decoded.width, DEFAULT_CHART_OPTIONS.width);
      assert.equal(decoded.height, DEFAULT_CHART_OPTIONS.height);
    });
  }
});
