// Humanitarian access pages: the locations map (Leaflet, no tile layer:
// parley loads nothing from outside) and the per-item funnel charts
// (uPlot). The data come in data- attributes written by the server.
(function () {
  "use strict";
  var colours = { besieged: "#b3261e", hard_to_reach: "#b26a00", accessible: "#1b7a3d" };
  var palette = ["#0b5cad", "#b3261e", "#1b7a3d", "#7a3db3", "#b26a00", "#00838f", "#5d4037", "#ad1457"];

  function drawMap(el) {
    if (!window.L) { return; }
    var locations = JSON.parse(el.dataset.locations || "[]");
    var map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
    // Leaflet draws a layer only on a map that has a view: set it from
    // every position and outline first.
    var bounds = L.latLngBounds([]);
    var shapes = locations.map(function (l) {
      var shape = l.polygon ? L.geoJSON(l.polygon, { style: { color: colours[l.status] || "#55606e", weight: 2, fillOpacity: 0.15 } }) : null;
      if (shape) { bounds.extend(shape.getBounds()); }
      bounds.extend([l.lat, l.lon]);
      return shape;
    });
    if (!bounds.isValid()) { return; }
    if (locations.length === 1) {
      map.setView(bounds.getCenter(), 10);
    } else {
      map.fitBounds(bounds, { padding: [40, 40] });
    }
    locations.forEach(function (l, i) {
      var colour = colours[l.status] || "#55606e";
      if (shapes[i]) { shapes[i].addTo(map); }
      var marker = L.circleMarker([l.lat, l.lon], { radius: 9, color: colour, fillColor: colour, fillOpacity: 0.7, weight: 2 }).addTo(map);
      var popup = document.createElement("div");
      var name = document.createElement("strong");
      name.textContent = l.name;
      var status = document.createElement("div");
      status.textContent = l.status_text;
      var detail = document.createElement("div");
      detail.textContent = l.detail;
      popup.append(name, status, detail);
      marker.bindPopup(popup);
      marker.bindTooltip(l.name, { permanent: true, direction: "top", offset: [0, -8], className: "hum-map-label" });
    });
  }

  function drawFunnel(el) {
    if (!window.uPlot) { return; }
    var f = JSON.parse(el.dataset.funnel || "{}");
    if (!f.series || f.series.length === 0) { return; }
    var xs = f.stages.map(function (_, i) { return i; });
    var data = [xs];
    var series = [{}];
    f.series.forEach(function (s, i) {
      data.push(s.values);
      series.push({ label: s.name, stroke: palette[i % palette.length], width: 2, points: { show: true, size: 7 },
        value: function (u, v) { return v == null ? "—" : v.toFixed(0) + " %"; } });
    });
    var box = el.parentElement ? el.parentElement.clientWidth : el.clientWidth;
    var width = Math.max(300, Math.min(760, box || 320));
    var opts = {
      width: width, height: 240,
      scales: { x: { time: false, range: [-0.2, xs.length - 0.8] }, y: { range: [0, 105] } },
      axes: [
        { values: function (u, splits) { return splits.map(function (v) { return Number.isInteger(v) ? f.stages[v] || "" : ""; }); }, splits: function () { return xs; } },
        { label: f.label, values: function (u, splits) { return splits.map(function (v) { return v + " %"; }); } }
      ],
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      series: series
    };
    new uPlot(opts, data, el);
  }

  function start() {
    var map = document.getElementById("hum-map");
    if (map) { drawMap(map); }
    document.querySelectorAll(".hum-funnel").forEach(drawFunnel);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
