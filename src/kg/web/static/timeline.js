// The timeline page (issue #15): filters applied by the Show button, and zoom.
"use strict";
(function () {
  // The form stays a plain GET form (without script the Show button does the same and the
  // address is a permalink); here the filters left at "all" are left out of the address.
  // Not on each change: a keyboard user moving through a select with the arrow keys would
  // load a page per step (WCAG 3.2.2).
  const form = document.getElementById("timeline-filters");
  if (form) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const params = new URLSearchParams();
      for (const [name, value] of new FormData(form)) {
        if (value) params.append(name, String(value));
      }
      const query = params.toString();
      window.location.assign(form.action + (query ? "?" + query : ""));
    });
  }
  // Zoom widens the drawing inside its scrolling figure, keeping the middle of what is in
  // view in view (dots, labels and all: the axis is already folded, this is for the eyes).
  const zoom = document.getElementById("timeline-zoom");
  const figure = document.getElementById("timeline-figure");
  const svg = figure && figure.querySelector("svg.timeline");
  if (!zoom || !figure || !svg) return;
  const widths = [100, 150, 200, 300];
  let level = 0;
  const said = document.getElementById("timeline-zoom-level");
  const [zoomIn, zoomOut] = zoom.querySelectorAll("button");
  function show(next) {
    const middle = (figure.scrollLeft + figure.clientWidth / 2) / figure.scrollWidth;
    svg.classList.remove("zoom-" + level);
    level = Math.max(0, Math.min(widths.length - 1, next));
    if (level) svg.classList.add("zoom-" + level);
    figure.scrollLeft = middle * figure.scrollWidth - figure.clientWidth / 2;
    said.textContent = widths[level] + "%";
    // a button disabled under the keyboard's focus would drop it to the page: hand it over
    const focused = document.activeElement;
    zoomIn.disabled = level === widths.length - 1;
    zoomOut.disabled = level === 0;
    if (focused === zoomIn && zoomIn.disabled) zoomOut.focus();
    if (focused === zoomOut && zoomOut.disabled) zoomIn.focus();
  }
  zoomIn.addEventListener("click", () => show(level + 1));
  zoomOut.addEventListener("click", () => show(level - 1));
  show(0);
  zoom.hidden = false;
})();
