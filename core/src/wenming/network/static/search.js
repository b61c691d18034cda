// wenming network map: search over names, full pinyin and pinyin initials.
// The index (each entry's pinyin forms) is built in Python when the file is written;
// here each query is ranked against it: exact name, name prefix, name substring,
// pinyin prefix/substring, initials prefix/substring, then (for longer queries) whole
// syllables, characters or initials in order with gaps ("taihushidi", "太湖湿地", "szsd").
var WMSearch = (function () {
  "use strict";

  function normalise(q) {
    return (q || "").toLowerCase().replace(/\s+/g, "");
  }

  // true when every character of q appears in text in order (gaps allowed)
  function inOrder(text, q) {
    var j = 0;
    for (var i = 0; i < text.length && j < q.length; i++) if (text[i] === q[j]) j++;
    return j === q.length;
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

  // rank of one entry for a normalised query: lower is better, -1 for no match
  function rank(e, q, latin) {
    var name = e.lname;
    if (name === q) return 0;
    if (name.indexOf(q) === 0) return 1;
    if (e.code && /\d/.test(q) && e.code.toLowerCase().indexOf(q) === 0) return 1;
    if (name.indexOf(q) > 0) return 2;
    if (latin) {
      if (e.full.indexOf(q) === 0 || e.ini.indexOf(q) === 0) return 3;
      if (e.full.indexOf(q) > 0) return 4;
      if (e.ini.indexOf(q) > 0) return 5;
      if (q.length >= 4 && syllablesInOrder(e.syl, q)) return 6;
      if (q.length >= 3 && inOrder(e.ini, q)) return 7;
    } else if (q.length >= 2 && inOrder(name, q)) {
      return 6;
    }
    return -1;
  }

  // entries: [{lname, code, full, syl, ini, …}] (syl: the syllables as a list);
  // returns at most `limit` entries, best first
  function search(entries, query, limit) {
    var q = normalise(query);
    if (!q) return [];
    var latin = /^[a-z0-9]+$/.test(q);
    var hits = [];
    for (var i = 0; i < entries.length; i++) {
      var r = rank(entries[i], q, latin);
      if (r >= 0) hits.push([r, entries[i].lname.length, i]);
    }
    hits.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || a[2] - b[2]; });
    return hits.slice(0, limit || 30).map(function (h) { return entries[h[2]]; });
  }

  return { search: search, normalise: normalise, rank: rank };
})();
