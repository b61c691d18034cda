// wenming network map: where labels and markers go on screen.
// place(): greedy label placement in priority order — each label tries a few spots
// around its anchor and takes the first that stays inside the view and clear of every
// label already placed (a grid makes each test local); a label that fits nowhere is
// hidden, so labels never overlap. fan(): markers drawn on top of one another (the
// sub-centers at the guidance center) are moved onto rings around the first of them.
var WMLayout = (function () {
  "use strict";

  var CELL = 64;

  function overlaps(a, b) {
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
  }

  function Grid() { this.cells = {}; }
  Grid.prototype.each = function (b, fn) {
    var x0 = Math.floor(b.x / CELL), x1 = Math.floor((b.x + b.w) / CELL);
    var y0 = Math.floor(b.y / CELL), y1 = Math.floor((b.y + b.h) / CELL);
    for (var gx = x0; gx <= x1; gx++) for (var gy = y0; gy <= y1; gy++) {
      if (fn(gx + ":" + gy)) return true;
    }
    return false;
  };
  Grid.prototype.hits = function (b) {
    var cells = this.cells;
    return this.each(b, function (k) {
      var list = cells[k];
      if (!list) return false;
      for (var i = 0; i < list.length; i++) if (overlaps(list[i], b)) return true;
      return false;
    });
  };
  Grid.prototype.add = function (b) {
    var cells = this.cells;
    this.each(b, function (k) { (cells[k] = cells[k] || []).push(b); return false; });
  };

  // Spots around an anchor, best first: beside a marker, or centred on a place name.
  function spots(c) {
    var g = (c.r || 0) + 3, w = c.w, h = c.h;
    if (c.centred) {
      return [[-w / 2, -h / 2], [-w / 2, -h - g], [-w / 2, g], [g, -h / 2], [-g - w, -h / 2],
        [g, -h - g], [-g - w, -h - g], [g, g], [-g - w, g]];
    }
    return [[g, -h / 2], [-g - w, -h / 2], [-w / 2, -g - h], [-w / 2, g],
      [g, -h - 1], [g, 1], [-g - w, -h - 1], [-g - w, 1]];
  }

  // cands: [{x, y, r, w, h, centred?, …}] in priority order; returns the placed ones,
  // each with its box {bx, by, w, h}; `pad` px are kept free between labels; no label
  // goes over an obstacle box {x, y, w, h} (the buttons floating over the map).
  function place(cands, width, height, pad, obstacles) {
    var grid = new Grid(), out = [];
    pad = pad || 0;
    (obstacles || []).forEach(function (b) { grid.add(b); });
    for (var i = 0; i < cands.length; i++) {
      var c = cands[i], options = spots(c);
      for (var j = 0; j < options.length; j++) {
        var b = { x: c.x + options[j][0], y: c.y + options[j][1], w: c.w, h: c.h };
        if (b.x < 0 || b.y < 0 || b.x + b.w > width || b.y + b.h > height) continue;
        var padded = { x: b.x - pad, y: b.y - pad, w: b.w + 2 * pad, h: b.h + 2 * pad };
        if (grid.hits(padded)) continue;
        grid.add(b);
        c.bx = b.x; c.by = b.y;
        out.push(c);
        break;
      }
    }
    return out;
  }

  // markers: [{x, y, r}] in priority order. A marker closer to a group's anchor than
  // their radii together joins the group; members other than the anchor go on rings
  // around it. Sets fx, fy on every marker (its drawn position); returns the groups.
  function fan(markers) {
    var cell = 32, grid = {}, groups = [];
    markers.forEach(function (m) {
      m.fx = m.x; m.fy = m.y;
      var gx = Math.floor(m.x / cell), gy = Math.floor(m.y / cell), found = null;
      for (var dx = -1; dx <= 1 && !found; dx++) for (var dy = -1; dy <= 1 && !found; dy++) {
        var list = grid[(gx + dx) + ":" + (gy + dy)] || [];
        for (var i = 0; i < list.length; i++) {
          var a = list[i].anchor;
          if (Math.hypot(a.x - m.x, a.y - m.y) < a.r + m.r) { found = list[i]; break; }
        }
      }
      if (found) { found.members.push(m); return; }
      var g = { anchor: m, members: [m] };
      groups.push(g);
      (grid[gx + ":" + gy] = grid[gx + ":" + gy] || []).push(g);
    });
    var fanned = groups.filter(function (g) { return g.members.length > 1; });
    fanned.forEach(function (g) {
      var a = g.anchor, rest = g.members.slice(1), maxR = 0;
      rest.forEach(function (m) { maxR = Math.max(maxR, m.r); });
      var spacing = 2 * maxR + 5, radius = a.r + maxR + 8, k = 0;
      while (k < rest.length) {
        var fits = Math.max(6, Math.floor(2 * Math.PI * radius / spacing));
        var n = Math.min(fits, rest.length - k);
        for (var j = 0; j < n; j++) {
          var angle = -Math.PI / 2 + 2 * Math.PI * j / n;
          rest[k + j].fx = a.x + radius * Math.cos(angle);
          rest[k + j].fy = a.y + radius * Math.sin(angle);
        }
        k += n;
        radius += spacing;
      }
    });
    return fanned;
  }

  return { place: place, fan: fan, overlaps: overlaps };
})();
