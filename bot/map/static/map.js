// alertrelay coordinator map: live incidents (server-sent events, polling as a fallback), group areas as
// outlines, and a list that works without the map (screen readers, phones). No data is in the page
// itself: everything comes from /map/data.json and /map/events after the session cookie is checked.
(function () {
  "use strict";
  var T = {
    en: {
      title: "Live map", incidents: "Incidents", listOnly: "List only", showMap: "Show map", other: "Español",
      pending: "unverified", verified: "verified", cleared: "all clear", expired: "expired", retracted: "retracted",
      disputed: "disputed by a verifier", reports: function (n) { return n + (n === 1 ? " independent report" : " independent reports"); },
      byVerifier: "confirmed by a verifier", age: function (m) { return m < 60 ? m + " min ago" : Math.floor(m / 60) + " h " + (m % 60) + " min ago"; },
      first: "first", last: "last", groups: "sent to", none: "No incidents right now.", live: "Live",
      updated: "updated", offline: "Connection lost: retrying…", why: "Why", counted: "counted", notCounted: "not counted",
      alert: "alert", update: "update", all_clear: "all-clear", expiry: "expiry", retraction: "retraction",
      legend: "Red: verified · orange dashed: unverified · green: all clear · grey: expired or retracted.",
      exercise: "REHEARSAL (drill)", close: "Close", streets: "Streets", areas: "Group areas", tiles: "Base map"
    },
    es: {
      title: "Mapa en vivo", incidents: "Incidentes", listOnly: "Solo lista", showMap: "Ver mapa", other: "English",
      pending: "sin verificar", verified: "verificado", cleared: "despejado", expired: "expirado", retracted: "retirado",
      disputed: "disputado por un verificador", reports: function (n) { return n + (n === 1 ? " reporte independiente" : " reportes independientes"); },
      byVerifier: "confirmado por un verificador", age: function (m) { return m < 60 ? "hace " + m + " min" : "hace " + Math.floor(m / 60) + " h " + (m % 60) + " min"; },
      first: "primero", last: "último", groups: "enviado a", none: "No hay incidentes ahora.", live: "En vivo",
      updated: "actualizado", offline: "Sin conexión: reintentando…", why: "Por qué", counted: "contó", notCounted: "no contó",
      alert: "alerta", update: "actualización", all_clear: "despeje", expiry: "expiración", retraction: "retiro",
      legend: "Rojo: verificado · naranja punteado: sin verificar · verde: despejado · gris: expirado o retirado.",
      exercise: "ENSAYO (simulacro)", close: "Cerrar", streets: "Calles", areas: "Áreas de los grupos", tiles: "Mapa base"
    }
  };
  var lang = (localStorage.getItem("alertrelay-lang") || (navigator.language || "en")).slice(0, 2) === "es" ? "es" : "en";
  var params = new URLSearchParams(location.search);
  if (params.get("lang") === "es" || params.get("lang") === "en") { lang = params.get("lang"); }
  var t = function () { return T[lang]; };
  var $ = function (id) { return document.getElementById(id); };

  var map = L.map("map", { zoomControl: true, attributionControl: true, preferCanvas: false });
  map.setView([44.95, -93.2], 12);
  // street centre lines (Minneapolis, ~50 KB gzipped, static): drawn on one canvas below the areas, not clickable;
  // on by default while there is no tile layer, which has streets of its own
  map.createPane("streets").style.zIndex = 350;
  var STREET_STYLE = [{ color: "#a39a8c", weight: 3 }, { color: "#b5ad9f", weight: 2 }, { color: "#cdc6b9", weight: 1 }];
  var streetLayer = L.geoJSON(null, {
    pane: "streets", renderer: L.canvas({ pane: "streets" }), interactive: false, attribution: "Streets: City of Minneapolis",
    style: function (f) { return streetStyle(f.properties.tier); }
  }).addTo(map);
  function streetStyle(tier) {
    var s = STREET_STYLE[tier] || STREET_STYLE[2];
    return { color: s.color, weight: s.weight, opacity: tier === 2 && map.getZoom() < 13 ? 0.45 : 0.9 };
  }
  map.on("zoomend", function () { streetLayer.setStyle(function (f) { return streetStyle(f.properties.tier); }); });
  map.createPane("areaLabels").style.zIndex = 450;  // area names under the incident markers, never over them
  var areaLayer = L.layerGroup().addTo(map);
  var incidentLayer = L.layerGroup().addTo(map);
  var layerControl = null;
  var markers = {};
  var last = null;
  var clockOffset = 0;  // server clock (a drill's message time, or now) minus ours
  var fitted = false;
  var tiles = null;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function hhmm(s) { return new Date(s * 1000).toLocaleTimeString(lang === "es" ? "es-US" : "en-US", { hour: "2-digit", minute: "2-digit" }); }
  function nowS() { return Date.now() / 1000 + clockOffset; }
  function where(i) { return [i.place, i.neighbourhood].filter(Boolean).join(", ") || "?"; }
  function tag(node, i) {
    node.setAttribute("data-incident-id", i.id);
    if (i.alert_id) { node.setAttribute("data-alert-id", i.alert_id); } else { node.removeAttribute("data-alert-id"); }
    node.setAttribute("data-state", i.state);
  }

  function describe(i) {
    var x = t(), parts = [];
    parts.push(i.by_verifier ? x.byVerifier : x.reports(i.reports));
    parts.push(x.age(Math.max(0, Math.round((nowS() - i.first_at) / 60))) + " (" + x.first + " " + hhmm(i.first_at) + ", " + x.last + " " + hhmm(i.last_report_at) + ")");
    return parts.join(" · ");
  }
  function lifecycle(i) {
    var x = t();
    return i.lifecycle.map(function (s) { return x[s.kind] + " " + hhmm(s.at); }).join(" → ");
  }

  function renderAreas(fc) {
    areaLayer.clearLayers();
    var layer = L.geoJSON(fc, {
      style: function () { return { color: "#3b5b92", weight: 2, opacity: 0.8, fillOpacity: 0.06 }; },
      pointToLayer: function (f, latlng) { return L.circle(latlng, { radius: f.properties.radius_m, color: "#3b5b92", weight: 2, fillOpacity: 0.06 }); },
      onEachFeature: function (f, l) {
        l.bindTooltip(f.properties.label + " · " + f.properties.group, { permanent: true, direction: "center", className: "area-label", pane: "areaLabels" });
      }
    });
    layer.addTo(areaLayer);
    if (!fitted && fc.features.length) { map.fitBounds(layer.getBounds(), { padding: [20, 20] }); }
  }

  function showWhy(i) {
    fetch("/map/why/" + i.id + ".json", { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error(r.status); }
      return r.json();
    }).then(function (data) {
      var x = t(), box = $("why");
      box.innerHTML = "";
      box.appendChild(el("h3", { tabindex: "-1" }, x.why + ": " + (i.alert_id ? i.alert_id + " (" + i.id + ")" : i.id) + " · " + where(i)));
      var ul = el("ul");
      data.entries.forEach(function (e) {
        ul.appendChild(el("li", {}, (e.counted ? "✓ " : "✗ ") + hhmm(e.at) + " " + e.who + " · " + e[lang] + " (" + (e.counted ? x.counted : x.notCounted) + ")"));
      });
      box.appendChild(ul);
      var close = el("button", { type: "button" }, x.close);
      close.addEventListener("click", function () { box.hidden = true; });
      box.appendChild(close);
      box.hidden = false;
      box.querySelector("h3").focus();
    }).catch(function () { /* expired data: nothing to show */ });
  }

  function render(data) {
    last = data;
    clockOffset = data.now - Date.now() / 1000;
    var x = t();
    if (data.tiles && !tiles) {
      tiles = L.tileLayer(data.tiles.url, { attribution: data.tiles.attribution, maxZoom: 19 }).addTo(map);
      map.removeLayer(streetLayer);
      layers();
    }
    var list = $("incidents"), seen = {};
    data.incidents.forEach(function (i) {
      seen[i.id] = true;
      var li = list.querySelector('li[data-incident-id="' + i.id + '"]');
      if (!li) { li = el("li"); list.appendChild(li); }
      tag(li, i);
      li.className = "st-" + i.state;
      li.innerHTML = "";
      var b = el("button", { type: "button", "class": "incident", "aria-describedby": "legend" });
      b.appendChild(el("span", { "class": "badge" }, x[i.state] + (i.disputed ? " · " + x.disputed : "")));
      if (i.alert_id) { b.appendChild(el("strong", {}, i.alert_id + " ")); }
      b.appendChild(el("span", { "class": "place" }, where(i)));
      b.appendChild(el("span", { "class": "meta" }, describe(i)));
      if (i.lifecycle.length) { b.appendChild(el("span", { "class": "meta" }, lifecycle(i))); }
      if (i.groups.length) { b.appendChild(el("span", { "class": "meta" }, x.groups + ": " + i.groups.join(", "))); }
      b.addEventListener("click", function () { showWhy(i); });
      li.appendChild(b);

      var icon = L.divIcon({ className: "", html: '<div class="pin st-' + i.state + '"></div>', iconSize: [26, 26], iconAnchor: [13, 13] });
      var m = markers[i.id];
      if (!m) {
        m = L.marker([i.lat, i.lon], { icon: icon, keyboard: false, title: where(i) }).addTo(incidentLayer);
        markers[i.id] = m;
      } else { m.setLatLng([i.lat, i.lon]); m.setIcon(icon); }
      m.off("click").on("click", function () { showWhy(i); });
      m.unbindTooltip().bindTooltip((i.alert_id ? i.alert_id + " · " : "") + x[i.state] + " · " + where(i));
      var node = m.getElement();
      if (node) { tag(node, i); node.setAttribute("aria-hidden", "true"); }
    });
    Array.prototype.slice.call(list.children).forEach(function (li) {
      if (!seen[li.getAttribute("data-incident-id")]) { list.removeChild(li); }
    });
    Object.keys(markers).forEach(function (id) { if (!seen[id]) { incidentLayer.removeLayer(markers[id]); delete markers[id]; } });
    // list order: the server's (newest first)
    data.incidents.forEach(function (i) { list.appendChild(list.querySelector('li[data-incident-id="' + i.id + '"]')); });
    $("empty").hidden = data.incidents.length > 0;
    $("empty").textContent = x.none;
    $("status").textContent = (data.exercise ? x.exercise + " · " : "") + x.live + " · " + x.updated + " " + hhmm(data.now);
  }

  function layers() {
    var x = t(), overlays = {};
    if (tiles) { overlays[x.tiles] = tiles; }
    overlays[x.streets] = streetLayer;
    overlays[x.areas] = areaLayer;
    if (layerControl) { map.removeControl(layerControl); }
    layerControl = L.control.layers(null, overlays, { collapsed: true, position: "topright" }).addTo(map);
  }

  function labels() {
    var x = t();
    layers();
    document.documentElement.lang = lang;
    document.title = "alertrelay: " + x.title;
    $("title").textContent = x.title;
    $("list-title").textContent = x.incidents;
    $("legend").textContent = x.legend;
    $("lang").textContent = x.other;
    $("lang").setAttribute("lang", lang === "es" ? "en" : "es");
    var listOnly = document.body.classList.contains("list-only");
    $("toggle-map").textContent = listOnly ? x.showMap : x.listOnly;
    $("toggle-map").setAttribute("aria-pressed", listOnly ? "true" : "false");
    if (last) { render(last); }
  }

  $("lang").addEventListener("click", function () {
    lang = lang === "es" ? "en" : "es";
    localStorage.setItem("alertrelay-lang", lang);
    labels();
  });
  $("toggle-map").addEventListener("click", function () {
    document.body.classList.toggle("list-only");
    labels();
    map.invalidateSize();
  });
  if (params.get("view") === "list") { document.body.classList.add("list-only"); }

  function poll() {
    fetch("/map/data.json", { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(render)
      .catch(function () { $("status").textContent = t().offline; });
  }
  function live() {
    if (!window.EventSource) { setInterval(poll, 3000); poll(); return; }
    var source = new EventSource("/map/events");
    source.addEventListener("snapshot", function (ev) { render(JSON.parse(ev.data)); });
    source.onerror = function () { $("status").textContent = t().offline; };  // EventSource reconnects by itself
  }

  labels();
  fetch("/map/areas.geojson", { credentials: "same-origin" }).then(function (r) { return r.json(); })
    .then(function (fc) { renderAreas(fc); fitted = true; }).catch(function () {});
  fetch("/map/static/streets.geojson").then(function (r) { return r.json(); })
    .then(function (fc) { streetLayer.addData(fc); }).catch(function () {});
  live();
  setInterval(function () { if (last) { render(last); } }, 30000);  // ages move on between changes
})();
