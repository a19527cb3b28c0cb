// The leaders' cockpit (gongzhi/dashboards/templates/dashboards/_results.html): the charts
// (ECharts, data from json_script "cockpit-chart-data") and the map of grids (Leaflet, the
// places' shared layers; the figures per grid from the cockpit's map.json, same period and
// filters). Everything is drawn again after an htmx swap of #cockpit-results.
// Names come from users: they are set with textContent, never parsed as HTML.
(function () {
  "use strict";
  var charts = [];
  var map = null;

  function percent(value) {
    return value === null || value === undefined ? "—" : value.toFixed(1) + "%";
  }

  function dispose() {
    charts.forEach(function (c) { c.dispose(); });
    charts = [];
    if (map) { map.remove(); map = null; }
  }

  function go(url) { if (url) { window.location.href = url; } }

  function trendChart(el, t) {
    var chart = window.echarts.init(el);
    var series = t.series.map(function (s) {
      // The rework rate is a few percent: its own axis, so the other rates keep their band.
      var axis = s.key === "rework_rate" ? 2 : 0;
      return { name: s.name, type: "line", data: s.data, connectNulls: false, symbolSize: 7, yAxisIndex: axis };
    });
    series.push({ name: t.hours.name, type: "bar", data: t.hours.data, yAxisIndex: 1, barMaxWidth: 18, itemStyle: { opacity: 0.35 } });
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 52, right: 8, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: t.labels },
      yAxis: [
        // Rates of a working centre sit between 80 and 100 %: show that band, not 0–100.
        { type: "value", max: 100, min: function (v) { return Math.max(0, Math.floor((v.min - 5) / 10) * 10); }, axisLabel: { formatter: "{value}%" } },
        { type: "value", min: 0, axisLabel: { formatter: "{value} h" }, splitLine: { show: false } },
        { type: "value", min: 0, position: "left", offset: 44, axisLabel: { formatter: "{value}%" }, splitLine: { show: false } }
      ],
      series: series
    });
    charts.push(chart);
  }

  function barChart(el, block, formatter) {
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis", valueFormatter: formatter },
      grid: { left: 8, right: 16, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: block.labels, inverse: true, axisLabel: { interval: 0 } },
      series: [{ type: "bar", data: block.data, barMaxWidth: 24, label: { show: true, position: "right" } }]
    });
    chart.on("click", function (p) { go(block.urls[p.dataIndex]); });
    charts.push(chart);
  }

  // --- The map -------------------------------------------------------------------------------
  var SHADES = ["#f7f4e8", "#fde0a5", "#fdb863", "#f4845f", "#d7301f", "#99000d"];

  function shade(value, max) {
    if (!value || !max) { return SHADES[0]; }
    var i = Math.min(SHADES.length - 1, 1 + Math.floor((value / max) * (SHADES.length - 1.0001)));
    return SHADES[i];
  }

  function infoLine(parent, label, value) {
    var div = document.createElement("div");
    div.textContent = label + ": ";
    var b = document.createElement("strong");
    b.textContent = value;
    div.appendChild(b);
    parent.appendChild(div);
  }

  function link(parent, text, url, testid) {
    if (!url) { return; }
    var a = document.createElement("a");
    a.href = url;
    a.textContent = text;
    a.className = "d-block";
    if (testid) { a.setAttribute("data-testid", testid); }
    parent.appendChild(a);
  }

  function drawMap(el, config) {
    if (typeof window.L === "undefined") { return; }
    map = window.L.map(el, { zoomSnap: 0.25 }).setView([31.245, 121.41], 14);
    var info = document.getElementById("cockpit-map-info");
    var labels = config.labels;
    Promise.all([
      fetch(config.layers_url, { credentials: "same-origin" }).then(function (r) { return r.json(); }),
      fetch(config.figures_url, { credentials: "same-origin" }).then(function (r) { return r.json(); })
    ]).then(function (both) {
      if (!map) { return; }
      var layers = both[0], figures = both[1];
      var grids = figures.grids || {};
      if (window.GZLayers) { window.GZLayers.roads(map, layers.roads); }
      var features = (layers.grids && layers.grids.features) || [];
      if (!features.length) { info.textContent = labels.no_grids; return; }
      function valueOf(f, by) {
        var g = grids[String(f.properties.id)] || {};
        if (by === "overdue") { return g.overdue || 0; }
        var ha = (f.properties.area_m2 || 0) / 10000;
        return ha ? (g.filed || 0) / ha : 0;
      }
      var gridLayer = null;
      function paint() {
        var by = (document.querySelector("input[name=gz-shade]:checked") || {}).value || "density";
        var max = 0;
        features.forEach(function (f) { max = Math.max(max, valueOf(f, by)); });
        if (gridLayer) { gridLayer.remove(); }
        gridLayer = window.L.geoJSON(layers.grids, {
          style: function (f) {
            return { color: "#555", weight: 1, fillColor: shade(valueOf(f, by), max), fillOpacity: 0.75, className: "gz-cockpit-grid" };
          },
          onEachFeature: function (f, layer) {
            layer.on("click", function () {
              var g = grids[String(f.properties.id)] || {};
              info.textContent = "";
              var h = document.createElement("div");
              h.className = "fw-semibold";
              h.setAttribute("data-testid", "map-grid-name");
              h.textContent = f.properties.name + " · " + f.properties.station_name;
              info.appendChild(h);
              infoLine(info, labels.filed, g.filed || 0);
              infoLine(info, labels.density, (valueOf(f, "density")).toFixed(1));
              infoLine(info, labels.open, g.open || 0);
              infoLine(info, labels.overdue, g.overdue || 0);
              infoLine(info, labels.rate, g.rate || "—");
              link(info, labels.list, g.url, "map-grid-cases");
              if (g.overdue) { link(info, labels.overdue_list, g.overdue_url, "map-grid-overdue"); }
            });
          }
        }).addTo(map);
        gridLayer.bringToBack();
      }
      paint();
      document.querySelectorAll("input[name=gz-shade]").forEach(function (r) { r.addEventListener("change", paint); });
      var points = window.L.layerGroup();
      (figures.points || []).forEach(function (p) {
        var m = window.L.circleMarker([p.lat, p.lng], {
          radius: p.late ? 5 : 3.5, color: p.late ? "#99000d" : "#0d6efd", weight: 1, fillOpacity: 0.8
        });
        m.bindTooltip(p.number + " " + (p.title || ""));
        m.on("click", function () { go(p.url); });
        m.addTo(points);
      });
      points.addTo(map);
      var b = window.L.geoJSON(layers.grids).getBounds();
      if (b.isValid()) { map.fitBounds(b, { padding: [8, 8] }); }
      el.setAttribute("data-ready", "1");
    }).catch(function () { info.textContent = labels.no_grids; });
  }

  function draw() {
    dispose();
    var script = document.getElementById("cockpit-chart-data");
    if (script && typeof window.echarts !== "undefined") {
      var data = JSON.parse(script.textContent);
      var trend = document.getElementById("cockpit-trend");
      if (trend && data.trend) { trendChart(trend, data.trend); }
      var intake = document.getElementById("cockpit-intake");
      if (intake && data.intake) { barChart(intake, data.intake); }
    }
    var mapEl = document.getElementById("cockpit-map");
    var config = document.getElementById("cockpit-map-config");
    if (mapEl && config) { drawMap(mapEl, JSON.parse(config.textContent)); }
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", function (evt) {
    if (evt.detail && evt.detail.target && evt.detail.target.id === "cockpit-results") { draw(); }
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  window.GZCockpit = { percent: percent };
})();
