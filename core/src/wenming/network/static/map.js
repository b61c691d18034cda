// wenming network map (一图导览): a small canvas renderer of our own, no third-party code.
// Points are projected with Web Mercator; the view pans (drag), zooms (wheel, buttons,
// double click, pinch), clusters at city zoom, fans out co-located markers, places
// labels that never overlap (layout.js), filters by level, department, resource kind and
// county, searches names, pinyin and initials (search.js), and opens a popup (popup.js;
// a bottom sheet on phones) for a site or a shared resource, addressable as #site=CODE
// or #resource=KEY. Marker shapes are in shapes.js. The page state is exposed as
// window.wenmingMap for tests and embedding.
(function () {
  "use strict";

  var T0 = performance.now();
  var DATA = JSON.parse(document.getElementById("wm-data").textContent);
  var F_APPROX = 1;              // flags bit: an estimated position (popup.js reads the others)
  var CLUSTER_BELOW_ZOOM = 11;   // below this zoom, nearby markers merge into clusters
  var CLUSTER_CELL = 56;         // cluster cell size in CSS pixels
  var LABEL_ZOOM = 12.5;         // stations, points and resources get labels from here
  var MAX_LABELS = 500;          // label candidates per frame, best first
  var PHONE = window.matchMedia("(max-width: 700px)");
  var COARSE = window.matchMedia("(pointer: coarse)");

  var LEVEL_STYLE = {
    guidance_center: { color: "#b00020", r: 9, shape: "star", rank: 0 },
    center: { color: "#c62828", r: 8, shape: "circle", rank: 1 },
    subcenter: { color: null, r: 7, shape: "square", rank: 2 },
    institute: { color: "#ef6c00", r: 5.5, shape: "circle", rank: 3 },
    practice_point: { color: null, r: 4.5, shape: "diamond", rank: 4 },
    station: { color: "#1565c0", r: 3.2, shape: "circle", rank: 6 }
  };
  var KIND_STYLE = {
    venue: { shape: "triangle", r: 5.5, rank: 5 },
    project: { shape: "hexagon", r: 5, rank: 5 },
    team: { shape: "down", r: 5.5, rank: 5 }
  };
  var HUBS = { guidance_center: 1, center: 1, subcenter: 1 };

  // ------------------------------------------------------------------ data

  var levels = DATA.levels.map(function (l) { return l.id; });
  var counties = DATA.counties;
  function fmtOf(a) {
    return a ? { lng: a[0], lat: a[1], gcj_lng: a[2], gcj_lat: a[3], bd_lng: a[4], bd_lat: a[5] } : null;
  }
  var sites = DATA.sites.map(function (r, i) {
    return {
      type: "site", i: i, code: r[0], name: r[1], level: levels[r[2]], siteType: DATA.types[r[3]],
      dept: r[4] >= 0 ? DATA.departments[r[4]] : null, parent: r[5], line: r[6],
      flags: r[7], county: r[8], syl: r[9].split("'"), ini: r[10], fmt: fmtOf(r.slice(11, 17))
    };
  });
  var resources = DATA.resources.map(function (r, i) {
    return {
      type: "resource", i: i, key: r[0], name: r[1], kind: DATA.kinds[r[2]],
      dept: r[3] >= 0 ? DATA.departments[r[3]] : null, at: r[4], county: r[5],
      flags: r[6], capacity: r[7], members: r[8], reach: DATA.reaches[r[9]],
      months: r[10], templates: r[11].map(function (t) { return DATA.templates_zh[t]; }),
      categories: r[12].map(function (c) { return DATA.categories[c]; }),
      audiences: r[13].map(function (a) { return DATA.audiences[a]; }),
      syl: r[14].split("'"), ini: r[15], fmt: fmtOf(r[16])
    };
  });
  [sites, resources].forEach(function (list) {
    list.forEach(function (x) {
      x.lng = x.fmt ? parseFloat(x.fmt.lng) : null;
      x.lat = x.fmt ? parseFloat(x.fmt.lat) : null;
    });
  });
  var byCode = {}, byKey = {}, resourcesAt = {};
  sites.forEach(function (s) { byCode[s.code] = s; });
  resources.forEach(function (r) {
    byKey[r.key] = r;
    if (r.at) (resourcesAt[r.at] = resourcesAt[r.at] || []).push(r);
  });
  var paired = {};
  DATA.pairings.forEach(function (p) {
    var a = sites[p[0]].code, b = sites[p[1]].code;
    (paired[a] = paired[a] || []).push(b);
    (paired[b] = paired[b] || []).push(a);
  });
  // A search entry; matches with gaps skip the words every site name repeats
  // (新时代文明实践), or "szsd" would find every station of a town starting with s, z.
  var BOILERPLATE = "新时代文明实践";
  function entry(x, code) {
    var e = { item: x, lname: x.name.toLowerCase(), code: code, full: x.syl.join(""), syl: x.syl, ini: x.ini };
    var k = x.name.indexOf(BOILERPLATE), n = BOILERPLATE.length;
    e.gname = e.lname; e.gsyl = e.syl; e.gini = e.ini;
    if (k >= 0 && x.syl.length === x.name.length && x.ini.length === x.name.length) {
      e.gname = e.lname.slice(0, k) + e.lname.slice(k + n);
      e.gsyl = x.syl.slice(0, k).concat(x.syl.slice(k + n));
      e.gini = x.ini.slice(0, k) + x.ini.slice(k + n);
    }
    return e;
  }
  var entries = [];
  sites.forEach(function (s) { entries.push(entry(s, s.code)); });
  resources.forEach(function (r) { entries.push(entry(r, null)); });

  var levelOn = {}, deptOn = {}, kindOn = {}, countyOn = -1;
  levels.forEach(function (l) { levelOn[l] = true; });
  DATA.departments.forEach(function (d) { deptOn[d.code] = true; });
  DATA.kinds.forEach(function (k) { kindOn[k.id] = false; });

  function visible(x) {
    if (x.dept && !deptOn[x.dept.code]) return false;
    if (countyOn >= 0 && x.county !== countyOn) return false;
    if (x.type === "resource") return x.lng !== null && kindOn[x.kind.id];
    return levelOn[x.level];
  }
  function styleOf(x) {
    return x.type === "resource" ? KIND_STYLE[x.kind.id] : LEVEL_STYLE[x.level] || LEVEL_STYLE.station;
  }
  function colorOf(x) {
    var style = styleOf(x);
    return style.color || (x.dept ? x.dept.color : "#555");
  }
  function idOf(x) { return x.type === "site" ? x.code : x.key; }
  function kindLabel(x) {
    if (x.type === "resource") return x.kind.label;
    return (DATA.levels[levels.indexOf(x.level)] || {}).label || x.level;
  }
  function shortName(x) {
    return x.type === "site" ? x.name.replace("新时代文明实践", "") : x.name;
  }

  // ------------------------------------------------------------------ projection

  function mercX(lng) { return (lng + 180) / 360; }
  function mercY(lat) {
    var s = Math.sin(lat * Math.PI / 180);
    return 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
  }
  function unmercY(y) { return 90 - 360 * Math.atan(Math.exp((y - 0.5) * 2 * Math.PI)) / Math.PI; }
  sites.forEach(function (s) { s.mx = mercX(s.lng); s.my = mercY(s.lat); });
  resources.forEach(function (r) { if (r.lng !== null) { r.mx = mercX(r.lng); r.my = mercY(r.lat); } });
  counties.forEach(function (c) { c.mx = mercX(c.lng); c.my = mercY(c.lat); });
  var institutes = sites.filter(function (s) { return s.level === "institute"; });

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
    var zx = Math.log2(W * 0.85 / (256 * Math.max(x1 - x0, 1e-6)));
    var zy = Math.log2(H * 0.85 / (256 * Math.max(y1 - y0, 1e-6)));
    view.zoom = Math.max(2, Math.min(16, zx, zy));
  }

  // ------------------------------------------------------------------ drawing

  var drawn = [];        // what the last frame drew: {x, y, r, item} or {x, y, r, cluster}
  var placed = [];       // the labels the last frame drew, with their boxes
  var lastStats = {};
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

  function graticule() {
    var tl = toWorld(0, 0), br = toWorld(W, H);
    var lng0 = tl[0] * 360 - 180, lng1 = br[0] * 360 - 180;
    var span = lng1 - lng0;
    var step = [10, 5, 2, 1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01].filter(function (s) { return span / s >= 3; })[0] || 0.01;
    ctx.strokeStyle = "rgba(0,0,0,0.07)"; ctx.lineWidth = 1;
    for (var g = Math.ceil(lng0 / step) * step; g <= lng1; g += step) {
      var x = toScreen(mercX(g), 0)[0];
      ctx.beginPath(); ctx.moveTo(x, 0); ctx.lineTo(x, H); ctx.stroke();
    }
    var latTop = unmercY(tl[1]), latBot = unmercY(br[1]);
    for (var t = Math.ceil(latBot / step) * step; t <= latTop; t += step) {
      var y = toScreen(0, mercY(t))[1];
      ctx.beginPath(); ctx.moveTo(0, y); ctx.lineTo(W, y); ctx.stroke();
    }
  }

  function scaleBar() {
    var lat = unmercY(view.cy);
    var metresPerPx = 40075016.686 * Math.cos(lat * Math.PI / 180) / worldSize();
    var target = metresPerPx * 100;
    var nice = [1, 2, 5].map(function (m) { return m * Math.pow(10, Math.floor(Math.log10(target))); })
      .filter(function (v) { return v <= target; }).pop() || target;
    var el = document.getElementById("scale");
    el.style.width = Math.round(nice / metresPerPx) + "px";
    el.textContent = nice >= 1000 ? nice / 1000 + " 公里" : nice + " 米";
  }

  function linkTo(a, b, color, dash) {
    var p = toScreen(a.mx, a.my), q = toScreen(b.mx, b.my);
    ctx.beginPath(); ctx.setLineDash(dash || []); ctx.moveTo(p[0], p[1]); ctx.lineTo(q[0], q[1]);
    ctx.strokeStyle = color; ctx.lineWidth = 2; ctx.stroke(); ctx.setLineDash([]);
  }

  function rankOf(x) { return styleOf(x).rank; }

  function clusterize(inView) {
    var cells = {}, keys = [], singles = [], clusters = [];
    inView.forEach(function (d) {
      if (d.item.type === "site" && HUBS[d.item.level]) { singles.push(d); return; }
      var key = Math.floor(d.x / CLUSTER_CELL) + ":" + Math.floor(d.y / CLUSTER_CELL);
      if (!cells[key]) { cells[key] = []; keys.push(key); }
      cells[key].push(d);
    });
    keys.forEach(function (key) {
      var members = cells[key];
      if (members.length === 1) { singles.push(members[0]); return; }
      var x = 0, y = 0;
      members.forEach(function (m) { x += m.x; y += m.y; });
      clusters.push({ x: x / members.length, y: y / members.length, members: members });
    });
    return { singles: singles, clusters: clusters };
  }

  function drawCluster(c) {
    var r = 8 + Math.min(14, Math.sqrt(c.members.length) * 1.5);
    ctx.beginPath(); ctx.arc(c.x, c.y, r, 0, 2 * Math.PI);
    ctx.fillStyle = "rgba(21,101,192,0.22)"; ctx.fill();
    ctx.strokeStyle = "rgba(21,101,192,0.8)"; ctx.lineWidth = 1.5; ctx.stroke();
    ctx.fillStyle = "#0d3c78"; ctx.font = "bold 11px sans-serif"; ctx.textAlign = "center";
    ctx.fillText(String(c.members.length), c.x, c.y + 4); ctx.textAlign = "start";
    drawn.push({ x: c.x, y: c.y, r: r, cluster: c.members.map(function (m) { return m.item; }) });
  }

  function labelFont(px, bold) {
    return (bold ? "bold " : "") + px + 'px system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif';
  }

  var widths = {};  // text widths by font and text: measuring is the slow part of labels
  function measure(c) {
    var key = c.font + "|" + c.text;
    if (!(key in widths)) { ctx.font = c.font; widths[key] = Math.ceil(ctx.measureText(c.text).width) + 4; }
    c.w = widths[key];
    c.h = c.size + 4;
    return c;
  }

  function labelCandidates(singles) {
    var cands = [];
    var cSize = view.zoom < 9 ? 12 : view.zoom < 11 ? 14 : 16;
    counties.forEach(function (c, i) {
      if (countyOn >= 0 && countyOn !== i) return;
      var p = toScreen(c.mx, c.my);
      cands.push(measure({ kind: "county", id: c.code, x: p[0], y: p[1], r: 9, centred: true,
        text: c.name, size: cSize, font: labelFont(cSize, true) }));
    });
    if (selected) {
      var d = drawn.filter(function (e) { return e.item === selected; })[0];
      if (d) cands.push(measure({ kind: "selected", id: idOf(selected), x: d.x, y: d.y, r: d.r + 4,
        text: shortName(selected), size: 13, font: labelFont(13, true) }));
    }
    var others = singles.filter(function (d) {
      var x = d.item;
      if (x === selected || (x.type === "site" && x.level === "center")) return false;
      if (x.type === "site" && (x.level === "guidance_center" || x.level === "subcenter")) return view.zoom >= 9.5;
      if (x.type === "site" && x.level === "institute") return view.zoom >= 10.5;
      return view.zoom >= LABEL_ZOOM;
    });
    others.sort(function (a, b) { return rankOf(a.item) - rankOf(b.item); });
    others.slice(0, MAX_LABELS).forEach(function (d) {
      var x = d.item, hub = x.type === "site" && x.level !== "station" && x.level !== "practice_point";
      cands.push(measure({ kind: x.type, id: idOf(x), x: d.fx, y: d.fy, r: d.r,
        text: shortName(x), size: hub ? 12 : 11, font: labelFont(hub ? 12 : 11, false) }));
    });
    return cands;
  }

  // the controls floating over the map, in canvas pixels: labels keep clear of them
  function obstacles() {
    var origin = canvas.getBoundingClientRect(), out = [];
    ["panel-toggle", "where", "zoom", "scale"].forEach(function (id) {
      var e = document.getElementById(id), b = e.getBoundingClientRect();
      if (b.width && b.height) out.push({ x: b.left - origin.left, y: b.top - origin.top, w: b.width, h: b.height });
    });
    return out;
  }

  function drawLabel(c) {
    ctx.font = c.font; ctx.textBaseline = "middle"; ctx.lineJoin = "round";
    var tx = c.bx + 2, ty = c.by + c.h / 2;
    ctx.lineWidth = 3; ctx.strokeStyle = "rgba(255,255,255,0.9)"; ctx.strokeText(c.text, tx, ty);
    ctx.fillStyle = c.kind === "county" ? "#5a2828" : "#222";
    ctx.fillText(c.text, tx, ty);
    ctx.textBaseline = "alphabetic";
  }

  function where() {
    var el = document.getElementById("where"), text = DATA.region.name || "";
    if (view.zoom >= 10 && institutes.length) {
      var best = null, bd = Infinity;
      institutes.forEach(function (s) {
        var d = Math.pow(s.mx - view.cx, 2) + Math.pow(s.my - view.cy, 2);
        if (d < bd) { bd = d; best = s; }
      });
      var c = counties[best.county];
      text = (c ? c.name + " · " : "") + best.name.replace("新时代文明实践所", "");
    } else if (countyOn >= 0) {
      text = counties[countyOn].name;
    }
    el.textContent = text;
  }

  function draw() {
    ctx.clearRect(0, 0, W, H);
    graticule();
    scaleBar();
    var clustered = view.zoom < CLUSTER_BELOW_ZOOM, pad = 20, inView = [];
    function consider(x) {
      if (!visible(x)) return;
      var p = toScreen(x.mx, x.my);
      if (p[0] < -pad || p[1] < -pad || p[0] > W + pad || p[1] > H + pad) return;
      inView.push({ x: p[0], y: p[1], item: x, r: styleOf(x).r * (view.zoom >= 13 ? 1.3 : 1) });
    }
    sites.forEach(consider);
    resources.forEach(consider);
    drawn = [];
    var groups = clustered ? clusterize(inView) : { singles: inView, clusters: [] };
    groups.clusters.forEach(drawCluster);
    var singles = groups.singles;
    singles.sort(function (a, b) { return rankOf(a.item) - rankOf(b.item); });
    var fanned = WMLayout.fan(singles);
    if (selected && selected.mx !== undefined) {
      var sel = selected, parent = byCode[sel.parent], line = byCode[sel.line], at = byCode[sel.at];
      if (parent) linkTo(sel, parent, "rgba(198,40,40,0.7)", [6, 4]);
      if (line) linkTo(sel, line, "rgba(80,80,80,0.7)", [2, 4]);
      if (at && sel.type === "resource") linkTo(sel, at, "rgba(198,40,40,0.7)", [6, 4]);
      (paired[sel.code] || []).forEach(function (c) { if (byCode[c]) linkTo(sel, byCode[c], "rgba(46,125,50,0.85)"); });
    }
    fanned.forEach(function (g) {
      ctx.strokeStyle = "rgba(0,0,0,0.35)"; ctx.lineWidth = 1;
      g.members.slice(1).forEach(function (m) {
        ctx.beginPath(); ctx.moveTo(m.x, m.y); ctx.lineTo(m.fx, m.fy); ctx.stroke();
      });
    });
    var byLevel = {}, nMarkers = 0;
    // draw low ranks first, so hubs end on top
    singles.slice().reverse().forEach(function (d) {
      var x = d.item, style = styleOf(x);
      WMShapes.shape(ctx, style.shape, d.fx, d.fy, d.r, colorOf(x), (x.flags & F_APPROX) !== 0);
      drawn.push({ x: d.fx, y: d.fy, r: d.r, item: x });
      var key = x.type === "site" ? x.level : x.kind.id;
      byLevel[key] = (byLevel[key] || 0) + 1;
      nMarkers++;
    });
    if (selected && selected.mx !== undefined) {
      var hit = drawn.filter(function (e) { return e.item === selected; })[0];
      var p = hit ? [hit.x, hit.y] : toScreen(selected.mx, selected.my);
      ctx.beginPath(); ctx.arc(p[0], p[1], 13, 0, 2 * Math.PI);
      ctx.strokeStyle = "#000"; ctx.lineWidth = 2.5; ctx.stroke();
    }
    where();
    var cands = labelCandidates(singles);
    placed = WMLayout.place(cands, W, H, 2, obstacles());
    placed.forEach(drawLabel);
    lastStats = { markers: nMarkers, clusters: groups.clusters.length, visible: inView.length,
      clustered: clustered, byLevel: byLevel, zoom: view.zoom, fanned: fanned.length,
      labels: placed.length, labelCandidates: cands.length };
    canvas.dataset.markers = nMarkers;
    canvas.dataset.clusters = groups.clusters.length;
    document.getElementById("status").textContent =
      "视野内 " + inView.length + " 处 · " + nMarkers + " 个标记 · " + groups.clusters.length +
      " 个聚合 · 缩放 " + view.zoom.toFixed(1);
  }

  // ------------------------------------------------------------------ panel

  var el = WMPopup.el, symbol = WMShapes.symbol;
  var popup = WMPopup.create({ data: DATA, byCode: byCode, counties: counties, paired: paired,
    resourcesAt: resourcesAt, select: select, idOf: idOf, kindLabel: kindLabel, shortName: shortName });

  function layerBox(container, id, label, sym, checked, onchange, count) {
    var row = el("label", { "class": "layer", "data-layer": id });
    var box = el("input", { type: "checkbox" });
    box.checked = checked;
    box.addEventListener("change", function () { onchange(box.checked); schedule(); });
    row.appendChild(box); row.appendChild(sym); row.appendChild(el("span", { "class": "name" }, label));
    row.appendChild(el("span", { "class": "count" }, String(count)));
    container.appendChild(row);
  }

  var levelCounts = {}, deptCounts = {}, kindCounts = {};
  sites.forEach(function (s) {
    levelCounts[s.level] = (levelCounts[s.level] || 0) + 1;
    if (s.dept) deptCounts[s.dept.code] = (deptCounts[s.dept.code] || 0) + 1;
  });
  resources.forEach(function (r) { kindCounts[r.kind.id] = (kindCounts[r.kind.id] || 0) + 1; });
  DATA.levels.forEach(function (l) {
    var style = LEVEL_STYLE[l.id];
    layerBox(document.getElementById("levels"), "level:" + l.id, l.label,
      symbol(style.shape, style.color || "#888"), true, function (on) { levelOn[l.id] = on; }, levelCounts[l.id] || 0);
  });
  DATA.kinds.forEach(function (k) {
    layerBox(document.getElementById("kinds"), "kind:" + k.id, k.label,
      symbol(KIND_STYLE[k.id].shape, "#666"), false, function (on) { kindOn[k.id] = on; }, kindCounts[k.id] || 0);
  });
  DATA.departments.forEach(function (d) {
    layerBox(document.getElementById("departments"), "department:" + d.code, d.label,
      symbol("circle", d.color), true, function (on) { deptOn[d.code] = on; }, deptCounts[d.code] || 0);
  });
  (function legend() {
    var box = document.getElementById("legend");
    [["circle", "#1565c0", true, "空心：估计位置（非实测）"], ["cluster", null, false, "聚合：点击放大"],
      ["line:parent", "rgba(198,40,40,0.8)", false, "选中处的属地上级"],
      ["line:line", "rgba(80,80,80,0.8)", false, "选中处的行业条线"],
      ["line:pair", "rgba(46,125,50,0.9)", false, "结对共建"]].forEach(function (e) {
      var row = el("div", { "class": "legend-row" });
      row.appendChild(symbol(e[0], e[1], e[2])); row.appendChild(el("span", {}, e[3]));
      box.appendChild(row);
    });
    var note = el("p", { "class": "note" }, "实践点与资源的颜色表示所属行业部门；县市区名称标在其中心位置。");
    box.appendChild(note);
  })();

  var countySelect = document.getElementById("county");
  counties.forEach(function (c, i) { countySelect.appendChild(el("option", { value: String(i) }, c.name)); });
  function setCounty(i) {
    countyOn = i;
    countySelect.value = i >= 0 ? String(i) : "";
    var list = i >= 0 ? sites.filter(function (s) { return s.county === i; }) : sites;
    fit(list);
    schedule();
  }
  countySelect.addEventListener("change", function () {
    setCounty(countySelect.value === "" ? -1 : Number(countySelect.value));
  });

  var app = document.getElementById("app"), toggle = document.getElementById("panel-toggle");
  function setPanel(open) {
    app.classList.toggle("collapsed", !open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    toggle.setAttribute("aria-label", open ? "收起面板" : "展开面板");
    resize(); schedule();
  }
  toggle.addEventListener("click", function () { setPanel(app.classList.contains("collapsed")); });
  document.getElementById("panel-close").addEventListener("click", function () { setPanel(false); });

  // ------------------------------------------------------------------ links

  function setHash(hash) {
    var url = location.href.split("#")[0] + hash;
    try { history.replaceState(null, "", url); } catch (e) { if (hash) location.hash = hash; }
  }

  // the site or resource the address names; null (with a note) when it names none here
  function fromHash() {
    var m = /^#(site|resource)=(.+)$/.exec(location.hash), id = null, found = null;
    if (!m) return null;
    try { id = decodeURIComponent(m[2]); } catch (e) { id = null; }
    if (id !== null) found = m[1] === "site" ? byCode[id] || null : byKey[id] || null;
    if (!found) popup.toast("链接中的" + (m[1] === "site" ? "站点" : "资源") + "不在这张地图上");
    return found;
  }

  // ------------------------------------------------------------------ selection

  function select(x, center) {
    selected = x || null;
    if (selected) {
      if (!visible(selected)) {
        if (selected.type === "site") levelOn[selected.level] = true; else kindOn[selected.kind.id] = true;
        if (selected.dept) deptOn[selected.dept.code] = true;
        if (countyOn >= 0 && selected.county !== countyOn) { countyOn = -1; countySelect.value = ""; }
        syncBoxes();
      }
      if (center && selected.mx !== undefined) {
        view.cx = selected.mx; view.cy = selected.my;
        view.zoom = Math.max(view.zoom, 13);
        if (PHONE.matches) view.cy += (H * 0.22) / worldSize(); // keep it above the bottom sheet
      }
      popup.show(selected);
      setHash(popup.hashOf(selected));
    } else {
      document.getElementById("popup").hidden = true;
      setHash("");
    }
    schedule();
    return selected;
  }

  function syncBoxes() {
    document.querySelectorAll(".layer").forEach(function (row) {
      var id = row.getAttribute("data-layer").split(":");
      var on = id[0] === "level" ? levelOn : id[0] === "kind" ? kindOn : deptOn;
      row.querySelector("input").checked = on[id[1]];
    });
  }

  window.addEventListener("hashchange", function () {
    var x = fromHash();
    if (x && x !== selected) select(x, true);
  });

  // ------------------------------------------------------------------ search

  function search(q) {
    return WMSearch.search(entries, q, 30).map(function (e) { return e.item; });
  }

  var input = document.getElementById("search"), results = document.getElementById("results");
  function pick(x) {
    select(x, true);
    if (PHONE.matches) setPanel(false);
  }
  input.addEventListener("input", function () {
    results.innerHTML = "";
    var hits = search(input.value);
    if (!hits.length && input.value.trim()) results.appendChild(el("li", { "class": "none" }, "没有找到"));
    hits.forEach(function (x) {
      var li = el("li", { "data-code": idOf(x), "data-type": x.type, tabindex: "0" });
      li.appendChild(el("span", { "class": "name" }, x.name));
      var county = counties[x.county];
      li.appendChild(el("small", {}, [kindLabel(x), x.dept ? x.dept.label : "", county ? county.name : ""]
        .filter(Boolean).join(" · ")));
      li.addEventListener("click", function () { pick(x); });
      li.addEventListener("keydown", function (e) { if (e.key === "Enter") pick(x); });
      results.appendChild(li);
    });
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter") {
      var first = search(input.value)[0];
      if (first) pick(first);
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
    var best = null, bestD = Infinity, reach = COARSE.matches ? 22 : 10;
    drawn.forEach(function (d) {
      var dd = Math.hypot(d.x - x, d.y - y);
      if (dd <= Math.max(reach, d.r || 0) && dd < bestD) { best = d; bestD = dd; }
    });
    return best;
  }

  var pointers = {}, drag = null, pinch = null;
  function pos(e) { var b = canvas.getBoundingClientRect(); return [e.clientX - b.left, e.clientY - b.top]; }
  canvas.addEventListener("pointerdown", function (e) {
    pointers[e.pointerId] = pos(e);
    try { canvas.setPointerCapture(e.pointerId); } catch (err) { /* a pointer already gone */ }
    var ids = Object.keys(pointers);
    if (ids.length === 2) {
      var a = pointers[ids[0]], b = pointers[ids[1]];
      pinch = { d: Math.hypot(a[0] - b[0], a[1] - b[1]), zoom: view.zoom };
      drag = null;
    } else if (ids.length === 1) {
      var p = pointers[ids[0]];
      drag = { x: p[0], y: p[1], cx: view.cx, cy: view.cy, moved: false };
    }
  });
  canvas.addEventListener("pointermove", function (e) {
    if (!pointers[e.pointerId]) return;
    pointers[e.pointerId] = pos(e);
    var ids = Object.keys(pointers);
    if (pinch && ids.length === 2) {
      var a = pointers[ids[0]], b = pointers[ids[1]];
      var d = Math.hypot(a[0] - b[0], a[1] - b[1]);
      if (d > 0 && pinch.d > 0) zoomAt((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, pinch.zoom + Math.log2(d / pinch.d) - view.zoom);
      return;
    }
    if (!drag) return;
    var p = pointers[e.pointerId], dx = p[0] - drag.x, dy = p[1] - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 4) { drag.moved = true; canvas.classList.add("dragging"); }
    if (!drag.moved) return;
    var k = worldSize();
    view.cx = drag.cx - dx / k; view.cy = drag.cy - dy / k;
    schedule();
  });
  function release(e) {
    var p = pointers[e.pointerId];
    delete pointers[e.pointerId];
    if (pinch) { if (!Object.keys(pointers).length) pinch = null; drag = null; return; }
    var wasClick = drag && !drag.moved;
    drag = null; canvas.classList.remove("dragging");
    if (!wasClick || !p || e.type === "pointercancel") return;
    var h = hit(p[0], p[1]);
    if (!h) return;
    if (h.cluster) {
      var c = toWorld(h.x, h.y);
      view.cx = c[0]; view.cy = c[1];
      zoomAt(W / 2, H / 2, 2);
    } else {
      select(h.item, false);
    }
  }
  canvas.addEventListener("pointerup", release);
  canvas.addEventListener("pointercancel", release);
  canvas.addEventListener("wheel", function (e) {
    e.preventDefault();
    var p = pos(e);
    zoomAt(p[0], p[1], e.deltaY < 0 ? 0.5 : -0.5);
  }, { passive: false });
  canvas.addEventListener("dblclick", function (e) { var p = pos(e); zoomAt(p[0], p[1], 1); });
  document.getElementById("zoom-in").addEventListener("click", function () { zoomAt(W / 2, H / 2, 1); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoomAt(W / 2, H / 2, -1); });
  document.getElementById("zoom-fit").addEventListener("click", function () {
    fit(countyOn >= 0 ? sites.filter(function (s) { return s.county === countyOn; }) : sites);
    schedule();
  });
  window.addEventListener("resize", function () { resize(); schedule(); });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && selected) select(null);
  });

  // ------------------------------------------------------------------ start

  if (PHONE.matches) app.classList.add("collapsed");
  toggle.setAttribute("aria-expanded", PHONE.matches ? "false" : "true");
  resize();
  fit(sites);
  var initial = fromHash();
  if (initial) select(initial, true);
  draw();

  window.wenmingMap = {
    stats: function () { return JSON.parse(JSON.stringify(lastStats)); },
    view: function () { return { cx: view.cx, cy: view.cy, zoom: view.zoom }; },
    setView: function (lng, lat, zoom) { view.cx = mercX(lng); view.cy = mercY(lat); view.zoom = zoom; draw(); },
    setLevel: function (level, on) { levelOn[level] = on; syncBoxes(); draw(); },
    setDepartment: function (code, on) { deptOn[code] = on; syncBoxes(); draw(); },
    setKind: function (kind, on) { kindOn[kind] = on; syncBoxes(); draw(); },
    setCounty: function (code) {
      setCounty(counties.map(function (c) { return c.code; }).indexOf(code)); draw();
    },
    select: function (code) { var s = select(code ? byCode[code] : null, true); draw(); return s ? s.code : null; },
    selectResource: function (key) { var r = select(byKey[key] || null, true); draw(); return r ? r.key : null; },
    selected: function () { return selected ? { type: selected.type, id: idOf(selected) } : null; },
    search: function (q) { return search(q).map(function (x) { return { type: x.type, id: idOf(x), name: x.name }; }); },
    links: function (code) { return byCode[code] ? popup.navLinks(byCode[code]) : null; },
    // the labels the last frame drew: text and box in CSS pixels of the canvas
    labels: function () {
      return placed.map(function (c) { return { kind: c.kind, id: c.id, text: c.text, x: c.bx, y: c.by, w: c.w, h: c.h }; });
    },
    // the markers the last frame drew where they were drawn (after fanning out)
    markers: function () {
      return drawn.filter(function (d) { return d.item; }).map(function (d) {
        return { id: idOf(d.item), type: d.item.type, x: d.x, y: d.y, r: d.r };
      });
    },
    lastShare: popup.lastShare,
    setPanel: setPanel,
    redraw: draw,
    count: sites.length,
    resources: resources.length
  };
  window.wenmingMap.readyMs = performance.now() - T0;
  document.body.setAttribute("data-ready", "1");
})();
