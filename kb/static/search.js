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
  var ui = new PagefindUI({ element: "#search", baseUrl: base, mergeIndex: merge, showSubResults: true, showImages: false, resetStyles: false });
  var q = new URLSearchParams(location.search).get("q");
  if (q) ui.triggerSearch(q);
})();
