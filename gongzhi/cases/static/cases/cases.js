// The case pages' small scripts. Leaflet and htmx come from npm (static files, no CDN).
//
// Maps (one per page, configured by the JSON in #gz-case-map-config):
//   data-gz-map="pin"    report forms: tap the map or "Use my location" to set the hidden
//                        lat/lng inputs of the form; the pin can be dragged.
//   data-gz-map="point"  the case page: where the case is.
//   data-gz-map="tasks"  an inspector's verification tasks, and where the phone is.
// The subdistrict outline is drawn from the places app's map layers; tiles only when the
// installation has a tile server.
// The queue: "tick all" for the bulk dispatch, and the counts per state set the state filter.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function round7(x) {
    return Math.round(x * 1e7) / 1e7;
  }

  // Whether a point lies inside a GeoJSON (Multi)Polygon: ray casting over its rings.
  function inRing(x, y, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }
  function inGeometry(x, y, g) {
    var polygons = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
    return polygons.some(function (rings) {
      return inRing(x, y, rings[0]) && !rings.slice(1).some(function (hole) { return inRing(x, y, hole); });
    });
  }

  function initMap(el) {
    var configEl = document.getElementById("gz-case-map-config");
    if (!configEl || !window.L) return;
    var config = JSON.parse(configEl.textContent);
    var t = config.labels || {};
    var layers = config.layers || {};
    var map = L.map(el, { zoomSnap: 0.25 }).setView([31.245, 121.41], 14);
    if (el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, {
        attribution: el.dataset.tileAttribution || "",
        maxZoom: 20,
      }).addTo(map);
    }
    // Residential areas with their names, grids (name on hover), landmarks: a map people can
    // read without tiles (government intranets have none, or their own tile server).
    if (layers.areas) {
      L.geoJSON(layers.areas, {
        style: { color: "#6c757d", weight: 2, fillColor: "#f8f9fa", fillOpacity: 0.35, className: "gz-area" },
        interactive: false,
        onEachFeature: function (f, layer) {
          var at = f.properties.label_point;
          if (at) {
            L.tooltip({ permanent: true, direction: "center", className: "gz-area-label" })
              .setLatLng([at[1], at[0]]).setContent(f.properties.name).addTo(map);
          }
        },
      }).addTo(map);
    }
    // Estates (小区) with their names once the map is close enough to read them.
    if (layers.estates && (layers.estates.features || []).length) {
      var estateLabels = L.layerGroup();
      L.geoJSON(layers.estates, {
        style: { color: "#adb5bd", weight: 1, dashArray: "3 3", fill: false, className: "gz-estate" },
        interactive: false,
        onEachFeature: function (f) {
          var at = f.properties.label_point;
          if (at) {
            L.tooltip({ permanent: true, direction: "center", className: "gz-estate-label" })
              .setLatLng([at[1], at[0]]).setContent(f.properties.name).addTo(estateLabels);
          }
        },
      }).addTo(map);
      var showEstates = function () {
        if (map.getZoom() >= 16) estateLabels.addTo(map);
        else estateLabels.remove();
      };
      map.on("zoomend", showEstates);
      setTimeout(showEstates, 0);
    }
    var G = window.GZLayers;
    if (G) G.roads(map, layers.roads);
    if (layers.grids) {
      L.geoJSON(layers.grids, {
        style: function (f) {
          return {
            color: f.properties.colour || "#888", weight: 1, fillOpacity: 0.06, className: "gz-grid",
          };
        },
        onEachFeature: function (f, layer) {
          layer.bindTooltip(f.properties.name + (f.properties.estate ? " · " + f.properties.estate : ""), { sticky: true });
        },
      }).addTo(map);
    }
    if (layers.buildings) {
      L.geoJSON(layers.buildings, {
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, { radius: 4, color: "#0d6efd", weight: 1, fillOpacity: 0.8 });
        },
        onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.name); },
      }).addTo(map);
    }
    if (G) G.landmarks(map, layers.landmarks);
    if (layers.stations) {
      L.geoJSON(layers.stations, {
        filter: function (f) { return !!f.geometry; },
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, {
            radius: 6, color: "#fff", weight: 2, fillColor: f.properties.colour, fillOpacity: 1,
            className: "gz-station",
          });
        },
        onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.name); },
      }).addTo(map);
    }
    if (layers.outline) {
      L.geoJSON(layers.outline, {
        style: { color: "#b3261e", weight: 3, fill: false, className: "gz-outline" },
        interactive: false,
      }).addTo(map);
    }
    // The pin in words: "杏梅园 · 杏梅园小区 · 杏梅园3号网格 · 近枫桥路 · 近曹杨二中", from the
    // layers drawn: the grid it falls in (with its area and estate), the road and the landmark
    // next to it.
    function describe(latlng) {
      var x = latlng.lng, y = latlng.lat, parts = [];
      var grid = ((layers.grids || {}).features || []).find(function (f) {
        return f.geometry && inGeometry(x, y, f.geometry);
      });
      if (grid) {
        parts.push(grid.properties.residential_area);
        if (grid.properties.estate) parts.push(grid.properties.estate);
        parts.push(grid.properties.name);
      } else if (layers.grids) {
        parts.push(t.no_grid);
      }
      var near = function (f) { return (t.near || "%(place)s").replace("%(place)s", f.properties.name); };
      if (G) {
        var road = G.nearestRoad(latlng, layers.roads, 60);
        if (road) parts.push(near(road));
        var place = G.nearestPoint(latlng, [layers.landmarks, layers.buildings], 150);
        if (place) parts.push(near(place));
      }
      return parts.filter(Boolean).join(" · ");
    }
    function fit() {
      if (layers.bounds) map.fitBounds(layers.bounds, { padding: [8, 8], animate: false });
    }
    fit();
    var form = el.closest("form");
    var scope = form || document;
    var statusEl = scope.querySelector("[data-gz-map-status]") ||
      document.querySelector("[data-gz-map-status]");
    function setStatus(text, isError) {
      if (!statusEl) return;
      statusEl.textContent = text;
      statusEl.classList.toggle("text-danger", !!isError);
      statusEl.classList.toggle("text-muted", !isError);
    }
    function locate(onFound) {
      if (!navigator.geolocation) {
        setStatus(t.no_geolocation, true);
        return;
      }
      navigator.geolocation.getCurrentPosition(
        function (pos) {
          onFound(L.latLng(pos.coords.latitude, pos.coords.longitude));
        },
        function () {
          setStatus(t.no_geolocation, true);
        },
        { enableHighAccuracy: true, timeout: 15000 }
      );
    }
    var locateBtn = scope.querySelector("[data-gz-locate]") ||
      document.querySelector("[data-gz-locate]");
    var mode = el.dataset.gzMap;

    if (mode === "pin" && form) {
      var latInput = form.querySelector("[data-gz-lat]");
      var lngInput = form.querySelector("[data-gz-lng]");
      var marker = null;
      var setPin = function (latlng, pan) {
        latlng = L.latLng(round7(latlng.lat), round7(latlng.lng));
        if (!marker) {
          marker = L.marker(latlng, { draggable: true, keyboard: true }).addTo(map);
          marker.on("dragend", function () {
            setPin(marker.getLatLng(), false);
          });
        } else {
          marker.setLatLng(latlng);
        }
        latInput.value = latlng.lat.toFixed(7);
        lngInput.value = latlng.lng.toFixed(7);
        el.dataset.pinned = "true";
        if (pan) map.setView(latlng, Math.max(map.getZoom(), 17));
        var where = describe(latlng);
        setStatus((where ? t.pinned + " " + where : t.pinned) + " " + t.correct, false);
        if (statusEl) statusEl.dataset.where = where;
      };
      // Correcting the pin by name: an estate, road, school … puts the pin there to be dragged.
      var search = scope.querySelector("[data-gz-place-search]");
      if (search && G) {
        var known = G.searchable(layers);
        var list = document.getElementById(search.getAttribute("list"));
        known.forEach(function (p) {
          var option = document.createElement("option");
          option.value = p.name;
          list.appendChild(option);
        });
        search.closest("[hidden]") && search.closest("[hidden]").removeAttribute("hidden");
        var go = function () {
          var q = search.value.trim();
          if (!q) return;
          var hit = known.find(function (p) { return p.name === q; }) ||
            known.find(function (p) { return p.name.indexOf(q) >= 0; });
          if (!hit) {
            setStatus(t.not_found.replace("%(name)s", q), true);
            return;
          }
          setPin(L.latLng(hit.lat, hit.lng), true);
        };
        search.addEventListener("change", go);
        search.addEventListener("keydown", function (e) {
          if (e.key === "Enter") {
            e.preventDefault(); // not a submit of the report
            go();
          }
        });
      }
      // A form sent back may carry what was typed or tampered with ("nan", "abc", 1e999):
      // only a real point is drawn; otherwise the fields are emptied and the map waits for a pin.
      var sentLat = Number(latInput.value), sentLng = Number(lngInput.value);
      if (latInput.value && lngInput.value && isFinite(sentLat) && isFinite(sentLng) &&
          Math.abs(sentLat) <= 90 && Math.abs(sentLng) <= 180) {
        setPin(L.latLng(sentLat, sentLng), true);
      } else if (latInput.value || lngInput.value) {
        latInput.value = "";
        lngInput.value = "";
      }
      map.on("click", function (e) {
        setPin(e.latlng, false);
      });
      if (locateBtn) {
        locateBtn.addEventListener("click", function () {
          locate(function (latlng) { setPin(latlng, true); });
        });
      }
      if (config.locate_on_load && !latInput.value) {
        locate(function (latlng) { setPin(latlng, true); });
      }
    }

    if (mode === "point" && config.point) {
      var at = L.latLng(config.point.lat, config.point.lng);
      L.circleMarker(at, {
        radius: 9, color: "#fff", weight: 2, fillColor: "#b3261e", fillOpacity: 1,
      }).addTo(map).bindTooltip(config.point.label || "");
      map.setView(at, 17, { animate: false });
    }

    if (mode === "tasks") {
      (config.points || []).forEach(function (p) {
        var m = L.circleMarker([p.lat, p.lng], {
          radius: 9, color: "#fff", weight: 2, fillOpacity: 1,
          fillColor: p.overdue ? "#dc3545" : "#6f42c1", className: "gz-task-marker",
        }).addTo(map);
        var box = document.createElement("div");
        var a = document.createElement("a");
        a.href = p.url;
        a.textContent = p.number;
        a.className = "fw-semibold";
        var title = document.createElement("div");
        title.textContent = p.title;
        var due = document.createElement("div");
        due.className = p.overdue ? "small text-danger" : "small text-muted";
        due.textContent = p.due;
        box.appendChild(a);
        box.appendChild(title);
        box.appendChild(due);
        m.bindPopup(box);
      });
      var me = null;
      if (locateBtn) {
        locateBtn.addEventListener("click", function () {
          locate(function (latlng) {
            if (!me) {
              me = L.circleMarker(latlng, {
                radius: 7, color: "#fff", weight: 2, fillColor: "#0d6efd", fillOpacity: 1,
                className: "gz-me",
              }).addTo(map);
            } else {
              me.setLatLng(latlng);
            }
            map.setView(latlng, Math.max(map.getZoom(), 17));
            setStatus("", false);
          });
        });
      }
    }
    el.dataset.ready = "true";
  }

  // A map in a hidden tab has no size yet: draw it the first time its tab is shown.
  function initWhenShown(el) {
    var pane = el.closest(".tab-pane");
    if (el.offsetWidth > 0 || !pane || !pane.id) {
      initMap(el);
      return;
    }
    var done = false;
    document.querySelectorAll('[data-bs-target="#' + pane.id + '"]').forEach(function (btn) {
      btn.addEventListener("shown.bs.tab", function () {
        if (done) return;
        done = true;
        initMap(el);
      });
    });
  }

  ready(function () {
    document.querySelectorAll("[data-gz-map]").forEach(initWhenShown);
  });

  // --- Report forms: the kind of request matters for hotline categories only ---------------
  function toggleHotlineOnly(form) {
    var box = form.querySelector("[data-gz-hotline-only]");
    var category = form.querySelector("select[name=category]");
    if (!box || !category) return;
    var ids = box.dataset.gzHotlineOnly.split(",").filter(Boolean);
    box.hidden = ids.indexOf(category.value) < 0;
  }
  ready(function () {
    document.querySelectorAll("form").forEach(toggleHotlineOnly);
  });
  document.addEventListener("change", function (e) {
    if (e.target.matches("select[name=category]") && e.target.form) {
      toggleHotlineOnly(e.target.form);
    }
  });

  // --- The queue --------------------------------------------------------------------------
  document.addEventListener("change", function (e) {
    if (e.target.matches("[data-gz-select-all]")) {
      document.querySelectorAll(".gz-bulk").forEach(function (box) {
        box.checked = e.target.checked;
      });
    }
  });
  document.addEventListener("click", function (e) {
    var pill = e.target.closest("[data-gz-state]");
    if (!pill) return;
    var form = document.getElementById("queue-filter");
    var select = form && form.querySelector("select[name=state]");
    if (!select) return;
    select.value = select.value === pill.dataset.gzState ? "" : pill.dataset.gzState;
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
  });
})();

// The category picker (gongzhi/cases/picker.py): the search box narrows the grouped list by
// characters, pinyin or pinyin initials; what is chosen stays chosen.
(function () {
  function init(box) {
    var input = box.querySelector("[data-gz-picker-search]");
    var select = box.querySelector("select");
    var count = box.querySelector("[data-gz-picker-count]");
    if (!input || !select || box.dataset.ready) return;
    box.dataset.ready = "true";
    var original = Array.prototype.map.call(select.children, function (n) { return n.cloneNode(true); });
    function matches(option, terms) {
      if (!option.value) return true;
      var hay = ((option.dataset.search || "") + " " + option.textContent).toLowerCase();
      return terms.every(function (t) { return hay.indexOf(t) >= 0; });
    }
    input.addEventListener("input", function () {
      var chosen = select.value;
      var terms = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      while (select.firstChild) select.removeChild(select.firstChild);
      var shown = 0;
      original.forEach(function (node) {
        if (node.tagName === "OPTGROUP") {
          var group = node.cloneNode(false);
          Array.prototype.forEach.call(node.children, function (o) {
            if (matches(o, terms)) { group.appendChild(o.cloneNode(true)); shown += 1; }
          });
          if (group.children.length) select.appendChild(group);
        } else if (matches(node, terms) || node.value === chosen) {
          select.appendChild(node.cloneNode(true));
          if (node.value) shown += 1;
        }
      });
      select.value = chosen;
      if (terms.length && shown === 1) {
        var only = select.querySelector("option[value]:not([value=''])");
        if (only) { select.value = only.value; select.dispatchEvent(new Event("change", { bubbles: true })); }
      }
      if (count) count.textContent = terms.length ? (count.dataset.template || "#").replace("#", shown) : "";
    });
  }
  function all(root) { (root || document).querySelectorAll("[data-gz-picker]").forEach(init); }
  document.addEventListener("DOMContentLoaded", function () { all(); });
  document.addEventListener("htmx:afterSwap", function (e) { all(e.target); });
  all();
})();

// The intake form's category suggestion (cases/_intake_suggestion.html), refreshed by htmx as
// the operator types: a confident one selects its category unless the operator chose one
// themselves; an uncertain one fills nothing (and takes back what a confident one filled).
(function () {
  function apply(root) {
    var box = root && root.querySelector && root.querySelector("[data-gz-suggestion]");
    var holder = root && root.id === "intake-suggestion";
    if (!holder) return;
    var select = document.getElementById(box ? box.dataset.gzSuggestionFor : "id_category");
    if (!select) return;
    var filled = select.dataset.gzSuggested || "";
    if (select.value && select.value !== filled) return; // the operator's own choice
    var id = box ? box.dataset.gzSuggestCategory || "" : "";
    if (id && select.querySelector('option[value="' + id + '"]')) {
      select.value = id;
      select.dataset.gzSuggested = id;
    } else if (filled) {
      select.value = "";
      select.dataset.gzSuggested = "";
    }
  }
  document.addEventListener("htmx:afterSwap", function (e) { apply(e.target); });
})();
