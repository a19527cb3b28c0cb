// Charts of the statistics page (gongzhi/cases/templates/cases/stats_results.html).
// Data comes from the server as JSON (json_script "stats-chart-data"): rates in percent, null
// where a rate has no denominator (ECharts leaves a gap). Redrawn after every htmx swap.
(function () {
  "use strict";
  var charts = [];

  function dispose() {
    charts.forEach(function (c) { c.dispose(); });
    charts = [];
  }

  function percent(value) {
    return value === null || value === undefined ? "—" : value.toFixed(1) + "%";
  }

  function options(block, type) {
    var category = {
      type: "category",
      data: block.labels,
      boundaryGap: true,
      axisLabel: { hideOverlap: type !== "bar", interval: type === "bar" ? 0 : "auto" }
    };
    var value = { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } };
    // Groups as horizontal bars: every group's name shows, however many there are.
    if (type === "bar") { category.inverse = true; }
    return {
      tooltip: { trigger: "axis", valueFormatter: percent },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      xAxis: type === "bar" ? value : category,
      yAxis: type === "bar" ? category : value,
      series: block.series.map(function (s) {
        return {
          name: s.name,
          type: type,
          data: s.data,
          connectNulls: false,
          showSymbol: true,
          symbolSize: 7,
          barMaxWidth: 28
        };
      })
    };
  }

  function draw() {
    dispose();
    var script = document.getElementById("stats-chart-data");
    if (!script || typeof window.echarts === "undefined") { return; }
    var data = JSON.parse(script.textContent);
    var trend = document.getElementById("stats-chart-trend");
    if (trend && data.trend) {
      var line = window.echarts.init(trend);
      line.setOption(options(data.trend, "line"));
      charts.push(line);
    }
    var groups = document.getElementById("stats-chart-groups");
    if (groups && data.groups) {
      var bar = window.echarts.init(groups);
      bar.setOption(options(data.groups, "bar"));
      charts.push(bar);
    }
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", function (evt) {
    if (evt.detail && evt.detail.target && evt.detail.target.id === "stats-results") { draw(); }
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
