/* The audit page's findings: filter the models by organization, year, domain and verdict.
   Each model is one <tbody> with its facets as data attributes; without JavaScript every model
   shows. Filters are kept in the address (?organization=Google), so a view can be linked. */
(function () {
  "use strict";
  var table = document.getElementById("audit-findings");
  var form = document.getElementById("audit-filter");
  if (!table || !form) return;
  var count = document.getElementById("audit-count");
  var fields = ["organization", "year", "domain", "verdict"];
  var groups = Array.prototype.slice.call(table.tBodies);

  function has(group, field, want) {
    if (!want) return true;
    return (group.getAttribute("data-" + field) || "").split(",").some(function (v) { return v.trim() === want; });
  }

  function apply(updateAddress) {
    var shown = 0;
    groups.forEach(function (g) {
      var ok = fields.every(function (f) { return has(g, f, form.elements[f].value); });
      g.hidden = !ok;
      if (ok) shown += 1;
    });
    count.textContent = shown === groups.length ? groups.length + " models." : "Showing " + shown + " of " + groups.length + " models.";
    if (updateAddress) {
      var params = new URLSearchParams();
      fields.forEach(function (f) { if (form.elements[f].value) params.set(f, form.elements[f].value); });
      var query = params.toString();
      try {
        history.replaceState(null, "", (query ? "?" + query : location.pathname) + location.hash);
      } catch (e) { /* file:// may refuse; filtering still works */ }
    }
  }

  var params = new URLSearchParams(location.search);
  fields.forEach(function (f) {
    var v = params.get(f), e = form.elements[f];
    if (v !== null && Array.prototype.some.call(e.options, function (o) { return o.value === v || o.text === v; })) e.value = v;
  });
  form.hidden = false;
  form.addEventListener("change", function () { apply(true); });
  apply(false);
})();
