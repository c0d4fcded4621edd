// Zoom and pan for the map page (templates/map.html): every gesture changes the SVG's viewBox.
// Buttons (+, −, Reset), the mouse wheel, dragging, and the keyboard when the map has focus
// (arrow keys pan, + and − zoom, 0 resets). Without script the whole map still shows, labelled
// by the server.
"use strict";

(function () {
  const svg = document.getElementById("map");
  if (!svg) return;
  const NS = "http://www.w3.org/2000/svg";
  const full = { x: 0, y: 0, w: Number(svg.dataset.width), h: Number(svg.dataset.height) };
  let view = { ...full };
  const MAX_ZOOM = 12;

  // Dots and labels keep their size on screen when zoomed in, each group shrunk about its own
  // place, so that close cities (Osaka and Nara, Tokyo and Kawasaki) come apart; the labels are
  // then placed again (as the server does for the whole map) where they cover no dot or label.
  const marks = [...svg.querySelectorAll("g.mark")].map((g) => {
    const text = g.querySelector("text");
    const mark = { g, x: Number(g.dataset.x), y: Number(g.dataset.y), r: Number(g.dataset.r), rank: Number(g.dataset.rank), text };
    if (text) {
      const box = text.getBBox();
      mark.home = { x: text.getAttribute("x"), y: text.getAttribute("y") };
      mark.size = { w: box.width, h: box.height, baseline: Number(text.getAttribute("y")) - box.y };
      mark.leader = g.querySelector("line.leader");
      mark.homeLeader = mark.leader && ["x1", "y1", "x2", "y2"].map((a) => mark.leader.getAttribute(a));
    }
    return mark;
  }).sort((a, b) => a.rank - b.rank);

  const DIRECTIONS = [[1, 0], [-1, 0], [1, -1], [-1, -1], [1, 1], [-1, 1], [0, -1], [0, 1]];
  const DISTANCES = [0, 14, 26, 40, 56, 74];
  const overlaps = (a, b) => a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];

  function restore(mark) {
    mark.text.setAttribute("x", mark.home.x);
    mark.text.setAttribute("y", mark.home.y);
    mark.text.removeAttribute("visibility");
    if (mark.leader && mark.homeLeader) {
      ["x1", "y1", "x2", "y2"].forEach((a, i) => mark.leader.setAttribute(a, mark.homeLeader[i]));
      mark.leader.removeAttribute("visibility");
    } else if (mark.leader) {
      mark.leader.remove(); // made for a zoomed view
      mark.leader = null;
    }
  }

  // Work in screen-sized units (map units divided by the scale s): there the dots spread apart
  // and the labels keep their size; a label's offset from its dot is the same in its group.
  function relabel(s) {
    const bounds = [view.x / s, view.y / s, (view.x + view.w) / s, (view.y + view.h) / s];
    const taken = marks.filter((m) => m.r > 0).map((m) => [m.x / s - m.r, m.y / s - m.r, m.x / s + m.r, m.y / s + m.r]);
    for (const mark of marks) {
      if (!mark.text) continue;
      if (s === 1) { restore(mark); continue; }
      const px = mark.x / s, py = mark.y / s, { w, h } = mark.size;
      const directions = mark.r > 0 ? DIRECTIONS : [[0, 0], ...DIRECTIONS];
      let placed = null;
      search: for (const distance of DISTANCES) {
        for (const [dx, dy] of directions) {
          const reach = dx || dy ? mark.r + 2 + distance : 0;
          const left = px + dx * reach - (dx < 0 ? w : dx === 0 ? w / 2 : 0);
          const top = py + dy * reach - (dy < 0 ? h : dy === 0 ? h / 2 : 0);
          const box = [left, top, left + w, top + h];
          if (box[0] < bounds[0] || box[2] > bounds[2] || box[1] < bounds[1] || box[3] > bounds[3]) continue;
          const padded = [box[0] - 1.5, box[1] - 1.5, box[2] + 1.5, box[3] + 1.5];
          if (taken.some((t) => overlaps(padded, t))) continue;
          placed = { box, distance };
          break search;
        }
      }
      if (!placed) { mark.text.setAttribute("visibility", "hidden"); if (mark.leader) mark.leader.setAttribute("visibility", "hidden"); continue; }
      taken.push(placed.box);
      const [left, top] = placed.box;
      // back to the group's own units: offsets from the dot are kept, the dot is at (x, y)
      mark.text.setAttribute("x", (mark.x + left - px).toFixed(1));
      mark.text.setAttribute("y", (mark.y + top - py + mark.size.baseline).toFixed(1));
      mark.text.removeAttribute("visibility");
      if (placed.distance) {
        const ex = Math.min(Math.max(px, left), left + w), ey = Math.min(Math.max(py, top), top + h);
        const length = Math.hypot(ex - px, ey - py);
        if (!mark.leader) {
          mark.leader = document.createElementNS(NS, "line");
          mark.leader.setAttribute("class", "leader");
          mark.text.before(mark.leader);
        }
        mark.leader.setAttribute("x1", (mark.x + ((ex - px) * mark.r) / length).toFixed(1));
        mark.leader.setAttribute("y1", (mark.y + ((ey - py) * mark.r) / length).toFixed(1));
        mark.leader.setAttribute("x2", (mark.x + ex - px).toFixed(1));
        mark.leader.setAttribute("y2", (mark.y + ey - py).toFixed(1));
        mark.leader.removeAttribute("visibility");
      } else if (mark.leader) {
        mark.leader.setAttribute("visibility", "hidden");
      }
    }
  }

  function show(next) {
    // never smaller than 1/MAX_ZOOM of the map, never larger than the map, never off it
    const w = Math.min(full.w, Math.max(full.w / MAX_ZOOM, next.w));
    const h = (w * full.h) / full.w;
    const x = Math.min(full.x + full.w - w, Math.max(full.x, next.x));
    const y = Math.min(full.y + full.h - h, Math.max(full.y, next.y));
    view = { x, y, w, h };
    svg.setAttribute("viewBox", `${x.toFixed(1)} ${y.toFixed(1)} ${w.toFixed(1)} ${h.toFixed(1)}`);
    const s = Math.abs(w - full.w) < 0.01 ? 1 : w / full.w;
    for (const { g, x: mx, y: my } of marks) {
      if (s === 1) g.removeAttribute("transform");
      else g.setAttribute("transform", `translate(${mx} ${my}) scale(${s.toFixed(4)}) translate(${-mx} ${-my})`);
    }
    relabel(s);
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
    const inward = event.deltaY < 0;
    // at the end of the zoom the wheel scrolls the page, as it would without the map
    if (inward ? view.w <= full.w / MAX_ZOOM + 0.01 : view.w >= full.w - 0.01) return;
    event.preventDefault();
    const box = svg.getBoundingClientRect();
    const fx = (event.clientX - box.left) / box.width, fy = (event.clientY - box.top) / box.height;
    zoom(inward ? 1.25 : 1 / 1.25, fx, fy);
  }, { passive: false });

  // A place reached with Tab while zoomed in elsewhere is brought into view, so the focus
  // ring is never off the map.
  svg.addEventListener("focusin", (event) => {
    const link = event.target.closest("a");
    if (!link || !svg.contains(link)) return;
    const b = link.getBBox();
    const cx = b.x + b.width / 2, cy = b.y + b.height / 2;
    if (cx < view.x || cx > view.x + view.w || cy < view.y || cy > view.y + view.h) {
      show({ ...view, x: cx - view.w / 2, y: cy - view.h / 2 });
    }
  });

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
