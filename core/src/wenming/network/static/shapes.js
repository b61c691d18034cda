// wenming network map: the marker shapes, drawn on the map's canvas and, as the legend's
// symbols, on small canvases of their own, so the legend shows exactly what the map draws.
var WMShapes = (function () {
  "use strict";

  function shape(c, kind, x, y, r, fill, hollow) {
    c.beginPath();
    if (kind === "square") {
      c.rect(x - r, y - r, 2 * r, 2 * r);
    } else if (kind === "diamond") {
      c.moveTo(x, y - r * 1.3); c.lineTo(x + r * 1.3, y);
      c.lineTo(x, y + r * 1.3); c.lineTo(x - r * 1.3, y); c.closePath();
    } else if (kind === "star") {
      for (var k = 0; k < 10; k++) {
        var a = -Math.PI / 2 + k * Math.PI / 5, rr = k % 2 ? r * 0.45 : r * 1.3;
        c[k ? "lineTo" : "moveTo"](x + rr * Math.cos(a), y + rr * Math.sin(a));
      }
      c.closePath();
    } else if (kind === "triangle" || kind === "down") {
      var s = kind === "down" ? -1 : 1;
      c.moveTo(x, y - s * r * 1.2); c.lineTo(x + r * 1.1, y + s * r * 0.8);
      c.lineTo(x - r * 1.1, y + s * r * 0.8); c.closePath();
    } else if (kind === "hexagon") {
      for (var h = 0; h < 6; h++) {
        var b = Math.PI / 6 + h * Math.PI / 3;
        c[h ? "lineTo" : "moveTo"](x + r * 1.1 * Math.cos(b), y + r * 1.1 * Math.sin(b));
      }
      c.closePath();
    } else {
      c.arc(x, y, r, 0, 2 * Math.PI);
    }
    if (hollow) {
      c.fillStyle = "rgba(255,255,255,0.85)"; c.fill();
      c.lineWidth = 1.6; c.strokeStyle = fill; c.stroke();
    } else {
      c.fillStyle = fill; c.fill();
      c.lineWidth = 0.8; c.strokeStyle = "rgba(0,0,0,0.45)"; c.stroke();
    }
  }

  function symbol(kind, color, hollow) {
    var c = document.createElement("canvas");
    c.className = "symbol"; c.width = 44; c.height = 44;
    var g = c.getContext("2d");
    g.scale(2, 2);
    if (kind === "cluster") {
      g.beginPath(); g.arc(11, 11, 9, 0, 2 * Math.PI);
      g.fillStyle = "rgba(21,101,192,0.22)"; g.fill();
      g.strokeStyle = "rgba(21,101,192,0.8)"; g.lineWidth = 1.5; g.stroke();
    } else if (kind.indexOf("line:") === 0) {
      g.beginPath(); g.setLineDash(kind === "line:parent" ? [6, 4] : kind === "line:line" ? [2, 4] : []);
      g.moveTo(2, 11); g.lineTo(20, 11); g.strokeStyle = color; g.lineWidth = 2; g.stroke();
    } else {
      shape(g, kind, 11, 11, 6, color, hollow);
    }
    return c;
  }

  return { shape: shape, symbol: symbol };
})();
