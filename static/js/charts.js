// charts.js draws every chart of a page from the JSON options the server
// writes into <script type="application/json"> blocks. Keeping the options
// out of inline scripts lets the Content-Security-Policy forbid inline
// script entirely, and the server only has to JSON-encode data text
// (names, footnotes) for it to stay text.
(function () {
  "use strict";

  var mapReady = null; // one fetch of the world geometry per page

  function loadMap(url) {
    if (!mapReady) {
      mapReady = fetch(url, { credentials: "same-origin" })
        .then(function (r) {
          if (!r.ok) throw new Error("map geometry: HTTP " + r.status);
          return r.json();
        })
        .then(function (geo) {
          echarts.registerMap("world-m49", geo);
        });
    }
    return mapReady;
  }

  function draw(el, spec) {
    var option = spec.option;
    if (spec.nameMap) {
      // go-echarts has no nameMap field: the server sends it beside the
      // option and it joins the map series here, so regions keyed by M49
      // codes show our area names.
      option.series.forEach(function (s) {
        if (s.type === "map") {
          s.nameMap = spec.nameMap;
          s.showLegendSymbol = false; // no dots on the countries: colour says it
        }
      });
    }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    el.setAttribute("data-drawn", "true");
    return chart;
  }

  function init() {
    var charts = [];
    var body = document.body;
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var block = document.getElementById(el.id + "-option");
      if (!block) return;
      var spec = JSON.parse(block.textContent);
      if (spec.needsMap) {
        loadMap(body.getAttribute("data-map-url")).then(function () {
          charts.push(draw(el, spec));
        }).catch(function (err) {
          el.textContent = "The map could not be drawn: " + err.message + ". The table below holds the same numbers.";
        });
      } else {
        charts.push(draw(el, spec));
      }
    });
    var pending = 0;
    window.addEventListener("resize", function () {
      if (pending) return;
      pending = window.requestAnimationFrame(function () {
        pending = 0;
        charts.forEach(function (c) { c.resize(); });
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
