// Zoom and pan for the map page (templates/map.html): every gesture changes the SVG's viewBox.
// Buttons (+, −, Reset), the mouse wheel, dragging, and the keyboard when the map has focus
// (arrow keys pan, + and − zoom, 0 resets). Without script the whole map still shows.
"use strict";

(function () {
  const svg = document.getElementById("map");
  if (!svg) return;
  const full = { x: 0, y: 0, w: Number(svg.dataset.width), h: Number(svg.dataset.height) };
  let view = { ...full };
  const MAX_ZOOM = 12;

  function show(next) {
    // never smaller than 1/MAX_ZOOM of the map, never larger than the map, never off it
    const w = Math.min(full.w, Math.max(full.w / MAX_ZOOM, next.w));
    const h = (w * full.h) / full.w;
    const x = Math.min(full.x + full.w - w, Math.max(full.x, next.x));
    const y = Math.min(full.y + full.h - h, Math.max(full.y, next.y));
    view = { x, y, w, h };
    svg.setAttribute("viewBox", `${x.toFixed(1)} ${y.toFixed(1)} ${w.toFixed(1)} ${h.toFixed(1)}`);
  }

  // Zoom by `factor` (> 1 zooms in) keeping the map point at (fx, fy) (fractions of the view) still.
  function zoom(factor, fx = 0.5, fy = 0.5) {
    const w = view.w / factor, h = view.h / factor;
    show({ x: view.x + (view.w - w) * fx, y: view.y + (view.h - h) * fy, w, h });
  }

  function pan(dx, dy) {
    show({ ...view, x: view.x + dx * view.w, y: view.y + dy * view.h });
  }

  document.querySelectorAll("[data-zoom]").forEach((button) => {
    button.addEventListener("click", () => {
      const how = button.dataset.zoom;
      if (how === "in") zoom(1.5);
      else if (how === "out") zoom(1 / 1.5);
      else show(full);
    });
  });

  svg.addEventListener("wheel", (event) => {
    event.preventDefault();
    const box = svg.getBoundingClientRect();
    const fx = (event.clientX - box.left) / box.width, fy = (event.clientY - box.top) / box.height;
    zoom(event.deltaY < 0 ? 1.25 : 1 / 1.25, fx, fy);
  }, { passive: false });

  svg.addEventListener("keydown", (event) => {
    if (event.target !== svg) return; // keys on a focused city link keep their meaning
    const step = 0.15;
    const keys = {
      ArrowLeft: () => pan(-step, 0), ArrowRight: () => pan(step, 0),
      ArrowUp: () => pan(0, -step), ArrowDown: () => pan(0, step),
      "+": () => zoom(1.5), "=": () => zoom(1.5), "-": () => zoom(1 / 1.5), "0": () => show(full),
    };
    const action = keys[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  });

  let drag = null;
  svg.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    drag = { x: event.clientX, y: event.clientY, view: { ...view }, moved: false, id: event.pointerId };
  });
  svg.addEventListener("pointermove", (event) => {
    if (!drag) return;
    const box = svg.getBoundingClientRect();
    const dx = event.clientX - drag.x, dy = event.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < 4) return; // a click on a city stays a click
    if (!drag.moved) {
      drag.moved = true;
      svg.setPointerCapture(drag.id);
      svg.classList.add("dragging");
    }
    show({ ...drag.view, x: drag.view.x - (dx * drag.view.w) / box.width, y: drag.view.y - (dy * drag.view.h) / box.height });
  });
  function end() {
    if (drag && drag.moved) {
      svg.classList.remove("dragging");
      // swallow the click that ends a drag, so that releasing over a city does not follow it
      svg.addEventListener("click", (e) => { e.preventDefault(); e.stopPropagation(); }, { capture: true, once: true });
    }
    drag = null;
  }
  svg.addEventListener("pointerup", end);
  svg.addEventListener("pointercancel", end);
})();
