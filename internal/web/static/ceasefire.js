// The ceasefire pages' map (Leaflet with marker clustering) and charts
// (uPlot). The data comes from JSON script elements the server wrote; the
// CSP runs no inline script. Without a tile URL the map is a plain
// background with the markers and zones, which works offline.
(function () {
  'use strict';

  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  var colours = {
    reported: '#6b6b6b', under_review: '#b36b00', confirmed_violation: '#b00020',
    not_a_violation: '#1b7f3b', unverifiable: '#4a4a8a', duplicate: '#999999'
  };

  function text(tag, s, cls) {
    var el = document.createElement(tag);
    el.textContent = s;
    if (cls) { el.className = cls; }
    return el;
  }

  // popup builds the popup of an incident from text nodes only.
  function popup(p) {
    var box = document.createElement('div');
    var a = text('a', p.type_label + ' · ' + p.occurred_at.slice(0, 16).replace('T', ' '));
    a.href = p.url;
    box.appendChild(a);
    box.appendChild(text('p', p.status_label + (p.place ? ' · ' + p.place : '')));
    (p.answers || []).forEach(function (ans) {
      box.appendChild(text('p', ans.org + ': ' + ans.body, 'cf-popup-answer'));
    });
    return box;
  }

  function initMap() {
    var el = document.getElementById('cf-map');
    if (!el || !window.L) { return; }
    var data = readJSON('cf-map-data');
    var map = L.map(el, { worldCopyJump: true, maxZoom: 18, minZoom: 2 });
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { maxZoom: 18 }).addTo(map);
    } else {
      el.classList.add('cf-plain');
    }
    var zones = L.geoJSON(data.zones, {
      style: function (f) {
        return { color: f.properties.kind === 'ceasefire' ? '#1b7f3b' : '#b36b00', weight: 2, fillOpacity: 0.12 };
      },
      onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.name); }
    }).addTo(map);
    var cluster = L.markerClusterGroup();
    drawIncidents(cluster, data.incidents);
    map.addLayer(cluster);
    var bounds = cluster.getBounds();
    if (zones.getBounds().isValid()) { bounds = bounds.isValid() ? bounds.extend(zones.getBounds()) : zones.getBounds(); }
    if (bounds.isValid()) {
      map.fitBounds(bounds.pad(0.2), { maxZoom: 12 });
    } else {
      map.setView([35, 38], 6);
    }
    el.dataset.ready = String(data.incidents.features.length);
    live(el, cluster, zones);
  }

  // drawIncidents puts the incidents' markers in the cluster, replacing
  // those it held.
  function drawIncidents(cluster, incidents) {
    cluster.clearLayers();
    incidents.features.forEach(function (f) {
      var c = f.geometry.coordinates;
      var m = L.circleMarker([c[1], c[0]], {
        radius: 8, color: colours[f.properties.status] || '#333', weight: 2, fillOpacity: 0.7
      });
      m.bindPopup(function () { return popup(f.properties); });
      m.feature = f;
      cluster.addLayer(m);
    });
  }

  // The events that change what the map shows.
  var liveTypes = ['ceasefire.report', 'ceasefire.verification', 'ceasefire.publish', 'ceasefire.merge', 'ceasefire.merged',
    'ceasefire.split', 'ceasefire.split_from', 'ceasefire.answer', 'ceasefire.zones'];

  // live keeps the map current: the process's ceasefire events come
  // through the page's stream, and after each burst the map's data is read
  // again for the page's filters (the server decides what the viewer
  // reads; the events only say that something changed).
  function live(el, cluster, zones) {
    if (!el.dataset.events || !window.EventSource) { return; }
    var status = document.getElementById('cf-live');
    var pending = null;
    function refresh() {
      pending = null;
      fetch(el.dataset.source, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          drawIncidents(cluster, data.incidents);
          zones.clearLayers();
          zones.addData(data.zones);
          el.dataset.ready = String(data.incidents.features.length);
          if (status) { status.textContent = status.dataset.text; }
        });
    }
    // The stream starts after the last event the page reflects.
    var src = new EventSource(el.dataset.events + '?after=' + (el.dataset.after || '-1'));
    liveTypes.forEach(function (t) {
      src.addEventListener(t, function () {
        if (!pending) { pending = setTimeout(refresh, 300); }
      });
    });
    src.addEventListener('open', function () { el.dataset.live = 'true'; });
  }

  function width(el) { return Math.max(280, el.clientWidth || 600); }

  function initStats() {
    var data = readJSON('cf-stats-data');
    if (!data || !window.uPlot) { return; }
    var days = document.getElementById('cf-chart-days');
    if (days && data.days[0]) {
      new uPlot({
        width: width(days), height: 260,
        series: [{}, { label: data.labels.all, stroke: '#4a4a8a', fill: 'rgba(74,74,138,0.15)' },
          { label: data.labels.confirmed, stroke: '#b00020' }],
        axes: [{}, {}]
      }, data.days, days);
      days.dataset.ready = 'true';
    }
  }

  document.addEventListener('DOMContentLoaded', function () {
    initMap();
    initStats();
  });
}());
