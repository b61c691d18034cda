// wenming network map (一图导览): a small canvas renderer of our own, no third-party code.
// Points are projected with Web Mercator; the view pans (drag), zooms (wheel, buttons,
// double click), clusters at city zoom, toggles layers by level and department, searches
// by name or code, and shows a popup with the parent chains, pairings and navigation links.
// The page state is exposed as window.wenmingMap for tests and embedding.
(function () {
  "use strict";

  var DATA = JSON.parse(document.getElementById("wm-data").textContent);
  var F_APPROX = 1, F_ZONE = 2, F_SYNTH = 4;
  var CLUSTER_BELOW_ZOOM = 11;   // below this zoom, nearby markers merge into clusters
  var CLUSTER_CELL = 56;         // cluster cell size in CSS pixels
  var HIT_RADIUS = 9;

  var LEVEL_STYLE = {
    guidance_center: { color: "#b00020", r: 9, shape: "star" },
    subcenter: { color: null, r: 7, shape: "square" },
    practice_point: { color: null, r: 4.5, shape: "diamond" },
    center: { color: "#c62828", r: 8, shape: "circle" },
    institute: { color: "#ef6c00", r: 5.5, shape: "circle" },
    station: { color: "#1565c0", r: 3.2, shape: "circle" }
  };

  // ------------------------------------------------------------------ data

  var levels = DATA.levels.map(function (l) { return l.id; });
  var sites = DATA.sites.map(function (r, i) {
    return {
      i: i, code: r[0], name: r[1], level: levels[r[2]], type: DATA.types[r[3]],
      dept: r[4] >= 0 ? DATA.departments[r[4]] : null, parent: r[5], line: r[6],
      lng: r[7], lat: r[8], flags: r[9],
      fmt: { lng: r[10], lat: r[11], gcj_lng: r[12], gcj_lat: r[13], bd_lng: r[14], bd_lat: r[15] }
    };
  });
  var byCode = {};
  sites.forEach(function (s) { byCode[s.code] = s; });
  var paired = {};
  DATA.pairings.forEach(function (p) {
    (paired[p[0]] = paired[p[0]] || []).push(p[1]);
    (paired[p[1]] = paired[p[1]] || []).push(p[0]);
  });

  var levelOn = {}, deptOn = {};
  levels.forEach(function (l) { levelOn[l] = true; });
  DATA.departments.forEach(function (d) { deptOn[d.code] = true; });

  function visible(s) {
    if (!levelOn[s.level]) return false;
    if (s.dept && !deptOn[s.dept.code]) return false;
    return true;
  }

  function colorOf(s) {
    var style = LEVEL_STYLE[s.level] || LEVEL_STYLE.station;
    return style.color || (s.dept ? s.dept.color : "#555");
  }

  // ------------------------------------------------------------------ projection

  function mercX(lng) { return (lng + 180) / 360; }
  function mercY(lat) {
    var s = Math.sin(lat * Math.PI / 180);
    return 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
  }
  sites.forEach(function (s) { s.mx = mercX(s.lng); s.my = mercY(s.lat); });

  var canvas = document.getElementById("canvas");
  var ctx = canvas.getContext("2d");
  var view = { cx: 0.5, cy: 0.5, zoom: 8 };
  var W = 0, H = 0, DPR = 1;

  function worldSize() { return 256 * Math.pow(2, view.zoom); }
  function toScreen(mx, my) {
    var k = worldSize();
    return [(mx - view.cx) * k + W / 2, (my - view.cy) * k + H / 2];
  }
  function toWorld(x, y) {
    var k = worldSize();
    return [(x - W / 2) / k + view.cx, (y - H / 2) / k + view.cy];
  }

  function fit(list) {
    if (!list.length) return;
    var x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    list.forEach(function (s) {
      x0 = Math.min(x0, s.mx); x1 = Math.max(x1, s.mx);
      y0 = Math.min(y0, s.my); y1 = Math.max(y1, s.my);
    });
    view.cx = (x0 + x1) / 2; view.cy = (y0 + y1) / 2;
    var span = Math.max(x1 - x0, y1 - y0, 1e-6);
    view.zoom = Math.max(2, Math.min(17, Math.log2(Math.min(W, H) * 0.85 / (256 * span))));
  }

  // ------------------------------------------------------------------ drawing

  var drawn = [];        // what the last frame drew: {x, y, site} or {x, y, cluster: [sites]}
  var lastStats = { markers: 0, clusters: 0, visible: 0, clustered: false, byLevel: {} };
  var selected = null;
  var pending = false;

  function schedule() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; draw(); });
  }

  function resize() {
    DPR = window.devicePixelRatio || 1;
    W = canvas.clientWidth; H = canvas.clientHeight;
    canvas.width = Math.round(W * DPR); canvas.height = Math.round(H * DPR);
    ctx.setTransform(DPR, 0, 0, DPR, 0, 0);
  }

  function shape(kind, x, y, r, fill, hollow) {
    ctx.beginPath();
    if (kind === "square") {
      ctx.rect(x - r, y - r, 2 * r, 2 * r);
    } else if (kind === "diamond") {
      ctx.moveTo(x, y - r * 1.3); ctx.lineTo(x + r * 1.3, y);
      ctx.lineTo(x, y + r * 1.3); ctx.lineTo(x - r * 1.3, y); ctx.closePath();
    } else if (kind === "star") {
      for (var k = 0; k < 10; k++) {
        var a = -Math.PI / 2 + k * Math.PI / 5, rr = k % 2 ? r * 0.45 : r * 1.3;
        ctx[k ? "lineTo" : "moveTo"](x + rr * Math.cos(a), y + rr * Math.sin(a));
      }
      ctx.closePath();
    } else {
      ctx.arc(x, y, r, 0, 2 * Math.PI);
    }
    if (hollow) {
      ctx.fillStyle = "rgba(255,255,255,0.85)"; ctx.fill();
      ctx.lineWidth = 1.6; ctx.strokeStyle = fill; ctx.stroke();
    } else {
      ctx.fillStyle = fill; ctx.fill();
      ctx.lineWidth = 0.8; ctx.strokeStyle = "rgba(0,0,0,0.45)"; ctx.stroke();
    }
  }

  function graticule() {
    var tl = toWorld(0, 0), br = toWorld(W, H);
    var lng0 = tl[0] * 360 - 180, lng1 = br[0] * 360 - 180;
    var span = lng1 - lng0;
    var step = [10, 5, 2, 1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01].filter(function (s) { return span / s >= 4; })[0] || 0.01;
    ctx.strokeStyle = "rgba(0,0,0,0.07)"; ctx.fillStyle = "rgba(0,0,0,0.35)";
    ctx.lineWidth = 1; ctx.font = "11px sans-serif";
    for (var g = Math.ceil(lng0 / step) * step; g <= lng1; g += step) {
      var x = toScreen(mercX(g), 0)[0];
      ctx.beginPath(); ctx.moveTo(x, 0); ctx.lineTo(x, H); ctx.stroke();
      ctx.fillText(g.toFixed(2) + "°E", x + 3, H - 28);
    }
    var latTop = 90 - 360 * Math.atan(Math.exp((tl[1] - 0.5) * 2 * Math.PI)) / Math.PI;
    var latBot = 90 - 360 * Math.atan(Math.exp((br[1] - 0.5) * 2 * Math.PI)) / Math.PI;
    for (var t = Math.ceil(latBot / step) * step; t <= latTop; t += step) {
      var y = toScreen(0, mercY(t))[1];
      ctx.beginPath(); ctx.moveTo(0, y); ctx.lineTo(W, y); ctx.stroke();
      ctx.fillText(t.toFixed(2) + "°N", 4, y - 3);
    }
  }

  function scaleBar() {
    var lat = 90 - 360 * Math.atan(Math.exp((view.cy - 0.5) * 2 * Math.PI)) / Math.PI;
    var metresPerPx = 40075016.686 * Math.cos(lat * Math.PI / 180) / worldSize();
    var target = metresPerPx * 100;
    var nice = [1, 2, 5].map(function (m) { return m * Math.pow(10, Math.floor(Math.log10(target))); })
      .filter(function (v) { return v <= target; }).pop() || target;
    var el = document.getElementById("scale");
    el.style.width = Math.round(nice / metresPerPx) + "px";
    el.textContent = nice >= 1000 ? nice / 1000 + " km" : nice + " m";
  }

  function linkTo(a, b, color, dash) {
    var p = toScreen(a.mx, a.my), q = toScreen(b.mx, b.my);
    ctx.beginPath(); ctx.setLineDash(dash || []); ctx.moveTo(p[0], p[1]); ctx.lineTo(q[0], q[1]);
    ctx.strokeStyle = color; ctx.lineWidth = 2; ctx.stroke(); ctx.setLineDash([]);
  }

  function draw() {
    ctx.clearRect(0, 0, W, H);
    graticule();
    scaleBar();
    var clustered = view.zoom < CLUSTER_BELOW_ZOOM;
    var order = levels.slice().reverse(); // stations first, so bigger sites draw on top
    var inView = [];
    var pad = 20;
    sites.forEach(function (s) {
      if (!visible(s)) return;
      var p = toScreen(s.mx, s.my);
      if (p[0] < -pad || p[1] < -pad || p[0] > W + pad || p[1] > H + pad) return;
      inView.push({ x: p[0], y: p[1], site: s });
    });
    inView.sort(function (a, b) { return order.indexOf(a.site.level) - order.indexOf(b.site.level); });
    drawn = [];
    var byLevel = {}, nClusters = 0, nMarkers = 0;
    var singles = inView;
    if (clustered) {
      var cells = {}, keys = [];
      inView.forEach(function (d) {
        // the hubs of both networks never merge into clusters
        if (d.site.level === "guidance_center" || d.site.level === "center" || d.site.level === "subcenter") return;
        var key = Math.floor(d.x / CLUSTER_CELL) + ":" + Math.floor(d.y / CLUSTER_CELL);
        if (!cells[key]) { cells[key] = []; keys.push(key); }
        cells[key].push(d);
      });
      singles = inView.filter(function (d) {
        return d.site.level === "guidance_center" || d.site.level === "center" || d.site.level === "subcenter";
      });
      keys.forEach(function (key) {
        var members = cells[key];
        if (members.length === 1) { singles.push(members[0]); return; }
        var x = 0, y = 0;
        members.forEach(function (m) { x += m.x; y += m.y; });
        x /= members.length; y /= members.length;
        var r = 8 + Math.min(14, Math.sqrt(members.length) * 1.5);
        ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI);
        ctx.fillStyle = "rgba(21,101,192,0.22)"; ctx.fill();
        ctx.strokeStyle = "rgba(21,101,192,0.8)"; ctx.lineWidth = 1.5; ctx.stroke();
        ctx.fillStyle = "#0d3c78"; ctx.font = "bold 11px sans-serif"; ctx.textAlign = "center";
        ctx.fillText(String(members.length), x, y + 4); ctx.textAlign = "start";
        drawn.push({ x: x, y: y, r: r, cluster: members.map(function (m) { return m.site; }) });
        nClusters++;
      });
      singles.sort(function (a, b) { return order.indexOf(a.site.level) - order.indexOf(b.site.level); });
    }
    if (selected) {
      var sel = selected, parent = byCode[sel.parent], line = byCode[sel.line];
      if (parent) linkTo(sel, parent, "rgba(198,40,40,0.7)", [6, 4]);
      if (line) linkTo(sel, line, "rgba(80,80,80,0.7)", [2, 4]);
      (paired[sel.code] || []).forEach(function (c) { if (byCode[c]) linkTo(sel, byCode[c], "rgba(46,125,50,0.85)"); });
    }
    singles.forEach(function (d) {
      var s = d.site, style = LEVEL_STYLE[s.level] || LEVEL_STYLE.station;
      var r = style.r * (view.zoom >= 13 ? 1.3 : 1);
      shape(style.shape, d.x, d.y, r, colorOf(s), (s.flags & F_APPROX) !== 0);
      drawn.push({ x: d.x, y: d.y, r: r, site: s });
      byLevel[s.level] = (byLevel[s.level] || 0) + 1;
      nMarkers++;
      if (s.level === "center" || (view.zoom >= 13 && s.level !== "station") || view.zoom >= 15) {
        ctx.fillStyle = "#222"; ctx.font = (s.level === "center" ? "bold 12px" : "11px") + " sans-serif";
        ctx.fillText(s.name.replace("新时代文明实践", ""), d.x + r + 3, d.y + 4);
      }
    });
    if (selected) {
      var p = toScreen(selected.mx, selected.my);
      ctx.beginPath(); ctx.arc(p[0], p[1], 13, 0, 2 * Math.PI);
      ctx.strokeStyle = "#000"; ctx.lineWidth = 2.5; ctx.stroke();
    }
    lastStats = { markers: nMarkers, clusters: nClusters, visible: inView.length, clustered: clustered, byLevel: byLevel, zoom: view.zoom };
    canvas.dataset.markers = nMarkers;
    canvas.dataset.clusters = nClusters;
    document.getElementById("status").textContent =
      inView.length + " sites in view · " + nMarkers + " markers · " + nClusters + " clusters · zoom " + view.zoom.toFixed(1);
  }

  // ------------------------------------------------------------------ panel

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function layerBox(container, id, label, color, checked, onchange, count) {
    var row = el("label", { "class": "layer", "data-layer": id });
    var box = el("input", { type: "checkbox" });
    box.checked = checked;
    box.addEventListener("change", function () { onchange(box.checked); schedule(); });
    var sw = el("span", { "class": "swatch" });
    sw.style.background = color;
    row.appendChild(box); row.appendChild(sw); row.appendChild(el("span", {}, label));
    row.appendChild(el("span", { "class": "count" }, String(count)));
    container.appendChild(row);
  }

  var levelCounts = {}, deptCounts = {};
  sites.forEach(function (s) {
    levelCounts[s.level] = (levelCounts[s.level] || 0) + 1;
    if (s.dept) deptCounts[s.dept.code] = (deptCounts[s.dept.code] || 0) + 1;
  });
  DATA.levels.forEach(function (l) {
    var style = LEVEL_STYLE[l.id];
    layerBox(document.getElementById("levels"), "level:" + l.id, l.label, style.color || "#888",
      true, function (on) { levelOn[l.id] = on; }, levelCounts[l.id] || 0);
  });
  DATA.departments.forEach(function (d) {
    layerBox(document.getElementById("departments"), "department:" + d.code, d.label, d.color,
      true, function (on) { deptOn[d.code] = on; }, deptCounts[d.code] || 0);
  });

  // ------------------------------------------------------------------ popup

  function encode(text) {
    return encodeURIComponent(text).replace(/[!'()*]/g, function (c) {
      return "%" + c.charCodeAt(0).toString(16).toUpperCase();
    });
  }

  function navLinks(s) {
    var values = Object.assign({ name: encode(s.name) }, s.fmt);
    var out = {};
    Object.keys(DATA.templates).forEach(function (k) {
      out[k] = DATA.templates[k].replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
    });
    return out;
  }

  function chain(s, attr) {
    var out = [], seen = {}, c = s[attr];
    while (c && byCode[c] && !seen[c]) { seen[c] = true; out.push(byCode[c]); c = byCode[c][attr]; }
    return out;
  }

  function siteLink(s) {
    var a = el("a", { "class": "site", "data-code": s.code }, s.name);
    a.addEventListener("click", function () { select(s.code, true); });
    return a;
  }

  function listSection(popup, title, list, cls) {
    if (!list.length) return;
    popup.appendChild(el("strong", {}, title));
    var ul = el("ul", { "class": cls });
    list.forEach(function (s) { var li = el("li"); li.appendChild(siteLink(s)); ul.appendChild(li); });
    popup.appendChild(ul);
  }

  function showPopup(s) {
    var popup = document.getElementById("popup");
    popup.innerHTML = "";
    var close = el("button", { "class": "close", title: "close" }, "×");
    close.addEventListener("click", function () { select(null); });
    popup.appendChild(close);
    popup.appendChild(el("h3", {}, s.name));
    var dl = el("dl");
    function row(k, v) { dl.appendChild(el("dt", {}, k)); dl.appendChild(el("dd", {}, v)); }
    row("代码 code", s.code);
    row("层级 level", (DATA.levels[levels.indexOf(s.level)] || {}).label || s.level);
    row("类型 type", s.type.label);
    if (s.dept) row("部门 dept.", s.dept.label);
    row("位置 WGS-84", s.fmt.lng + ", " + s.fmt.lat);
    popup.appendChild(dl);
    if (s.flags & F_APPROX) popup.appendChild(el("p", { "class": "approx" }, "估计位置，非实测 · approximate position, not surveyed"));
    if (s.flags & F_ZONE) popup.appendChild(el("p", { "class": "approx" }, "功能区 · functional zone"));
    if (s.flags & F_SYNTH) popup.appendChild(el("p", { "class": "approx" }, "合成数据 · synthetic record"));
    listSection(popup, "上级（属地） territorial parents", chain(s, "parent"), "parents");
    listSection(popup, "上级（行业） industry line", chain(s, "line"), "line");
    listSection(popup, "结对共建 pairings", (paired[s.code] || []).map(function (c) { return byCode[c]; }).filter(Boolean), "pairings");
    var links = navLinks(s), nav = el("div", { "class": "nav" });
    [["amap", "高德导航"], ["baidu", "百度地图"], ["geo", "geo:"]].forEach(function (p) {
      var a = el("a", { href: links[p[0]], target: "_blank", rel: "noopener", "data-nav": p[0] }, p[1]);
      nav.appendChild(a);
    });
    popup.appendChild(nav);
    popup.hidden = false;
  }

  function select(code, center) {
    selected = code ? byCode[code] || null : null;
    if (selected) {
      if (!visible(selected)) {
        levelOn[selected.level] = true;
        if (selected.dept) deptOn[selected.dept.code] = true;
        syncBoxes();
      }
      if (center) {
        view.cx = selected.mx; view.cy = selected.my;
        view.zoom = Math.max(view.zoom, CLUSTER_BELOW_ZOOM + 2);
      }
      showPopup(selected);
    } else {
      document.getElementById("popup").hidden = true;
    }
    schedule();
    return selected;
  }

  function syncBoxes() {
    document.querySelectorAll(".layer").forEach(function (row) {
      var id = row.getAttribute("data-layer").split(":");
      row.querySelector("input").checked = id[0] === "level" ? levelOn[id[1]] : deptOn[id[1]];
    });
  }

  // ------------------------------------------------------------------ search

  function search(q) {
    q = (q || "").trim().toLowerCase();
    if (!q) return [];
    var hits = [];
    for (var i = 0; i < sites.length && hits.length < 30; i++) {
      var s = sites[i];
      if (s.code.toLowerCase().indexOf(q) === 0 || s.name.toLowerCase().indexOf(q) >= 0) hits.push(s);
    }
    return hits;
  }

  var input = document.getElementById("search"), results = document.getElementById("results");
  input.addEventListener("input", function () {
    results.innerHTML = "";
    search(input.value).forEach(function (s) {
      var li = el("li", { "data-code": s.code }, s.name);
      li.appendChild(el("small", {}, s.code));
      li.addEventListener("click", function () { select(s.code, true); });
      results.appendChild(li);
    });
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter") {
      var first = search(input.value)[0];
      if (first) select(first.code, true);
    }
  });

  // ------------------------------------------------------------------ interaction

  function zoomAt(x, y, dz) {
    var before = toWorld(x, y);
    view.zoom = Math.max(2, Math.min(18, view.zoom + dz));
    var after = toWorld(x, y);
    view.cx += before[0] - after[0]; view.cy += before[1] - after[1];
    schedule();
  }

  function hit(x, y) {
    var best = null, bestD = Infinity;
    drawn.forEach(function (d) {
      var dd = Math.hypot(d.x - x, d.y - y);
      if (dd <= Math.max(HIT_RADIUS, d.r || 0) && dd < bestD) { best = d; bestD = dd; }
    });
    return best;
  }

  var drag = null;
  canvas.addEventListener("pointerdown", function (e) {
    drag = { x: e.offsetX, y: e.offsetY, cx: view.cx, cy: view.cy, moved: false };
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener("pointermove", function (e) {
    if (!drag) return;
    var dx = e.offsetX - drag.x, dy = e.offsetY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) { drag.moved = true; canvas.classList.add("dragging"); }
    var k = worldSize();
    view.cx = drag.cx - dx / k; view.cy = drag.cy - dy / k;
    schedule();
  });
  canvas.addEventListener("pointerup", function (e) {
    var wasClick = drag && !drag.moved;
    drag = null; canvas.classList.remove("dragging");
    if (!wasClick) return;
    var h = hit(e.offsetX, e.offsetY);
    if (!h) return;
    if (h.cluster) {
      var c = toWorld(h.x, h.y);
      view.cx = c[0]; view.cy = c[1];
      zoomAt(W / 2, H / 2, 2);
    } else {
      select(h.site.code, false);
    }
  });
  canvas.addEventListener("wheel", function (e) {
    e.preventDefault();
    zoomAt(e.offsetX, e.offsetY, e.deltaY < 0 ? 0.5 : -0.5);
  }, { passive: false });
  canvas.addEventListener("dblclick", function (e) { zoomAt(e.offsetX, e.offsetY, 1); });
  document.getElementById("zoom-in").addEventListener("click", function () { zoomAt(W / 2, H / 2, 1); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoomAt(W / 2, H / 2, -1); });
  document.getElementById("zoom-fit").addEventListener("click", function () { fit(sites); schedule(); });
  window.addEventListener("resize", function () { resize(); schedule(); });

  resize();
  fit(sites);
  draw();

  window.wenmingMap = {
    stats: function () { return JSON.parse(JSON.stringify(lastStats)); },
    view: function () { return { cx: view.cx, cy: view.cy, zoom: view.zoom }; },
    setView: function (lng, lat, zoom) { view.cx = mercX(lng); view.cy = mercY(lat); view.zoom = zoom; draw(); },
    setLevel: function (level, on) { levelOn[level] = on; syncBoxes(); draw(); },
    setDepartment: function (code, on) { deptOn[code] = on; syncBoxes(); draw(); },
    select: function (code) { var s = select(code, true); draw(); return s ? s.code : null; },
    search: function (q) { return search(q).map(function (s) { return s.code; }); },
    links: function (code) { return byCode[code] ? navLinks(byCode[code]) : null; },
    redraw: draw,
    count: sites.length
  };
  document.body.setAttribute("data-ready", "1");
})();
