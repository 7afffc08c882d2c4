// charts.js draws every chart of a page from the JSON options the server
// writes into <script type="application/json"> blocks. Keeping the options
// out of inline scripts lets the Content-Security-Policy forbid inline
// script entirely, and the server only has to JSON-encode data text
// (names, footnotes) for it to stay text.
//
// It also keeps legends, axis names and the target line's label off the
// plot at any width (fit), and turns each chart into a PNG or SVG with its
// title, unit, source and vintage drawn in (exportImage), all offline.
(function () {
  "use strict";

  var mapReady = null; // one fetch of the world geometry per page
  var GAP = 8; // px between the plot (with its axis labels) and the legend
  var MIN_PLOT = 160; // px of plot height a chart keeps however long its legend

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

  function asArray(x) {
    if (!x) return [];
    return Array.isArray(x) ? x : [x];
  }

  // prepare adjusts an option so nothing is drawn over the plot: axis
  // labels that would collide are dropped, the y axis' unit sits above
  // the plot reading rightwards, a value axis' name under the bar
  // chart's labels, and the target line's label moves into the legend
  // (a series of its own named after it) instead of lying on the plot.
  function prepare(spec) {
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
    // Layout changes (fit) take effect at once: measuring mid-animation
    // would read where labels were, not where they go.
    option.animationDurationUpdate = 0;
    asArray(option.xAxis).concat(asArray(option.yAxis)).forEach(function (ax) {
      ax.axisLabel = ax.axisLabel || {};
      ax.axisLabel.hideOverlap = true;
    });
    asArray(option.yAxis).forEach(function (ax) {
      if (ax.name && ax.type !== "category") {
        ax.nameLocation = "end";
        ax.nameTextStyle = { align: "left" };
      }
    });
    asArray(option.xAxis).forEach(function (ax) {
      if (ax.name) {
        ax.nameLocation = "middle";
        ax.nameGap = 28;
      }
    });
    var series = option.series || [];
    series.forEach(function (s) {
      if (!s.markLine || s.id === "target-line") return;
      var ml = s.markLine;
      var data = ml.data || [];
      var name = (data[0] && data[0].name) || "Target";
      delete s.markLine;
      ml.label = { show: false };
      ml.silent = true;
      series.push({
        id: "target-line", name: name, type: "line", data: [], symbol: "none",
        itemStyle: { color: "#000000" }, lineStyle: { color: "#000000", type: "dashed", width: 2 },
        markLine: ml
      });
    });
    return option;
  }

  // textBox is a text's box, at least a line of its font tall: zrender
  // takes the line height from the width of a CJK glyph, which is a few
  // pixels where no CJK font is installed (headless browsers, some
  // servers), and boxes that small would let texts overlap unseen.
  function textBox(el) {
    var b = el.getBoundingRect().clone();
    var st = el.style || {};
    var size = Number(st.fontSize) || Number((/(\d+(?:\.\d+)?)px/.exec(st.font || "") || [])[1]) || 12;
    var h = Math.ceil(size * 1.25);
    if (b.height < h) {
      if (st.verticalAlign === "middle") b.y += b.height / 2 - h / 2;
      else if (st.verticalAlign === "bottom") b.y += b.height - h;
      b.height = h;
    }
    return b;
  }

  // rectOf is the union, in chart pixels, of what a zrender group draws.
  function rectOf(group, filter) {
    var r = null;
    if (!group) return r;
    group.traverse(function (el) {
      if (el.isGroup || el.ignore || el.invisible || !el.getBoundingRect) return;
      if (filter && !filter(el)) return;
      var b = el.type === "text" ? textBox(el) : el.getBoundingRect().clone();
      if (el.transform) b.applyTransform(el.transform);
      if (!(b.width > 0 || b.height > 0)) return;
      if (r) r.union(b); else r = b;
    });
    return r;
  }

  function plain(r) {
    return r ? { x: r.x, y: r.y, width: r.width, height: r.height } : null;
  }

  function textRects(group, filter) {
    var out = [];
    if (!group) return out;
    group.traverse(function (el) {
      if (el.type !== "text" || el.ignore || el.invisible) return;
      if (filter && !filter(el)) return;
      var r = rectOf(el);
      if (r) out.push(plain(r));
    });
    return out;
  }

  // boxes measures a drawn chart: the plot, the legend, the axis labels
  // and names, the target line's label, the map and its colour key.
  // fit uses it, and so do the browser tests that check for overlaps.
  function boxes(chart) {
    // Texts are laid out when drawn: draw now so their boxes are current.
    chart.getZr().flush();
    var model = chart.getModel();
    var out = {
      width: chart.getWidth(), height: chart.getHeight(),
      plot: null, legend: null, xLabels: [], yLabels: [], xName: null, yName: null,
      markLabels: [], visualMap: null, map: null
    };
    model.eachComponent("grid", function (m) {
      if (m.coordinateSystem) out.plot = plain(m.coordinateSystem.getRect());
    });
    model.eachComponent("legend", function (m) {
      if (m.get("show") === false) return;
      out.legend = plain(rectOf(chart.getViewOfComponentModel(m).group));
    });
    ["xAxis", "yAxis"].forEach(function (kind) {
      model.eachComponent(kind, function (m) {
        var g = chart.getViewOfComponentModel(m).group;
        var isName = function (el) { return el.anid === "name"; };
        var labels = textRects(g, function (el) { return !isName(el); });
        var name = textRects(g, isName)[0] || null;
        if (kind === "xAxis") { out.xLabels = out.xLabels.concat(labels); out.xName = name; }
        else { out.yLabels = out.yLabels.concat(labels); out.yName = name; }
      });
    });
    model.eachComponent("markLine", function (m) {
      var v = chart.getViewOfComponentModel(m);
      if (v) out.markLabels = out.markLabels.concat(textRects(v.group));
    });
    model.eachComponent("visualMap", function (m) {
      out.visualMap = plain(rectOf(chart.getViewOfComponentModel(m).group));
    });
    model.eachSeriesByType("map", function (s) {
      out.map = plain(rectOf(chart.getViewOfSeriesModel(s).group));
    });
    return out;
  }

  function bottomOf(r) { return r ? r.y + r.height : -Infinity; }

  // fit moves the plot up until everything under it (axis labels, the
  // axis name) ends GAP pixels above the legend or the chart's edge, and
  // shrinks a map until it clears its colour key. A few passes, since the
  // legend's rows and the labels' spacing depend on the width.
  function fit(chart) {
    var grown = 0;
    for (var pass = 0; pass < 8; pass++) {
      var b = boxes(chart);
      // A legend of many rows (a phone, many areas) would leave a sliver
      // of plot: the chart grows instead.
      if (b.plot && b.legend && b.plot.height < MIN_PLOT - 1 && grown < 2) {
        var dom = chart.getDom();
        if (dom && dom.style) {
          grown++;
          dom.style.height = (b.height + MIN_PLOT - b.plot.height) + "px";
          chart.resize();
          continue;
        }
      }
      var change = null;
      if (b.plot) {
        var below = Math.max(bottomOf(b.plot), Math.max.apply(null, b.xLabels.map(bottomOf).concat([-Infinity])), bottomOf(b.xName));
        var limit = b.legend ? b.legend.y - GAP : b.height - 2;
        var top = b.yName ? b.yName.y : b.plot.y;
        var grid = chart.getOption().grid[0];
        var bottom = Number(grid.bottom) || 0;
        if (below > limit || below < limit - 2 * GAP) {
          change = { grid: { bottom: Math.max(0, bottom + (below - limit)) } };
        }
        if (top < 2) {
          change = change || {};
          change.grid = change.grid || {};
          change.grid.top = (Number(grid.top) || 0) + (2 - top);
        }
        // The outermost axis labels (and names) must stay inside too.
        var texts = b.xLabels.concat(b.yLabels, [b.xName, b.yName]).filter(Boolean);
        var right = Math.max.apply(null, texts.map(function (r) { return r.x + r.width; }).concat([0]));
        var left = Math.min.apply(null, texts.map(function (r) { return r.x; }).concat([b.width]));
        if (right > b.width - 2) {
          change = change || {};
          change.grid = change.grid || {};
          change.grid.right = (Number(grid.right) || 0) + (right - b.width + 2);
        }
        if (left < 2) {
          change = change || {};
          change.grid = change.grid || {};
          change.grid.left = (Number(grid.left) || 0) + (2 - left);
        }
      }
      if (b.map && b.visualMap && bottomOf(b.map) > b.visualMap.y - GAP) {
        change = { series: [{ top: GAP, bottom: b.height - b.visualMap.y + GAP }] };
      }
      if (!change) return;
      chart.setOption(change);
    }
  }

  function draw(el, spec) {
    var option = prepare(spec);
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    fit(chart);
    el.setAttribute("data-drawn", "true");
    addExportButtons(el);
    return chart;
  }

  // vintageLine is the page's citation: "migtrack, data as of import N of
  // DATE, URL".
  function vintageLine() {
    var c = document.querySelector("#citation .cite-text");
    return c ? c.textContent : "migtrack";
  }

  // EXPORT_WIDTH is the width of chart images: a page of A4 text at 300
  // dpi is about 2000 px wide, so PNGs at twice this fill it.
  var EXPORT_WIDTH = 900;

  // exportImage renders a chart's option off screen with its title, unit,
  // source and vintage drawn in, and returns an SVG document (svg) or a
  // PNG data URL at twice the pixels (png). Nothing leaves the page.
  function exportImage(el, format) {
    var fig = el.closest("figure");
    var title = el.getAttribute("data-title") || "";
    var unit = el.getAttribute("data-unit") || "";
    var source = el.getAttribute("data-source") || "";
    var block = document.getElementById(el.id + "-option");
    var spec = JSON.parse(block.textContent);
    var option = prepare(spec);
    var height = el.clientHeight + 120;
    option.animation = false;
    option.title = { text: title, subtext: unit ? "Unit: " + unit : "", left: 8, top: 8,
      textStyle: { fontSize: 16, width: EXPORT_WIDTH - 16, overflow: "truncate" } };
    option.legend = Object.assign({}, asArray(option.legend)[0] || {}, { bottom: 52 });
    asArray(option.grid).forEach(function (g) { g.top = 84; });
    asArray(option.visualMap).forEach(function (v) { v.bottom = 52; });
    asArray(option.series).forEach(function (s) {
      if (s.type === "map") { s.top = 72; s.bottom = 52; }
    });
    var foot = { fill: "#333333", fontSize: 11, width: EXPORT_WIDTH - 16, overflow: "truncate" };
    option.graphic = [
      { type: "text", left: 8, bottom: 26, style: Object.assign({ text: source }, foot) },
      { type: "text", left: 8, bottom: 8, style: Object.assign({ text: "Cite as: " + vintageLine() }, foot) }
    ];
    option.backgroundColor = "#ffffff";
    var box = document.createElement("div");
    box.style.position = "absolute";
    box.style.left = "-10000px";
    box.style.width = EXPORT_WIDTH + "px";
    box.style.height = height + "px";
    document.body.appendChild(box);
    var chart = echarts.init(box, null, { renderer: format === "svg" ? "svg" : "canvas", width: EXPORT_WIDTH, height: height });
    try {
      chart.setOption(option);
      fit(chart);
      if (format === "svg") return chart.renderToSVGString();
      return chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#ffffff" });
    } finally {
      chart.dispose();
      box.remove();
      if (fig) fig.setAttribute("data-exported", format);
    }
  }

  // save hands a file to the browser's downloads.
  function save(name, href) {
    var a = document.createElement("a");
    a.href = href;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  function addExportButtons(el) {
    var fig = el.closest("figure");
    if (!fig || fig.querySelector(".chart-actions")) return;
    var bar = document.createElement("p");
    bar.className = "chart-actions small no-print";
    bar.appendChild(document.createTextNode("Download this chart: "));
    [["png", "PNG (print)"], ["svg", "SVG"]].forEach(function (f, i) {
      if (i) bar.appendChild(document.createTextNode(" · "));
      var b = document.createElement("button");
      b.type = "button";
      b.className = "link";
      b.setAttribute("data-export", f[0]);
      b.textContent = f[1];
      b.addEventListener("click", function () {
        var out = exportImage(el, f[0]);
        if (f[0] === "svg") {
          var url = URL.createObjectURL(new Blob([out], { type: "image/svg+xml" }));
          save(el.id + ".svg", url);
          setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
        } else {
          save(el.id + ".png", out);
        }
      });
      bar.appendChild(b);
    });
    el.insertAdjacentElement("afterend", bar);
  }


  // A static copy (migtrack publish) leaves a profile's region and World
  // values to the browser, so that a change of a regional value changes
  // one file instead of every profile: charts and table cells carrying
  // data-compare-url read them from the series' regional values file and
  // are completed here as the live server would have written them.
  var regionFiles = {};
  var SYMBOLS = ["circle", "rect", "triangle", "diamond", "emptyCircle", "roundRect", "pin", "emptyTriangle", "emptyDiamond"];

  function regionsOf(url) {
    if (!regionFiles[url]) {
      regionFiles[url] = fetch(url, { credentials: "same-origin" })
        .then(function (r) {
          if (!r.ok) throw new Error("regional values: HTTP " + r.status);
          return r.json();
        })
        .then(function (doc) {
          var byCode = {};
          doc.areas.forEach(function (a) { byCode[a.code] = a; });
          return byCode;
        });
    }
    return regionFiles[url];
  }

  // fmtNum words a number as the server's tables do: thousands
  // separators from 1000, else up to three significant decimals.
  function fmtNum(v) {
    if (!isFinite(v)) return "\u2013";
    var a = Math.abs(v), s;
    if (a >= 1000) {
      s = String(Math.round(a)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
      return v < 0 ? "-" + s : s;
    }
    if (a >= 100) s = v.toFixed(1);
    else if (a >= 1 || a === 0) s = v.toFixed(2);
    else s = v.toFixed(3);
    if (s.indexOf(".") >= 0) s = s.replace(/0+$/, "").replace(/\.$/, "");
    return s;
  }

  // rawNum writes a number exactly, as the server's data-value attributes
  // do (Go's shortest %g: an exponent from 1e21 down to 1e6 and below 1e-4).
  function rawNum(v) {
    if (v === 0) return "0";
    var parts = v.toExponential().split("e");
    var exp = Number(parts[1]);
    if (exp < -4 || exp >= 6) {
      var mag = String(Math.abs(exp));
      if (mag.length < 2) mag = "0" + mag;
      return parts[0] + "e" + (exp < 0 ? "-" : "+") + mag;
    }
    return String(v);
  }

  // lastOf is an area's latest [year, value], or null.
  function lastOf(area) {
    return area && area.values.length ? area.values[area.values.length - 1] : null;
  }

  function fillCompareCells() {
    document.querySelectorAll("td[data-compare-url]").forEach(function (td) {
      regionsOf(td.getAttribute("data-compare-url")).then(function (byCode) {
        var last = lastOf(byCode[td.getAttribute("data-compare-area")]);
        td.textContent = last ? fmtNum(last[1]) + " (" + last[0] + ")" : "\u2013";
      }).catch(function () {
        td.textContent = "?";
      });
    });
  }

  // compareLines adds the areas spec.compare names to a profile chart,
  // its table and its summary, and keeps the completed options for the
  // image exports.
  function compareLines(el, spec) {
    var cmp = spec.compare;
    return regionsOf(el.getAttribute("data-compare-url")).then(function (byCode) {
      var option = spec.option;
      var own = option.series[0];
      var lines = [{ name: own.name, byYear: {} }];
      own.data.forEach(function (d) { lines[0].byYear[Number(d.value[0])] = d.value[1]; });
      var described = [cmp.own];
      cmp.areas.forEach(function (ref) {
        var area = byCode[ref.code];
        if (!area || !area.values.length) return;
        var line = { name: ref.name, byYear: {} };
        area.values.forEach(function (yv) { line.byYear[yv[0]] = yv[1]; });
        var s = JSON.parse(JSON.stringify(own));
        delete s.markLine;
        delete s.markLineStyle;
        s.name = ref.name;
        s.symbol = SYMBOLS[lines.length % SYMBOLS.length];
        s.data = Object.keys(line.byYear).map(Number).sort(function (a, b) { return a - b; }).map(function (y) {
          return { value: [String(y), line.byYear[y]] };
        });
        option.series.push(s);
        lines.push(line);
        var last = lastOf(area);
        described.push(ref.name + " " + fmtNum(last[1]) + " in " + last[0]);
      });
      var yearSet = {}, lo = Infinity, hi = -Infinity;
      lines.forEach(function (l) {
        Object.keys(l.byYear).forEach(function (y) {
          yearSet[y] = true;
          lo = Math.min(lo, l.byYear[y]);
          hi = Math.max(hi, l.byYear[y]);
        });
      });
      var years = Object.keys(yearSet).map(Number).sort(function (a, b) { return a - b; });
      // The axis reaches the target, as the server stretches it.
      asArray(option.yAxis).forEach(function (ax) {
        delete ax.min;
        delete ax.max;
        var t = cmp.target;
        if (t === undefined || t === null) return;
        if (t < lo && t >= 0 && lo >= 0) ax.min = 0;
        else if (t < lo) ax.min = t;
        else if (t > hi) ax.max = t;
      });
      asArray(option.grid).forEach(function (g) { g.bottom = String(12 + 24 * Math.floor((lines.length + 3) / 4)); });
      var summary = cmp.lead + ", " + years[0] + " to " + years[years.length - 1] + ", for " + lines.length +
        " areas. Latest values: " + described.join("; ") + "." + cmp.tail;
      if (option.aria && option.aria.label) option.aria.label.description = summary;
      var p = document.getElementById(el.id + "-summary");
      if (p) p.textContent = summary;
      var table = document.querySelector('table[data-chart-table="' + el.id + '"]');
      if (table) {
        var head = table.querySelector("thead tr");
        lines.slice(1).forEach(function (l) {
          var th = document.createElement("th");
          th.scope = "col";
          th.className = "num";
          th.textContent = l.name;
          head.appendChild(th);
        });
        var body = table.querySelector("tbody");
        body.textContent = "";
        years.forEach(function (y) {
          var tr = document.createElement("tr");
          var th = document.createElement("th");
          th.scope = "row";
          th.textContent = String(y);
          tr.appendChild(th);
          lines.forEach(function (l) {
            var td = document.createElement("td");
            td.className = "num";
            if (y in l.byYear) {
              td.setAttribute("data-value", rawNum(l.byYear[y]));
              td.textContent = fmtNum(l.byYear[y]);
            } else {
              td.textContent = "\u2013";
            }
            tr.appendChild(td);
          });
          body.appendChild(tr);
        });
      }
      delete spec.compare;
      var block = document.getElementById(el.id + "-option");
      if (block) block.textContent = JSON.stringify(spec);
      return spec;
    });
  }

  function init() {
    var charts = [];
    var body = document.body;
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var block = document.getElementById(el.id + "-option");
      if (!block) return;
      var spec = JSON.parse(block.textContent);
      if (spec.compare) {
        compareLines(el, spec).then(function (full) {
          charts.push(draw(el, full));
        }).catch(function (err) {
          el.textContent = "The regional values could not be loaded: " + err.message + ".";
        });
      } else if (spec.needsMap) {
        loadMap(body.getAttribute("data-map-url")).then(function () {
          charts.push(draw(el, spec));
        }).catch(function (err) {
          el.textContent = "The map could not be drawn: " + err.message + ". The table below holds the same numbers.";
        });
      } else {
        charts.push(draw(el, spec));
      }
    });
    fillCompareCells();
    var pending = 0;
    window.addEventListener("resize", function () {
      if (pending) return;
      pending = window.requestAnimationFrame(function () {
        pending = 0;
        charts.forEach(function (c) { c.resize(); fit(c); });
      });
    });
    // Printing lays charts out at the paper's width.
    var relayout = function () { charts.forEach(function (c) { c.resize(); fit(c); }); };
    window.addEventListener("beforeprint", relayout);
    window.addEventListener("afterprint", relayout);
    if (window.matchMedia) {
      var mq = window.matchMedia("print");
      if (mq.addEventListener) mq.addEventListener("change", relayout);
    }
    window.migtrackCharts = { boxes: boxes, exportImage: exportImage, fit: fit };
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
