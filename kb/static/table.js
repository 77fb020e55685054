/* The claims table: filter by verdict, subject, quantity, source and text; sort by column.
   Without JavaScript the table shows the rows in its HTML (every claim of a small knowledge base;
   the first ones of a large one, with paged lists of all). When the page also loads a data file
   (window.KB_CLAIMS, every claim), the table is drawn from it, PAGE rows at a time ("Show more").
   Filters are kept in the address (?verdict=inconsistent), so a filtered view can be linked. */
(function () {
  "use strict";
  var PAGE = 500;
  var table = document.getElementById("claims-table");
  var form = document.getElementById("claims-filter");
  if (!table || !form) return;
  var body = table.tBodies[0];
  var count = document.getElementById("claims-count");
  var more = document.getElementById("claims-more");
  var fields = ["verdict", "subject", "quantity", "source"];
  var data = window.KB_CLAIMS;

  /* Each row: its attributes for filtering, its text, its sort keys, and its <tr> (made on demand). */
  var rows;
  if (data && data.rows) {
    rows = data.rows.map(function (r) {
      return {
        attrs: { verdict: r[8], subject: r[3], quantity: r[4], source: r[9] },
        text: [r[0], r[1], r[2], r[5], r[6], data.styles[r[8]].label, r[10], r[11]].join(" ").toLowerCase(),
        keys: [r[0], r[2], r[5], r[7] === null ? NaN : r[7], data.order[r[8]], r[10]],
        data: r,
        tr: null
      };
    });
  } else {
    rows = Array.prototype.slice.call(body.rows).map(function (tr) {
      var attrs = {};
      fields.forEach(function (f) { attrs[f] = tr.getAttribute("data-" + f) || ""; });
      var text = tr.textContent + " " + (tr.getAttribute("data-text") || "");  /* quotes and translations too */
      return { attrs: attrs, text: text.toLowerCase(), keys: null, data: null, tr: tr };
    });
  }
  var total = rows.length;
  var order = rows.slice();
  var limit = data ? PAGE : Infinity;

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return e;
  }

  function makeRow(row) {
    var r = row.data, style = data.styles[r[8]];
    var first = el("td", {}, [el("a", { href: "claims/" + r[0] + ".html" }, [el("code", {}, [r[0]])])]);
    if (r[1] !== "claim") { first.appendChild(document.createTextNode(" ")); first.appendChild(el("span", { "class": "kind" }, [r[1]])); }
    var badge = el("span", { "class": "badge v-" + r[8] + " small", title: style.label + ": " + style.meaning },
      [el("span", { "class": "icon", "aria-hidden": "true" }, [style.icon]), " " + style.label]);
    return el("tr", { "data-verdict": r[8], "data-subject": r[3], "data-quantity": r[4], "data-source": r[9] }, [
      first,
      el("td", { "data-quantity": r[5] }, [r[2]]),
      el("td", {}, [r[5]]),
      el("td", { "data-value": r[7] === null ? "" : String(r[7]) }, [r[6]]),
      el("td", { "data-value": String(data.order[r[8]]) }, [badge]),
      el("td", {}, [r[10]])
    ]);
  }

  function matches(row, field, want) {
    if (!want) return true;
    return (" " + row.attrs[field] + " ").indexOf(" " + want + " ") >= 0;
  }

  function apply(updateAddress, keepLimit) {
    var want = {};
    fields.forEach(function (f) { want[f] = form.elements[f].value; });
    var text = form.elements.q.value.trim().toLowerCase();
    if (!keepLimit && data) limit = PAGE;
    var matched = order.filter(function (row) {
      var ok = fields.every(function (f) { return matches(row, f, want[f]); });
      return ok && (!text || row.text.indexOf(text) >= 0);
    });
    var shown = matched.slice(0, limit);
    if (data) {
      var frag = document.createDocumentFragment();
      shown.forEach(function (row) { if (!row.tr) row.tr = makeRow(row); frag.appendChild(row.tr); });
      body.textContent = "";
      body.appendChild(frag);
    } else {
      var visible = new Set(shown);
      rows.forEach(function (row) { row.tr.hidden = !visible.has(row); });
    }
    var n = matched.length;
    count.textContent = n === total
      ? (shown.length < n ? "Showing " + shown.length + " of " + total + " claims." : total + " claims.")
      : "Showing " + (shown.length < n ? shown.length + " of " + n + " matching, " : n + " of ") + total + " claims.";
    if (more) {
      more.hidden = shown.length >= n;
      more.textContent = "Show " + Math.min(PAGE, n - shown.length) + " more";
    }
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
    var e = form.elements[f];
    if (e.tagName === "SELECT" && !Array.prototype.some.call(e.options, function (o) { return o.value === v; })) return;
    e.value = v;
  });
  form.hidden = false;
  form.addEventListener("input", function () { apply(true); });
  form.addEventListener("change", function () { apply(true); });
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  form.addEventListener("reset", function () { setTimeout(function () { apply(true); }, 0); });
  if (more) more.addEventListener("click", function () { limit += PAGE; apply(false, true); });
  apply(false);

  /* Sorting: a button in each header; numbers sort by their value, text by its words. */
  function key(row, col, kind) {
    if (row.keys) return kind === "number" || col === 3 || col === 4 ? row.keys[col] : String(row.keys[col]).toLowerCase();
    var cell = row.tr.cells[col];
    if (kind === "number") {
      var raw = cell.getAttribute("data-value");
      return raw === "" || raw === null ? NaN : parseFloat(raw);
    }
    return cell.textContent.trim().toLowerCase();
  }
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
      var keyed = rows.map(function (row, i) { return { row: row, key: key(row, col, kind), i: i }; });
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
      order = keyed.map(function (k) { return k.row; });
      if (!data) {
        var frag = document.createDocumentFragment();
        order.forEach(function (row) { frag.appendChild(row.tr); });
        body.appendChild(frag);
      }
      apply(false, true);
    });
  });
})();
