// wenming network map: search over names, full pinyin and pinyin initials.
// The index (each entry's pinyin forms) is built in Python when the file is written;
// here each query is ranked against it: exact name, name prefix, name substring,
// pinyin prefix/substring, initials prefix/substring, then (for longer queries) whole
// syllables, characters or initials in order with gaps ("taihushidi", "太湖湿地", "szsd");
// within a class, earlier and tighter matches first, then shorter names.
var WMSearch = (function () {
  "use strict";

  function normalise(q) {
    return (q || "").toLowerCase().replace(/\s+/g, "");
  }

  // how tightly the characters of q appear in text in order (gaps allowed): the span
  // they cover, plus 100 when the first is not text's first; -1 when they do not
  function inOrder(text, q) {
    var j = 0, start = -1;
    for (var i = 0; i < text.length && j < q.length; i++) {
      if (text[i] === q[j]) { if (start < 0) start = i; j++; }
    }
    if (j < q.length) return -1;
    return i - start + (start > 0 ? 100 : 0);
  }

  // true when q is whole syllables of `syl` in order, gaps allowed, the last one
  // possibly cut short: "taihushidi" in su'zhou'tai'hu'guo'jia'shi'di'gong'yuan
  function syllablesInOrder(syl, q) {
    var memo = {};
    function from(i, j) {
      if (j === q.length) return true;
      var key = i * 64 + j;
      if (key in memo) return memo[key];
      var ok = false;
      for (var k = i; k < syl.length && !ok; k++) {
        var s = syl[k];
        if (q.substr(j, s.length) === s) ok = from(k + 1, j + s.length);
        else if (s.indexOf(q.slice(j)) === 0) ok = true;
      }
      memo[key] = ok;
      return ok;
    }
    return from(0, 0);
  }

  // rank of one entry for a normalised query: [class, tightness], lower is better,
  // null for no match
  function rank(e, q, latin) {
    var name = e.lname, at;
    if (name === q) return [0, 0];
    if (name.indexOf(q) === 0) return [1, 0];
    if (e.code && /\d/.test(q) && e.code.toLowerCase().indexOf(q) === 0) return [1, 0];
    if ((at = name.indexOf(q)) > 0) return [2, at];
    if (latin) {
      if (e.full.indexOf(q) === 0 || e.ini.indexOf(q) === 0) return [3, 0];
      if ((at = e.full.indexOf(q)) > 0) return [4, at];
      if ((at = e.ini.indexOf(q)) > 0) return [5, at];
      if (q.length >= 4 && syllablesInOrder(e.gsyl, q)) return [6, 0];
      if (q.length >= 3 && (at = inOrder(e.gini, q)) >= 0) return [7, at];
    } else if (q.length >= 2 && (at = inOrder(e.gname, q)) >= 0) {
      return [6, at];
    }
    return null;
  }

  // entries: [{lname, code, full, syl, ini, gname, gsyl, gini, …}] (syl: the syllables
  // as a list; g…: the forms matched with gaps); returns at most `limit`, best first
  function search(entries, query, limit) {
    var q = normalise(query);
    if (!q) return [];
    var latin = /^[a-z0-9]+$/.test(q);
    var hits = [];
    for (var i = 0; i < entries.length; i++) {
      var r = rank(entries[i], q, latin);
      if (r) hits.push([r[0], r[1], entries[i].lname.length, i]);
    }
    hits.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3]; });
    return hits.slice(0, limit || 30).map(function (h) { return entries[h[3]]; });
  }

  return { search: search, normalise: normalise, rank: rank };
})();
