// Drawing the places' own layers that every map shares, so a map can be read without tiles:
// roads with their names and landmarks (schools, the hospital, the service centre …) with an
// icon; and finding what is near a point, for describing a pin in words ("近枫桥路").
// Names come from users: they are set with textContent, never parsed as HTML.
(function () {
  "use strict";

  var ICONS = {
    school: "bi-mortarboard-fill",
    hospital: "bi-hospital-fill",
    clinic: "bi-heart-pulse-fill",
    service: "bi-people-fill",
    government: "bi-bank2",
    market: "bi-shop",
    park: "bi-tree-fill",
    transit: "bi-train-front-fill",
    other: "bi-geo-alt-fill",
  };
  var ROAD_WEIGHT = { main: 7, boundary: 8, branch: 4 };

  function features(fc) {
    return (fc && fc.features) || [];
  }

  // Labels that appear once the map is close enough to read them.
  function labelsFrom(map, group, minZoom) {
    function toggle() {
      if (map.getZoom() >= minZoom) group.addTo(map);
      else group.remove();
    }
    map.on("zoomend", toggle);
    setTimeout(toggle, 0);
  }

  function label(latlng, text, className) {
    return L.tooltip({ permanent: true, direction: "center", className: className, interactive: false })
      .setLatLng(latlng).setContent(text);
  }

  // Roads: a grey casing under a white (main and boundary roads: pale yellow) line, named.
  function roads(map, fc, options) {
    options = options || {};
    var list = features(fc);
    if (!list.length) return null;
    var group = L.layerGroup();
    var weight = function (f) { return ROAD_WEIGHT[f.properties.kind] || 5; };
    L.geoJSON(fc, {
      style: function (f) {
        return { color: "#b8b0a0", weight: weight(f) + 2, opacity: 1, lineCap: "butt", className: "gz-road-casing" };
      },
      interactive: false,
    }).addTo(group);
    L.geoJSON(fc, {
      style: function (f) {
        return {
          color: f.properties.kind === "branch" ? "#ffffff" : "#fff3c4", weight: weight(f), opacity: 1,
          lineCap: "butt", className: "gz-road",
        };
      },
      interactive: false,
    }).addTo(group);
    group.addTo(map);
    var names = L.layerGroup();
    list.forEach(function (f) {
      var at = f.properties.label_point;
      if (at) label([at[1], at[0]], f.properties.name, "gz-road-label").addTo(names);
    });
    labelsFrom(map, names, options.labelZoom || 15);
    return group;
  }

  // Landmarks: a round icon by kind, the name on hover and, close up, always.
  function landmarks(map, fc, options) {
    options = options || {};
    var list = features(fc);
    if (!list.length) return null;
    var group = L.layerGroup();
    var names = L.layerGroup();
    list.forEach(function (f) {
      var c = f.geometry && f.geometry.coordinates;
      if (!c) return;
      var latlng = L.latLng(c[1], c[0]);
      var i = document.createElement("i");
      i.className = "bi " + (ICONS[f.properties.kind] || ICONS.other);
      var marker = L.marker(latlng, {
        icon: L.divIcon({ className: "gz-landmark gz-landmark-" + f.properties.kind, html: i, iconSize: [22, 22] }),
        keyboard: false,
        title: f.properties.name,
      });
      marker.bindTooltip(f.properties.kind_label ? f.properties.name + " · " + f.properties.kind_label : f.properties.name);
      marker.addTo(group);
      L.tooltip({ permanent: true, direction: "bottom", offset: [0, 10], className: "gz-landmark-label", interactive: false })
        .setLatLng(latlng).setContent(f.properties.name).addTo(names);
    });
    group.addTo(map);
    labelsFrom(map, names, options.labelZoom || 16);
    return group;
  }

  // --- What is near a point ------------------------------------------------------------------------

  // Metres east/north of `origin`: good to a few centimetres across a subdistrict.
  function projector(origin) {
    var kx = 111320 * Math.cos(origin.lat * Math.PI / 180), ky = 110574;
    return function (lng, lat) { return [(lng - origin.lng) * kx, (lat - origin.lat) * ky]; };
  }

  function segmentDistance(p, a, b) {
    var dx = b[0] - a[0], dy = b[1] - a[1];
    var len2 = dx * dx + dy * dy;
    var t = len2 ? Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2)) : 0;
    var x = a[0] + t * dx - p[0], y = a[1] + t * dy - p[1];
    return Math.sqrt(x * x + y * y);
  }

  function lines(geometry) {
    if (!geometry) return [];
    if (geometry.type === "LineString") return [geometry.coordinates];
    if (geometry.type === "MultiLineString") return geometry.coordinates;
    return [];
  }

  // The nearest road within `maxMetres` of the point (a road's own half-width counts as on it).
  function nearestRoad(latlng, fc, maxMetres) {
    var project = projector(latlng), p = [0, 0], best = null, bestD = Infinity;
    features(fc).forEach(function (f) {
      var edge = (f.properties.width || 0) / 2;
      lines(f.geometry).forEach(function (coords) {
        for (var k = 1; k < coords.length; k++) {
          var d = segmentDistance(p, project(coords[k - 1][0], coords[k - 1][1]), project(coords[k][0], coords[k][1])) - edge;
          if (d < bestD) { bestD = d; best = f; }
        }
      });
    });
    return best && bestD <= maxMetres ? best : null;
  }

  // The nearest point feature within `maxMetres`.
  function nearestPoint(latlng, fcs, maxMetres) {
    var best = null, bestD = maxMetres;
    fcs.forEach(function (fc) {
      features(fc).forEach(function (f) {
        var c = f.geometry && f.geometry.coordinates;
        if (!c) return;
        var d = latlng.distanceTo(L.latLng(c[1], c[0]));
        if (d <= bestD) { best = f; bestD = d; }
      });
    });
    return best;
  }

  // Every named place a person might search for, with where to put the pin: estates, landmarks,
  // buildings and roads (at their label point).
  function searchable(layers) {
    var out = [];
    function add(fc, where) {
      features(fc).forEach(function (f) {
        var at = where(f);
        if (at) out.push({ name: f.properties.name, lat: at[1], lng: at[0] });
      });
    }
    var point = function (f) { return f.geometry && f.geometry.type === "Point" ? f.geometry.coordinates : null; };
    var labelled = function (f) { return f.properties.label_point; };
    add(layers.estates, labelled);
    add(layers.landmarks, point);
    add(layers.buildings, point);
    add(layers.roads, labelled);
    add(layers.areas, labelled);
    var seen = {};
    return out.filter(function (p) {
      if (seen[p.name]) return false;
      seen[p.name] = true;
      return true;
    });
  }

  window.GZLayers = {
    roads: roads,
    landmarks: landmarks,
    nearestRoad: nearestRoad,
    nearestPoint: nearestPoint,
    searchable: searchable,
  };
})();
