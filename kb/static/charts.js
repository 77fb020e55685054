/* Interactive charts: each .vega-chart holds a Vega-Lite spec (kb/site/vega.py), drawn with the bundled
   Vega (vega-bundle.js) over the static chart, which stays for readers without JavaScript (and is
   hidden once the live chart is drawn). Colours follow the page's light or dark scheme. */
(function () {
  "use strict";
  var K = window.kbVega;
  if (!K) return;
  var css = getComputedStyle(document.documentElement);
  function v(name) { return css.getPropertyValue(name).trim(); }
  var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  Array.prototype.forEach.call(document.querySelectorAll(".vega-chart[data-spec]"), function (el) {
    var spec;
    try { spec = JSON.parse(el.getAttribute("data-spec")); } catch (e) { return; }
    var root = el.getAttribute("data-root") || "";
    spec.data.values.forEach(function (d) { if (d.href) d.href = root + d.href; });
    spec.encoding.y.axis.labelLimit = el.clientWidth < 500 ? 100 : 160;  /* room for the bars on a phone */
    var ink = { labelColor: v("--fg"), titleColor: v("--fg"), gridColor: v("--border"), domainColor: v("--muted"), tickColor: v("--muted") };
    spec.config = Object.assign({}, spec.config, {
      background: null,
      axis: ink,
      legend: { labelColor: v("--fg"), titleColor: v("--fg") }
    });
    K.vegaEmbed(el, spec, {
      renderer: "svg", actions: false, ast: true, expr: K.expressionInterpreter,
      tooltip: { theme: dark ? "dark" : "light" }
    }).then(function () {
      el.closest("figure").classList.add("live");
    }).catch(function (err) {
      el.hidden = true;  /* the static chart stays */
      if (window.console) console.warn("chart not drawn:", err);
    });
  });
})();
