/* Search with pagefind: its index is fetched, so it needs the site served over http. */
(function () {
  "use strict";
  var offline = document.getElementById("search-offline");
  if (location.protocol === "file:" || typeof PagefindUI === "undefined") {
    if (offline) offline.hidden = false;
    return;
  }
  var base = new URL(".", location.href).pathname;
  /* The index is in shards (pagefind/, pagefind-1/, ...): the first is loaded, the others merged. */
  var bundles = (document.getElementById("search").getAttribute("data-bundles") || "").split(" ").filter(Boolean);
  var merge = bundles.map(function (b) { return { bundlePath: base + b + "/", baseUrl: base }; });
  /* Records end with the Chinese words kb indexes (every suffix of a run of Chinese characters, so a
     query finds any part of it): an excerpt that reaches them is made again from the text before. */
  var MARK = "kbzhwords";
  function escapeHtml(t) { return t.replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; }); }
  function excerpt(content, query) {
    var text = content.split(MARK)[0];
    var words = query.trim().split(/\s+/).filter(Boolean);
    var at = -1, word = "";
    words.some(function (w) { at = text.indexOf(w); word = w; return at >= 0; });
    if (at < 0) return escapeHtml(text.slice(0, 160));
    var start = Math.max(0, at - 60);
    return escapeHtml(text.slice(start, at)) + "<mark>" + escapeHtml(word) + "</mark>" + escapeHtml(text.slice(at + word.length, at + word.length + 100));
  }
  function clean(result) {
    var input = document.querySelector(".pagefind-ui__search-input");
    var query = input ? input.value : "";
    var content = result.content || "";
    if (content.indexOf(MARK) < 0) return result;
    var chinese = /[\u3400-\u9fff]/.test(query);
    function stale(e) { return e && (chinese || e.indexOf(MARK) >= 0); }
    if (stale(result.excerpt)) result.excerpt = excerpt(content, query);
    (result.sub_results || []).forEach(function (sub) { if (stale(sub.excerpt)) sub.excerpt = excerpt(content, query); });
    return result;
  }
  var ui = new PagefindUI({ element: "#search", baseUrl: base, mergeIndex: merge, showSubResults: true, showImages: false, resetStyles: false, processResult: clean });
  /* The input's only name would be its placeholder: give it one. */
  var input = document.querySelector(".pagefind-ui__search-input");
  if (input) input.setAttribute("aria-label", "Search claims and sources");
  var q = new URLSearchParams(location.search).get("q");
  if (q) ui.triggerSearch(q);
})();
