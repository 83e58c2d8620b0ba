// A report's charts, drawn with ECharts (window.echarts, loaded before this module from
// /ui/assets/vendor/): each element with data-chart ("line" or "bar") and data-chart-data
// ({names, values, series}). The tables beside them hold the same figures without script.
const ACCENT = '#1f5fbf';
// Axis figures in short form ("1.2M"), so a phone's narrow axis has room for them.
const COMPACT = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const compact = (value) => COMPACT.format(value);

function lineOption(data) {
  return {
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', data: data.names, boundaryGap: false },
    yAxis: { type: 'value', axisLabel: { formatter: compact } },
    series: [{ type: 'line', name: data.series, data: data.values, showSymbol: data.values.length <= 40, connectNulls: false, itemStyle: { color: ACCENT } }],
  };
}

function barOption(data) {
  // One bar per resource, longest on top; the chart is as tall as its bars need.
  return {
    grid: { left: 8, right: 56, top: 8, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'value', splitNumber: 3, axisLabel: { formatter: compact, hideOverlap: true } },
    yAxis: { type: 'category', data: data.names, inverse: true, axisLabel: { width: 160, overflow: 'truncate' } },
    series: [
      {
        type: 'bar',
        name: data.series,
        data: data.values,
        barMaxWidth: 22,
        itemStyle: { color: ACCENT },
        label: { show: true, position: 'right', formatter: ({ value }) => compact(value) },
      },
    ],
  };
}

function draw(element) {
  const echarts = window.echarts;
  if (!echarts) return;
  const data = JSON.parse(element.dataset.chartData ?? '{}');
  if (!Array.isArray(data.values) || data.values.length === 0) return;
  if (element.dataset.chart === 'bar') element.style.height = `${data.values.length * 30 + 40}px`;
  const chart = echarts.init(element, null, { renderer: 'svg' });
  chart.setOption({ animation: false, ...(element.dataset.chart === 'bar' ? barOption(data) : lineOption(data)) });
  new ResizeObserver(() => chart.resize()).observe(element);
}

for (const element of document.querySelectorAll('[data-chart]')) draw(element);
