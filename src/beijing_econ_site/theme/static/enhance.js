// Tooltips for the charts, from what the page already has. Each chart is an inline SVG that is
// readable without JavaScript; at build time every mark (a bar, a point) was given the words of
// its figure in a data-tip attribute: the value as the article states it, its period, how it is
// stated and its source. This script shows those words in one styled tooltip:
// - on pointer: when the pointer is over a mark, beside the pointer; gone when it leaves;
// - on keyboard: each chart's drawing is one tab stop; the arrow keys (and Home, End) move from
//   mark to mark, the tooltip shows the current one and a polite live region reads it out;
//   Escape or leaving the chart hides it.
// It fetches nothing and loads nothing: no chart runtime runs in the reader's browser.
(function () {
  "use strict";
  var canvases = Array.prototype.slice.call(document.querySelectorAll(".chart-canvas"));
  if (!canvases.length || !document.querySelector("[data-tip]")) return;

  var tip = document.createElement("div");
  tip.className = "chart-tip";
  tip.id = "chart-tip";
  tip.setAttribute("role", "status"); // polite: read when the reader pauses, never interrupting
  tip.setAttribute("aria-live", "polite");
  (document.querySelector("main") || document.body).appendChild(tip);
  var current = null;

  function show(mark, x, y) {
    if (current && current !== mark) current.classList.remove("is-current");
    current = mark;
    mark.classList.add("is-current");
    tip.textContent = mark.getAttribute("data-tip");
    tip.classList.add("visible");
    var box = tip.getBoundingClientRect();
    var left = Math.min(x + 14, window.innerWidth - box.width - 8);
    var top = y - box.height - 12 < 8 ? y + 18 : y - box.height - 12;
    tip.style.left = Math.max(8, left) + "px";
    tip.style.top = top + "px";
  }

  function hide() {
    if (current) current.classList.remove("is-current");
    current = null;
    tip.classList.remove("visible");
    tip.textContent = "";
  }

  function showAtMark(mark) {
    var box = mark.getBoundingClientRect();
    show(mark, box.left + box.width / 2, box.top);
  }

  canvases.forEach(function (canvas) {
    var marks = Array.prototype.slice.call(canvas.querySelectorAll("[data-tip]"));
    if (!marks.length) return;
    var title = canvas.closest("figure").querySelector(".chart-title");
    canvas.tabIndex = 0;
    canvas.setAttribute("role", "group");
    canvas.setAttribute(
      "aria-label",
      (title ? title.textContent + ": " : "") + marks.length + " values; use the arrow keys to read them"
    );

    canvas.addEventListener("pointerover", function (event) {
      var mark = event.target.closest && event.target.closest("[data-tip]");
      if (mark) show(mark, event.clientX, event.clientY);
    });
    canvas.addEventListener("pointermove", function (event) {
      if (current && event.target.closest && event.target.closest("[data-tip]") === current) {
        show(current, event.clientX, event.clientY);
      }
    });
    canvas.addEventListener("pointerout", function (event) {
      var into = event.relatedTarget && event.relatedTarget.closest && event.relatedTarget.closest("[data-tip]");
      if (!into && document.activeElement !== canvas) hide();
    });

    canvas.addEventListener("focus", function () {
      showAtMark(current && marks.indexOf(current) >= 0 ? current : marks[0]);
    });
    canvas.addEventListener("blur", hide);
    canvas.addEventListener("keydown", function (event) {
      var index = marks.indexOf(current);
      var next = { ArrowRight: index + 1, ArrowDown: index + 1, ArrowLeft: index - 1, ArrowUp: index - 1,
                   Home: 0, End: marks.length - 1 }[event.key];
      if (event.key === "Escape") { hide(); return; }
      if (next === undefined) return;
      event.preventDefault();
      showAtMark(marks[(next + marks.length) % marks.length]);
    });
  });

  document.addEventListener("keydown", function (event) { if (event.key === "Escape") hide(); });
})();
