// The occupancy chart of a car park (gongzhi/sharing/templates/sharing/resource.html): per
// opening window, the spaces offered and the most cars inside at once. Data from json_script.
(function () {
  "use strict";
  function draw() {
    var el = document.getElementById("occupancy-chart");
    var src = document.getElementById("occupancy-data");
    if (!el || !src || !window.echarts) { return; }
    var data = JSON.parse(src.textContent);
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.labels, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", min: 0 },
      series: [
        { name: el.dataset.peakLabel, type: "bar", data: data.peak },
        { name: el.dataset.offeredLabel, type: "line", step: "middle", showSymbol: false, data: data.offered },
        { name: el.dataset.entriesLabel, type: "line", showSymbol: false, data: data.entries }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
