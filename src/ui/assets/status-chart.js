// The overview's chart of reports by status, drawn with ECharts (loaded before this module as
// window.echarts, from /ui/assets/vendor/). The list beside it says the same without script.
const STATUS_COLOURS = { failed: '#a4262c', unrecognized: '#c2410c', overdue: '#b7791f', delivered: '#1e6b35' };

function draw(element) {
  const echarts = window.echarts;
  if (!echarts) return;
  const counts = JSON.parse(element.dataset.statusCounts ?? '{}');
  const statuses = Object.keys(counts);
  // One bar per status: the chart is as tall as its bars need (CSSOM, which the CSP allows).
  element.style.height = `${statuses.length * 34 + 48}px`;
  const chart = echarts.init(element, null, { renderer: 'svg' });
  chart.setOption({
    animation: false,
    grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: statuses.map((status) => status.replace(/_/gu, ' ')), inverse: true },
    series: [
      {
        type: 'bar',
        data: statuses.map((status) => ({ value: counts[status], itemStyle: { color: STATUS_COLOURS[status] ?? '#1f5fbf' } })),
        barMaxWidth: 22,
        label: { show: true, position: 'right' },
      },
    ],
  });
  new ResizeObserver(() => chart.resize()).observe(element);
}

for (const element of document.querySelectorAll('[data-status-counts]')) draw(element);
