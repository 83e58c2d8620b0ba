// Usage charts (an organization's reports, the instance's months) drawn with ECharts, loaded before
// this module as window.echarts from /ui/assets/vendor/. The data comes from the element's
// data-usage-chart attribute: {labels, series: [{name, data}]}; one panel per series, sharing the
// x axis, since payloads, devices and minutes differ by orders of magnitude. The page's table has
// the same figures for readers without script.
const COLOURS = ['#1f5fbf', '#1e6b35', '#b7791f'];
const PANEL_HEIGHT = 120;
const GAP = 36;
const TOP = 28;
// A fixed left margin, wide enough for "10,000,000": the panels' plot areas line up under one another.
const LEFT = 80;

function draw(element) {
  const echarts = window.echarts;
  if (!echarts) return;
  const { labels, series } = JSON.parse(element.dataset.usageChart ?? '{"labels":[],"series":[]}');
  // As tall as its panels need (CSSOM, which the CSP allows).
  element.style.height = `${TOP + series.length * (PANEL_HEIGHT + GAP)}px`;
  const chart = echarts.init(element, null, { renderer: 'svg' });
  const panels = series.map((_, index) => index);
  const last = series.length - 1;
  chart.setOption({
    animation: false,
    tooltip: { trigger: 'axis' },
    axisPointer: { link: [{ xAxisIndex: 'all' }] },
    title: series.map((entry, index) => ({ text: entry.name, top: index * (PANEL_HEIGHT + GAP), left: 0, textStyle: { fontSize: 13, fontWeight: 600 } })),
    grid: panels.map((index) => ({ left: LEFT, right: 24, top: TOP + index * (PANEL_HEIGHT + GAP), height: PANEL_HEIGHT - 20 })),
    xAxis: panels.map((index) => ({ type: 'category', gridIndex: index, data: labels, axisLabel: { show: index === last, hideOverlap: true } })),
    yAxis: panels.map((index) => ({ type: 'value', gridIndex: index, splitNumber: 2 })),
    series: series.map((entry, index) => ({
      name: entry.name,
      type: 'line',
      xAxisIndex: index,
      yAxisIndex: index,
      data: entry.data,
      showSymbol: true,
      symbolSize: 6,
      connectNulls: false,
      itemStyle: { color: COLOURS[index % COLOURS.length] },
    })),
  });
  new ResizeObserver(() => chart.resize()).observe(element);
}

for (const element of document.querySelectorAll('[data-usage-chart]')) draw(element);
