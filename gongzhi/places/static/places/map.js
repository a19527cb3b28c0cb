// The places map: the subdistrict outline, residential areas, grids coloured by grid station,
// roads with their names, stations, landmarks and buildings, from /places/map-data.json; tap a grid for its details, tap anywhere
// (or use "Which grid am I in?") to ask /places/locate which grid a point is in.
// Map tiles are drawn only when the installation has a tile server (settings MAP_TILE_URL).
(function () {
  "use strict";

  var el = document.getElementById("gz-map");
  var configEl = document.getElementById("gz-map-config");
  if (!el || !configEl || !window.L) return;
  var config = JSON.parse(configEl.textContent);
  var t = config.labels;
  var statusEl = document.getElementById("gz-map-status");
  var infoEl = document.getElementById("gz-map-info");
  var legendEl = document.getElementById("gz-map-legend");

  var map = L.map(el, { zoomSnap: 0.25, preferCanvas: false }).setView([31.245, 121.41], 14);
  if (el.dataset.tileUrl) {
    L.tileLayer(el.dataset.tileUrl, {
      attribution: el.dataset.tileAttribution || "",
      maxZoom: 20,
    }).addTo(map);
  }

  function setStatus(text, isError) {
    statusEl.textContent = text;
    statusEl.classList.toggle("text-danger", !!isError);
    statusEl.classList.toggle("text-muted", !isError);
  }

  // Details as a <dl>, built with textContent: names come from users and are never parsed as HTML.
  function details(rows) {
    var dl = document.createElement("dl");
    dl.className = "gz-map-details mb-0";
    rows.forEach(function (row) {
      if (row[1] === null || row[1] === undefined || row[1] === "") return;
      var dt = document.createElement("dt");
      dt.textContent = row[0];
      var dd = document.createElement("dd");
      dd.textContent = row[1];
      dl.appendChild(dt);
      dl.appendChild(dd);
    });
    return dl;
  }

  function message(text) {
    var p = document.createElement("p");
    p.className = "mb-0";
    p.textContent = text;
    return p;
  }

  function squareMetres(value) {
    return Math.round(value).toLocaleString() + " " + t.square_metres;
  }

  function stationLabel(number, name) {
    return t.station_number.replace("%(number)s", number) + " " + name;
  }

  function gridRows(g) {
    return [
      [t.code, g.code],
      [t.name, g.name],
      [t.kind, g.kind_label],
      [t.area, squareMetres(g.area_m2)],
      [t.station, stationLabel(g.station_number, g.station_name)],
      [t.residential_area, g.residential_area],
      [t.estate, g.estate],
    ];
  }

  function show(latlng, node) {
    infoEl.replaceChildren(node.cloneNode(true));
    L.popup({ maxWidth: 260 }).setLatLng(latlng).setContent(node).openOn(map);
  }

  // --- Layers ------------------------------------------------------------------------------------
  var gridLayers = {};
  var highlighted = null;

  function highlight(id) {
    if (highlighted) grids.resetStyle(highlighted);
    highlighted = gridLayers[id] || null;
    if (highlighted) highlighted.setStyle({ weight: 4, fillOpacity: 0.45 });
  }

  var outline = L.geoJSON(null, {
    style: { color: "#b3261e", weight: 3, fill: false, className: "gz-outline" },
    interactive: false,
  });
  var areas = L.geoJSON(null, {
    style: { color: "#444", weight: 2, dashArray: "6 4", fill: false, className: "gz-area" },
    interactive: false,
  });
  var areaLabels = L.layerGroup();
  var grids = L.geoJSON(null, {
    style: function (f) {
      return {
        color: f.properties.colour, weight: 1.5, fillColor: f.properties.colour, fillOpacity: 0.25,
        className: "gz-grid",
      };
    },
    onEachFeature: function (f, layer) {
      gridLayers[f.properties.id] = layer;
      layer.on("click", function (e) {
        L.DomEvent.stopPropagation(e);
        highlight(f.properties.id);
        show(e.latlng, details(gridRows(f.properties)));
      });
    },
  });
  var stations = L.geoJSON(null, {
    pointToLayer: function (f, latlng) {
      return L.circleMarker(latlng, {
        radius: 9, color: "#fff", weight: 2, fillColor: f.properties.colour, fillOpacity: 1,
      });
    },
    onEachFeature: function (f, layer) {
      layer.bindTooltip(stationLabel(f.properties.number, f.properties.name));
      layer.on("click", function (e) {
        L.DomEvent.stopPropagation(e);
        show(e.latlng, details([[t.station, stationLabel(f.properties.number, f.properties.name)],
          ["", f.properties.address]]));
      });
    },
  });
  var buildings = L.geoJSON(null, {
    pointToLayer: function (f, latlng) {
      return L.circleMarker(latlng, { radius: 5, color: "#333", weight: 1, fillColor: "#999", fillOpacity: 0.9 });
    },
    onEachFeature: function (f, layer) {
      layer.bindTooltip(f.properties.name);
    },
  });

  function legend(features) {
    legendEl.replaceChildren();
    features.forEach(function (f) {
      var p = f.properties;
      var li = document.createElement("li");
      li.className = "list-group-item py-1 d-flex justify-content-between align-items-center";
      var name = document.createElement("span");
      var swatch = document.createElement("span");
      swatch.className = "gz-swatch";
      swatch.style.background = p.colour;
      name.appendChild(swatch);
      name.appendChild(document.createTextNode(stationLabel(p.number, p.name)));
      var count = document.createElement("span");
      count.className = "badge text-bg-light";
      count.textContent = p.grid_count + " " + t.grid_count;
      li.appendChild(name);
      li.appendChild(count);
      legendEl.appendChild(li);
    });
  }

  function draw(data) {
    outline.addData(data.outline);
    areas.addData(data.areas);
    data.areas.features.forEach(function (f) {
      var at = f.properties.label_point;
      if (!at) return;
      var span = document.createElement("span");
      span.textContent = f.properties.name;
      L.marker([at[1], at[0]], {
        icon: L.divIcon({ className: "gz-area-label", html: span, iconSize: null }),
        interactive: false,
        keyboard: false,
      }).addTo(areaLabels);
    });
    grids.addData(data.grids);
    stations.addData(data.stations);
    buildings.addData(data.buildings);
    // Grids first, so the roads, the area boundaries and the outline are drawn over them (they
    // are not clickable: a tap goes through them to the grid below).
    grids.addTo(map);
    var roads = window.GZLayers && window.GZLayers.roads(map, data.roads);
    [areas, outline, areaLabels, stations, buildings].forEach(function (layer) {
      layer.addTo(map);
    });
    var landmarks = window.GZLayers && window.GZLayers.landmarks(map, data.landmarks);
    var overlays = {};
    overlays[t.outline] = outline;
    overlays[t.areas] = areas;
    overlays[t.area_labels] = areaLabels;
    overlays[t.grids] = grids;
    if (roads) overlays[t.roads] = roads;
    overlays[t.stations] = stations;
    if (landmarks) overlays[t.landmarks] = landmarks;
    overlays[t.buildings] = buildings;
    L.control.layers(null, overlays, { collapsed: true }).addTo(map);
    legend(data.stations.features);
    if (data.bounds) {
      map.fitBounds(data.bounds, { padding: [8, 8], animate: false });
    } else if (data.grids.features.length) {
      map.fitBounds(grids.getBounds(), { padding: [8, 8], animate: false });
    }
    setStatus(data.grids.features.length ? t.ready : t.no_grids, false);
    el.dataset.ready = "true";
  }

  fetch(config.data_url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    })
    .then(draw)
    .catch(function () {
      setStatus(t.load_failed, true);
    });

  // --- Which grid is this point in? ------------------------------------------------------------------
  function locate(latlng) {
    setStatus(t.looking_up, false);
    var url = config.locate_url + "?lat=" + encodeURIComponent(latlng.lat.toFixed(7)) +
      "&lng=" + encodeURIComponent(latlng.lng.toFixed(7));
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        return r.json().then(function (body) { return { ok: r.ok, body: body }; });
      })
      .then(function (res) {
        if (!res.ok) throw new Error(res.body.error || t.locate_failed);
        var b = res.body;
        setStatus(t.ready, false);
        if (!b.found) {
          highlight(null);
          show(latlng, message(b.message || t.outside));
          return;
        }
        highlight(b.grid.id);
        show(latlng, details([
          [t.code, b.grid.code],
          [t.name, b.grid.name],
          [t.kind, b.grid.kind_label],
          [t.area, squareMetres(b.grid.area_m2)],
          [t.station, stationLabel(b.station.number, b.station.name)],
          [t.residential_area, b.residential_area.name],
          [t.estate, b.grid.estate],
        ]));
      })
      .catch(function (err) {
        setStatus(err.message || t.locate_failed, true);
      });
  }

  map.on("click", function (e) {
    locate(e.latlng);
  });

  var me = document.getElementById("gz-map-locate-me");
  if (me) {
    me.addEventListener("click", function () {
      if (!navigator.geolocation) {
        setStatus(t.no_geolocation, true);
        return;
      }
      navigator.geolocation.getCurrentPosition(
        function (pos) {
          var latlng = L.latLng(pos.coords.latitude, pos.coords.longitude);
          map.setView(latlng, Math.max(map.getZoom(), 17));
          locate(latlng);
        },
        function () {
          setStatus(t.no_geolocation, true);
        },
        { enableHighAccuracy: true, timeout: 15000 }
      );
    });
  }
})();
