// wenming network map: the popup of a site or a shared resource (a bottom sheet on
// phones, by CSS), with what a resource offers and who runs it, the parent chains,
// pairings and resources of a site, navigation links, and sharing its address: the
// clipboard, else the copy command, else the link shown to copy by hand.
var WMPopup = (function () {
  "use strict";

  var F_APPROX = 1, F_ZONE = 2, F_SYNTH = 4;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // env: {data, byCode, counties, paired, resourcesAt, select(item, centre), idOf(item),
  // kindLabel(item), shortName(item)}, from the map
  function create(env) {
    var DATA = env.data, byCode = env.byCode, counties = env.counties, paired = env.paired;
    var resourcesAt = env.resourcesAt, select = env.select, idOf = env.idOf;
    var kindLabel = env.kindLabel, shortName = env.shortName;

    function encode(text) {
      return encodeURIComponent(text).replace(/[!'()*]/g, function (c) {
        return "%" + c.charCodeAt(0).toString(16).toUpperCase();
      });
    }

    function navLinks(x) {
      var values = Object.assign({ name: encode(x.name) }, x.fmt);
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

    function itemLink(x) {
      var a = el("a", { "class": x.type === "site" ? "site" : "resource", href: hashOf(x), "data-code": idOf(x) }, x.name);
      a.addEventListener("click", function (e) { e.preventDefault(); select(x, true); });
      return a;
    }

    function listSection(popup, title, list, cls, limit) {
      if (!list.length) return;
      popup.appendChild(el("strong", {}, title + (list.length > (limit || 1e9) ? "（" + list.length + "）" : "")));
      var ul = el("ul", { "class": cls });
      list.slice(0, limit || list.length).forEach(function (x) {
        var li = el("li"); li.appendChild(itemLink(x));
        if (x.type === "resource") li.appendChild(el("small", {}, " " + x.kind.label));
        ul.appendChild(li);
      });
      if (limit && list.length > limit) ul.appendChild(el("li", { "class": "more" }, "…… 另有 " + (list.length - limit) + " 项"));
      popup.appendChild(ul);
    }

    function months(list) {
      if (!list.length) return "全年";
      return list.map(function (m) { return m + "月"; }).join("、");
    }

    function placeOf(x) {
      var c = counties[x.county], at = x.type === "resource" ? byCode[x.at] : byCode[x.parent];
      var parts = [];
      if (c) parts.push(c.name);
      if (at && at.level !== "center" && at.level !== "guidance_center") parts.push(shortName(at));
      return parts.join(" · ");
    }

    function header(popup, x) {
      var close = el("button", { "class": "close icon", type: "button", title: "关闭", "aria-label": "关闭" }, "×");
      close.addEventListener("click", function () { select(null); });
      popup.appendChild(close);
      popup.appendChild(el("span", { "class": "badge" }, kindLabel(x) + (x.dept ? " · " + x.dept.label : "")));
      popup.appendChild(el("h3", {}, x.name));
    }

    function notes(popup, x) {
      if (x.flags & F_APPROX) popup.appendChild(el("p", { "class": "approx" }, "估计位置，非实测"));
      if (x.flags & F_ZONE) popup.appendChild(el("p", { "class": "approx" }, "功能区"));
      if (x.flags & F_SYNTH) popup.appendChild(el("p", { "class": "approx" }, "合成数据，非真实记录"));
    }

    function actions(popup, x) {
      var nav = el("div", { "class": "nav" });
      var share = el("button", { type: "button", "class": "share", "data-share": idOf(x) }, "分享链接");
      share.addEventListener("click", function () { shareLink(x); });
      nav.appendChild(share);
      if (x.fmt) {
        var links = navLinks(x);
        [["amap", "高德导航"], ["baidu", "百度地图"], ["geo", "其他地图"]].forEach(function (p) {
          nav.appendChild(el("a", { href: links[p[0]], target: "_blank", rel: "noopener", "data-nav": p[0] }, p[1]));
        });
      }
      popup.appendChild(nav);
      popup.appendChild(el("div", { "class": "share-box", hidden: "" }));
    }

    function showSite(popup, s) {
      header(popup, s);
      var dl = el("dl");
      function row(k, v) { if (v) { dl.appendChild(el("dt", {}, k)); dl.appendChild(el("dd", {}, v)); } }
      row("类型", s.siteType.label);
      row("部门", s.dept ? s.dept.label : "");
      row("所在", placeOf(s));
      row("代码", s.code);
      row("坐标", s.fmt.lng + ", " + s.fmt.lat);
      popup.appendChild(dl);
      notes(popup, s);
      listSection(popup, "属地上级", chain(s, "parent"), "parents");
      listSection(popup, "行业条线", chain(s, "line"), "line");
      listSection(popup, "结对共建", (paired[s.code] || []).map(function (c) { return byCode[c]; }).filter(Boolean), "pairings", 12);
      listSection(popup, "此处的共享资源", resourcesAt[s.code] || [], "resources", 12);
      actions(popup, s);
    }

    function showResource(popup, r) {
      header(popup, r);
      var dl = el("dl");
      function row(k, v) { if (v) { dl.appendChild(el("dt", {}, k)); dl.appendChild(el("dd", {}, v)); } }
      row("主管部门", r.dept ? r.dept.label + "（" + r.dept.subcenter + "）" : "");
      row(r.kind.id === "project" ? "项目模板" : "可开展项目", r.templates.join("、"));
      row("服务类别", r.categories.join("、"));
      row("服务人群", r.audiences.join("、"));
      row("容量", r.capacity ? (r.kind.id === "venue" ? "可容纳 " : "每场 ") + r.capacity + " 人" : "");
      row("队员", r.members ? r.members + " 人" : "");
      row("服务方式", r.kind.mode);
      row("服务半径", r.reach);
      row("开放时间", months(r.months));
      row("所在", placeOf(r));
      popup.appendChild(dl);
      notes(popup, r);
      if (byCode[r.at]) listSection(popup, "所在站点", [byCode[r.at]], "at");
      actions(popup, r);
    }

    function showPopup(x) {
      var popup = document.getElementById("popup");
      popup.innerHTML = "";
      popup.setAttribute("data-id", idOf(x));
      popup.setAttribute("aria-label", x.name);
      if (x.type === "site") showSite(popup, x); else showResource(popup, x);
      popup.hidden = false;
      popup.scrollTop = 0;
    }

    function hashOf(x) { return "#" + x.type + "=" + encodeURIComponent(idOf(x)); }
    function urlOf(x) { return location.href.split("#")[0] + hashOf(x); }

    function toast(text) {
      var t = document.getElementById("toast");
      t.textContent = text; t.hidden = false;
      clearTimeout(toast.timer);
      toast.timer = setTimeout(function () { t.hidden = true; }, 2500);
    }

    var lastShare = null;
    function showLinkBox(url) {
      var box = document.querySelector("#popup .share-box");
      box.innerHTML = "";
      box.appendChild(el("span", {}, "无法自动复制，请长按或全选后复制："));
      var input = el("input", { type: "text", readonly: "", value: url, "aria-label": "分享链接" });
      box.appendChild(input);
      box.hidden = false;
      input.focus(); input.select();
    }
    function copyFallback(url) {
      var ok = false, ta = el("textarea", { readonly: "" });
      ta.value = url; ta.style.position = "fixed"; ta.style.opacity = "0";
      document.body.appendChild(ta); ta.select();
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(ta);
      lastShare = { url: url, how: ok ? "execCommand" : "manual" };
      if (ok) toast("链接已复制"); else showLinkBox(url);
    }
    function shareLink(x) {
      var url = urlOf(x);
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(url).then(function () {
          lastShare = { url: url, how: "clipboard" };
          toast("链接已复制");
        }, function () { copyFallback(url); });
      } else {
        copyFallback(url);
      }
    }

    return {
      show: showPopup,
      hashOf: hashOf,
      toast: toast,
      navLinks: navLinks,
      lastShare: function () { return lastShare; }
    };
  }

  return { el: el, create: create };
})();
