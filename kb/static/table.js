/* The claims table: filter by verdict, subject, quantity, source and text; sort by column.
   Without JavaScript the table shows every claim; this only hides rows and reorders them.
   Filters are kept in the address (?verdict=inconsistent), so a filtered view can be linked. */
(function () {
  "use strict";
  var table = document.getElementById("claims-table");
  var form = document.getElementById("claims-filter");
  if (!table || !form) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var texts = rows.map(function (tr) { return tr.textContent.toLowerCase(); });
  var count = document.getElementById("claims-count");
  var fields = ["verdict", "subject", "quantity", "source"];
  var total = rows.length;

  function matches(tr, field, want) {
    if (!want) return true;
    return (" " + (tr.getAttribute("data-" + field) || "") + " ").indexOf(" " + want + " ") >= 0;
  }

  function apply(updateAddress) {
    var want = {};
    fields.forEach(function (f) { want[f] = form.elements[f].value; });
    var text = form.elements.q.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (tr, i) {
      var ok = fields.every(function (f) { return matches(tr, f, want[f]); });
      if (ok && text) ok = texts[i].indexOf(text) >= 0;
      tr.hidden = !ok;
      if (ok) shown++;
    });
    count.textContent = shown === total ? total + " claims." : "Showing " + shown + " of " + total + " claims.";
    if (updateAddress) {
      var params = new URLSearchParams();
      fields.concat(["q"]).forEach(function (f) { if (form.elements[f].value) params.set(f, form.elements[f].value); });
      var query = params.toString();
      try {
        history.replaceState(null, "", (query ? "?" + query : location.pathname) + location.hash);
      } catch (e) { /* file:// may refuse; filtering still works */ }
    }
  }

  var params = new URLSearchParams(location.search);
  fields.concat(["q"]).forEach(function (f) {
    var v = params.get(f);
    if (v === null) return;
    var el = form.elements[f];
    if (el.tagName === "SELECT" && !Array.prototype.some.call(el.options, function (o) { return o.value === v; })) return;
    el.value = v;
  });
  form.hidden = false;
  form.addEventListener("input", function () { apply(true); });
  form.addEventListener("change", function () { apply(true); });
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  form.addEventListener("reset", function () { setTimeout(function () { apply(true); }, 0); });
  apply(false);

  /* Sorting: a button in each header; numbers sort by data-value, text by its words. */
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  heads.forEach(function (th, col) {
    var kind = th.getAttribute("data-sort");
    if (!kind) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    button.textContent = th.textContent;
    button.setAttribute("aria-label", "Sort by " + th.textContent);
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var keyed = rows.map(function (tr, i) {
        var cell = tr.cells[col];
        var key;
        if (kind === "number") {
          var raw = cell.getAttribute("data-value");
          key = raw === "" || raw === null ? NaN : parseFloat(raw);
        } else {
          key = cell.textContent.trim().toLowerCase();
        }
        return { tr: tr, key: key, i: i };
      });
      keyed.sort(function (a, b) {
        var x = a.key, y = b.key, c;
        if (kind === "number") {
          if (isNaN(x) && isNaN(y)) c = 0;
          else if (isNaN(x)) return 1;   /* rows without a number go last either way */
          else if (isNaN(y)) return -1;
          else c = x - y;
        } else {
          c = x < y ? -1 : x > y ? 1 : 0;
        }
        return (ascending ? c : -c) || a.i - b.i;
      });
      var frag = document.createDocumentFragment();
      keyed.forEach(function (k) { frag.appendChild(k.tr); });
      body.appendChild(frag);
    });
  });
})();
