(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("data").textContent);
  var NS = "http://www.w3.org/2000/svg";
  var select = document.getElementById("metric");
  var byName = {};
  data.metrics.forEach(function (m) {
    byName[m.name] = m;
    var o = document.createElement("option");
    o.value = m.name; o.textContent = m.zh + " · " + m.en;
    select.appendChild(o);
  });
  function el(tag, attrs, parent, text) {
    var e = document.createElementNS(NS, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function fmt(v, m) {
    if (m.kind === "ratio") return (v * 100).toFixed(1) + "%";
    return Math.abs(v - Math.round(v)) < 1e-9 ? String(Math.round(v)) : v.toFixed(2);
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function trend(m) {
    var svg = document.getElementById("trend"); clear(svg);
    var max = Math.max.apply(null, m.trend.concat([1e-9]));
    var w = 640, h = 220, left = 40, bottom = 30, bw = (w - left - 10) / 12;
    el("line", {x1: left, y1: h - bottom, x2: w - 10, y2: h - bottom, stroke: "#999"}, svg);
    m.trend.forEach(function (v, i) {
      var bh = (h - bottom - 20) * v / max, x = left + i * bw + 4;
      var r = el("rect", {x: x, y: h - bottom - bh, width: bw - 8, height: bh, fill: "#b3261e"}, svg);
      el("title", {}, r, data.months[i] + ": " + fmt(v, m));
      el("text", {x: x + (bw - 8) / 2, y: h - 12, "font-size": 11, "text-anchor": "middle"}, svg, (i + 1) + "月");
      if (v > 0) el("text", {x: x + (bw - 8) / 2, y: h - bottom - bh - 4, "font-size": 10, "text-anchor": "middle"}, svg, fmt(v, m));
    });
  }
  function tiles(m) {
    var svg = document.getElementById("tiles"); clear(svg);
    var cs = data.counties;
    if (!cs.length) { el("text", {x: 20, y: 40}, svg, "没有区县数据 · no counties loaded"); return; }
    var values = {}; ((m.top && m.top.county) || []).forEach(function (r) { values[r[0]] = r[2]; });
    var max = Math.max.apply(null, cs.map(function (c) { return values[c.code] || 0; }).concat([1e-9]));
    var xs = cs.map(function (c) { return c.lng; }), ys = cs.map(function (c) { return c.lat; });
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
    var y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
    var W = 640, H = 360, tw = 92, th = 44, pad = 8;
    var pos = cs.map(function (c) {
      return {c: c,
        x: (x1 > x0 ? (c.lng - x0) / (x1 - x0) : 0.5) * 400,
        y: (y1 > y0 ? (y1 - c.lat) / (y1 - y0) : 0.5) * 260};
    });
    // push overlapping tiles apart (a tile cartogram): positions stay roughly true
    for (var it = 0; it < 400; it++) {
      var moved = false;
      for (var i = 0; i < pos.length; i++) for (var j = i + 1; j < pos.length; j++) {
        var a = pos[i], b = pos[j];
        var dx = b.x - a.x, dy = b.y - a.y;
        var ox = tw + pad - Math.abs(dx), oy = th + pad - Math.abs(dy);
        if (ox > 0 && oy > 0) {
          moved = true;
          if (ox / tw < oy / th) { var sx = (dx >= 0 ? 1 : -1) * ox / 2; a.x -= sx; b.x += sx; }
          else { var sy = (dy >= 0 ? 1 : -1) * oy / 2; a.y -= sy; b.y += sy; }
        }
      }
      if (!moved) break;
    }
    var minx = Math.min.apply(null, pos.map(function (p) { return p.x; }));
    var maxx = Math.max.apply(null, pos.map(function (p) { return p.x; }));
    var miny = Math.min.apply(null, pos.map(function (p) { return p.y; }));
    var maxy = Math.max.apply(null, pos.map(function (p) { return p.y; }));
    var scale = Math.min(1, (W - tw - 2 * pad) / Math.max(maxx - minx, 1), (H - th - 2 * pad) / Math.max(maxy - miny, 1));
    svg.setAttribute("viewBox", "0 0 " + W + " " + Math.ceil((maxy - miny) * scale + th + 2 * pad));
    pos.forEach(function (p) {
      var c = p.c;
      var x = pad + tw / 2 + (p.x - minx) * scale + (W - tw - 2 * pad - (maxx - minx) * scale) / 2;
      var y = pad + th / 2 + (p.y - miny) * scale;
      var v = values[c.code] || 0, t = v / max;
      var g = el("g", {"data-code": c.code, "class": "tile"}, svg);
      var light = 95 - 55 * t;
      el("rect", {x: x - tw / 2, y: y - th / 2, width: tw, height: th, rx: 6,
                  fill: "hsl(4, 70%, " + light + "%)", stroke: "#fff"}, g);
      el("text", {x: x, y: y - 3, "font-size": 13, "text-anchor": "middle", fill: t > 0.55 ? "#fff" : "#1b1b1b"}, g, c.name);
      el("text", {x: x, y: y + 14, "font-size": 12, "text-anchor": "middle", fill: t > 0.55 ? "#fff" : "#1b1b1b"}, g, fmt(v, m));
      el("title", {}, g, c.name + " " + fmt(v, m));
    });
  }
  function bars(id, rows, m) {
    var ol = document.getElementById(id); ol.textContent = "";
    if (!rows || !rows.length) {
      var li = document.createElement("li"); li.className = "empty"; li.textContent = "暂无数据 · nothing counted yet";
      ol.appendChild(li); return;
    }
    var max = Math.max.apply(null, rows.map(function (r) { return r[2]; }).concat([1e-9]));
    rows.slice(0, 10).forEach(function (r, i) {
      var li = document.createElement("li");
      var rank = document.createElement("span"); rank.className = "rank"; rank.textContent = i + 1;
      var name = document.createElement("span"); name.className = "name"; name.textContent = r[1]; name.title = r[0];
      var bar = document.createElement("span"); bar.className = "bar"; bar.style.width = (100 * r[2] / max) + "%";
      var val = document.createElement("span"); val.textContent = fmt(r[2], m);
      li.appendChild(rank); li.appendChild(name); li.appendChild(bar); li.appendChild(val);
      ol.appendChild(li);
    });
  }
  function show(name) {
    var m = byName[name]; if (!m) return;
    select.value = name;
    trend(m); tiles(m);
    bars("top-county", m.top.county, m); bars("top-town", m.top.town, m); bars("top-department", m.top.department, m);
    document.getElementById("footer").textContent = data.year + " 年 · " + m.zh + (m.unit ? "（" + m.unit + "）" : "") +
      " · 按 " + data.timezone + " 时间统计 · periods in the deployment's time zone";
    if (history.replaceState) history.replaceState(null, "", "#metric=" + name);
  }
  select.addEventListener("change", function () { show(select.value); });
  var wanted = (location.hash.match(/metric=([\w.]+)/) || [])[1];
  show(wanted && byName[wanted] ? wanted : data.initial);
  window.__wenmingDashboard = {data: data, show: show};
})();
