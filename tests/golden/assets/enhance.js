// Progressive enhancement: charts are inline SVG and readable without JavaScript.
// On first interest in a chart (pointer, focus, or near the viewport when the page is idle),
// load the self-hosted Vega bundle once and replace the static SVG with an interactive one
// that shows tooltips. Nothing here blocks the first paint.
(function () {
  "use strict";
  var charts = Array.prototype.slice.call(document.querySelectorAll("figure.chart[data-spec]"));
  if (!charts.length || !window.fetch || !window.Promise) return;
  var bundleUrl = document.querySelector('script[src$="assets/enhance.js"]').src.replace(/enhance\.js$/, "vega.js");
  var bundle = null;

  function loadBundle() {
    if (bundle) return bundle;
    bundle = new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = bundleUrl;
      script.async = true;
      script.onload = function () { resolve(window.vegaEmbed); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
    return bundle;
  }

  // Vega's tooltip reuses an element with this id; made here, inside <main>, it stays within the
  // page's landmarks instead of being appended loose to <body>.
  function tooltipHome() {
    if (document.getElementById("vg-tooltip-element")) return;
    var element = document.createElement("div");
    element.id = "vg-tooltip-element";
    element.className = "vg-tooltip";
    element.setAttribute("role", "tooltip");
    (document.querySelector("main") || document.body).appendChild(element);
  }

  function enhance(figure) {
    if (figure.dataset.enhanced) return;
    figure.dataset.enhanced = "loading";
    tooltipHome();
    var canvas = figure.querySelector(".chart-canvas");
    var svg = canvas.querySelector("svg");
    Promise.all([loadBundle(), fetch(figure.dataset.spec).then(function (r) {
      if (!r.ok) throw new Error("spec " + r.status);
      return r.json();
    })]).then(function (results) {
      var vegaEmbed = results[0], spec = results[1];
      var target = document.createElement("div");
      target.setAttribute("aria-hidden", "true");
      canvas.appendChild(target);
      var options = {
        renderer: "svg", actions: false, defaultStyle: false,
        ast: true, expr: window.vega && window.vega.expressionInterpreter,
        tooltip: { theme: "custom", disableDefaultStyle: true }
      };
      return vegaEmbed(target, spec, options).then(function () {
        canvas.classList.add("enhanced");
        figure.dataset.enhanced = "yes";
        var drawn = target.querySelector("svg");
        if (drawn) drawn.setAttribute("focusable", "false");
        if (svg) canvas.appendChild(svg); // the static SVG stays as the accessible image
      });
    }).catch(function () {
      figure.dataset.enhanced = "failed"; // the static SVG stays: nothing lost
    });
  }

  charts.forEach(function (figure) {
    var once = function () { enhance(figure); };
    figure.addEventListener("pointerenter", once, { once: true });
    figure.addEventListener("focusin", once, { once: true });
  });
})();
