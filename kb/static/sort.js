/* Every table with class "sortable": a sort button in each header (data-sort="number" or a "num"
   column sorts by the cell's data-value or its digits, others by their words) and a filter box above that keeps the rows containing its
   text. Without JavaScript the table is shown as built. The claims table has its own (table.js). */
(function () {
  "use strict";
  function text(cell) { return cell ? cell.textContent.trim().toLowerCase() : ""; }
  function number(cell) {
    if (!cell) return NaN;
    var raw = cell.getAttribute("data-value");
    if (raw === null) raw = cell.textContent.replace(/[^0-9.\-]/g, "");
    return raw === "" ? NaN : parseFloat(raw);
  }
  function compare(kind, x, y) {
    if (kind !== "number") return x < y ? -1 : x > y ? 1 : 0;
    if (isNaN(x) && isNaN(y)) return 0;
    return isNaN(x) ? Infinity : isNaN(y) ? -Infinity : x - y;
  }
  function setUp(table, n) {
    var body = table.tBodies[0];
    if (!body || !table.tHead) return;
    var rows = Array.prototype.slice.call(body.rows);
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    heads.forEach(function (th, col) {
      var kind = th.getAttribute("data-sort") || (th.classList.contains("num") ? "number" : "text");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.setAttribute("aria-label", "Sort by " + th.textContent.trim());
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        var up = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", up ? "ascending" : "descending");
        var get = kind === "number" ? number : text;
        var keyed = rows.map(function (tr, i) { return { tr: tr, k: get(tr.cells[col]), i: i }; });
        keyed.sort(function (a, b) {
          var c = compare(kind, a.k, b.k);
          if (c === Infinity || c === -Infinity) return c > 0 ? 1 : -1; /* rows without a number go last */
          return (up ? c : -c) || a.i - b.i;
        });
        keyed.forEach(function (k) { body.appendChild(k.tr); });
      });
    });
    var label = document.createElement("label");
    label.className = "table-filter";
    label.textContent = "Filter this table: ";
    var input = document.createElement("input");
    input.type = "search";
    input.id = "table-filter-" + n;
    input.setAttribute("aria-controls", table.id || "");
    input.addEventListener("input", function () {
      var want = input.value.trim().toLowerCase();
      rows.forEach(function (tr) { tr.hidden = want !== "" && tr.textContent.toLowerCase().indexOf(want) < 0; });
    });
    label.appendChild(input);
    var holder = table.closest(".table-scroll") || table;
    holder.parentNode.insertBefore(label, holder);
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), setUp);
})();
