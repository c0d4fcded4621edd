"""Drawing maps on the server: a conic projection, Natural Earth outlines as SVG paths, labels
placed without collisions, and arcs bent clear of the dots they do not join; the dots and the
boxes taken are kept in grid indexes, so that a map of n places costs about n, not n².

Pure geometry: no Flask, no store. The outlines are vendored (static/vendor/world-atlas/, rebuilt
by frontend/world-atlas/build.sh); everything else is computed from coordinates.
"""

from __future__ import annotations

import copy
import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import islice, pairwise
from pathlib import Path
from typing import Any

OUTLINES = Path(__file__).parent / "static" / "vendor" / "world-atlas" / "outlines.json"

Point = tuple[float, float]
Ring = list[Point]


@cache
def outlines() -> dict[str, Any]:
    """The vendored outlines: countries (id = ISO 3166-1 numeric) and first-level regions."""
    data: dict[str, Any] = json.loads(OUTLINES.read_text(encoding="utf-8"))
    return data


def conic(
    lon0: float = 100.0, lat0: float = 40.0, lat1: float = 30.0, lat2: float = 50.0
) -> Callable[[float, float], Point]:
    """Lambert conformal conic on the unit sphere, y pointing down (SVG): shapes stay true
    at every scale, so Central Asia and Japan are drawn alike on one map."""
    phi0, phi1, phi2 = (math.radians(v) for v in (lat0, lat1, lat2))

    def t(phi: float) -> float:
        return math.tan(math.pi / 4 + phi / 2)

    if abs(phi1 - phi2) < 1e-9:  # one standard parallel: the cone touches the sphere there
        n = math.sin(phi1)
    else:
        n = math.log(math.cos(phi1) / math.cos(phi2)) / math.log(t(phi2) / t(phi1))
    f = math.cos(phi1) * t(phi1) ** n / n
    rho0 = f / t(phi0) ** n

    def project(lon: float, lat: float) -> Point:
        rho = f / t(math.radians(max(-89.9, min(89.9, lat)))) ** n
        theta = n * math.radians(lon - lon0)
        return rho * math.sin(theta), -(rho0 - rho * math.cos(theta))

    return project


@dataclass(frozen=True)
class Frame:
    """A projection fitted to a box of width × height user units."""

    project: Callable[[float, float], Point]
    scale: float
    left: float
    top: float
    width: float
    height: float

    def __call__(self, lon: float, lat: float) -> Point:
        x, y = self.project(lon, lat)
        return (x - self.left) * self.scale, (y - self.top) * self.scale


def fit(
    project: Callable[[float, float], Point],
    places: Iterable[Point],
    width: float,
    pad: tuple[float, float, float, float],
    height: float | None = None,
) -> Frame:
    """The frame that shows every (lon, lat) of `places` inside `width` (and `height`, if given)
    leaving pad = (top, right, bottom, left) free; without a height, the height follows."""
    xs, ys = zip(*(project(lon, lat) for lon, lat in places), strict=True)
    top, right, bottom, left = pad
    span_x, span_y = max(max(xs) - min(xs), 1e-6), max(max(ys) - min(ys), 1e-6)
    scale = (width - left - right) / span_x
    if height is not None:
        scale = min(scale, (height - top - bottom) / span_y)
    full_height = height if height is not None else span_y * scale + top + bottom
    # centre the places in the box
    origin_x = (min(xs) + max(xs)) / 2 - width / 2 / scale + (left - right) / 2 / scale
    origin_y = (min(ys) + max(ys)) / 2 - full_height / 2 / scale + (top - bottom) / 2 / scale
    return Frame(project, scale, origin_x, origin_y, width, full_height)


def path_data(rings: Sequence[Sequence[Sequence[float]]], frame: Frame, step: float = 0.6) -> str:
    """SVG path data of the rings in the frame, clipped to it (with a little room, so that no
    edge shows) and leaving out points closer than `step` units to the last one kept: only what
    can be seen goes into the page."""
    room = 8.0
    box = (-room, -room, frame.width + room, frame.height + room)
    parts = []
    for ring in rings:
        kept = coarse(clip([frame(lon, lat) for lon, lat in ring], box), step)
        if len(kept) < 3:
            continue
        parts.append(ring_path(kept))
    return "".join(parts)


def ring_path(points: Sequence[Point]) -> str:
    """A closed ring as compact SVG path data: a move to its first point, then each next one as
    the step from the one before (relative lines), in tenths of a unit and without needless
    zeros or spaces. The points are those of absolute coordinates to a tenth, in about half
    the text: the outlines are most of the map page."""
    (x0, y0), *rest = [(tenths(x), tenths(y)) for x, y in points]
    text = [f"M{decimal(x0)} {decimal(y0)}l"]
    previous = (x0, y0)
    for x, y in rest:
        for number in (decimal(x - previous[0]), decimal(y - previous[1])):
            # a minus sign separates two numbers as well as a space does
            text.append(number if text[-1][-1] == "l" or number[0] == "-" else " " + number)
        previous = (x, y)
    return "".join(text) + "z"


def tenths(value: float) -> int:
    """The value in tenths, rounded as f"{value:.1f}" rounds it."""
    return round(float(f"{value:.1f}") * 10)


def decimal(tenths: int) -> str:
    """A number of tenths as the shortest decimal: 12 is 1.2, 10 is 1, -6 is -.6, 0 is 0."""
    whole, tenth = divmod(abs(tenths), 10)
    digits = (str(whole) if whole or not tenth else "") + (f".{tenth}" if tenth else "")
    return ("-" if tenths < 0 else "") + digits


def clip(ring: list[Point], box: Box) -> list[Point]:
    """Sutherland–Hodgman: the ring cut to the box, still a closed ring that fills right."""
    left, top, right, bottom = box
    edges: list[tuple[Callable[[Point], bool], int, float]] = [
        (lambda p: p[0] >= left, 0, left),
        (lambda p: p[0] <= right, 0, right),
        (lambda p: p[1] >= top, 1, top),
        (lambda p: p[1] <= bottom, 1, bottom),
    ]
    points = ring
    for keep, axis, at in edges:
        given, points = points, []
        for previous, current in zip([*given[-1:], *given[:-1]], given, strict=True):
            if keep(current):
                if not keep(previous):
                    points.append(cut(previous, current, axis, at))
                points.append(current)
            elif keep(previous):
                points.append(cut(previous, current, axis, at))
        if not points:
            break
    return points


def cut(a: Point, b: Point, axis: int, at: float) -> Point:
    """Where the segment a–b crosses the line x = at (axis 0) or y = at (axis 1)."""
    k = (at - a[axis]) / (b[axis] - a[axis])
    crossing = (a[0] + (b[0] - a[0]) * k, a[1] + (b[1] - a[1]) * k)
    return (at, crossing[1]) if axis == 0 else (crossing[0], at)


def inside(point: Point, rings: Sequence[Sequence[Sequence[float]]]) -> bool:
    """Whether a point lies inside the rings (even–odd rule), in whatever plane both are in."""
    x, y = point
    result = False
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                result = not result
    return result


def interior_point(
    rings: Sequence[Sequence[Sequence[float]]], frame: Frame, avoid: Sequence[Point]
) -> Point:
    """A point well inside the projected rings and away from the dots in `avoid`: the grid point
    farthest from the outline and the dots (a region's twinning ends there, not on a city)."""
    projected = [coarse([frame(lon, lat) for lon, lat in ring], 4.0) for ring in rings]
    xs = [p[0] for ring in projected for p in ring]
    ys = [p[1] for ring in projected for p in ring]
    best, best_score = (sum(xs) / len(xs), sum(ys) / len(ys)), -1.0
    steps = 16
    for i in range(1, steps):
        for j in range(1, steps):
            p = (
                min(xs) + (max(xs) - min(xs)) * i / steps,
                min(ys) + (max(ys) - min(ys)) * j / steps,
            )
            if not inside(p, projected):
                continue
            score = min(
                min(segment_distance(p, a, b) for ring in projected for a, b in pairwise(ring)),
                min((math.dist(p, q) / 2 for q in avoid), default=math.inf),
            )
            if score > best_score:
                best, best_score = p, score
    return best


def coarse(points: list[Point], step: float) -> list[Point]:
    """The points less those closer than `step` to the last one kept (fewer edges to measure)."""
    kept = points[:1]
    for p in points[1:]:
        if math.dist(p, kept[-1]) >= step:
            kept.append(p)
    return kept


def segment_distance(p: Point, a: Point, b: Point) -> float:
    ax, ay = a
    dx, dy = b[0] - ax, b[1] - ay
    length = dx * dx + dy * dy
    k = 0.0 if length == 0 else max(0.0, min(1.0, ((p[0] - ax) * dx + (p[1] - ay) * dy) / length))
    return math.dist(p, (ax + k * dx, ay + k * dy))


# --- labels ---------------------------------------------------------------------------------

Box = tuple[float, float, float, float]  # left, top, right, bottom


#: Character widths in em, on the generous side of common sans-serif fonts (DejaVu Sans, the
#: widest of those a browser falls back to): narrow, wide and capital letters apart.
NARROW, WIDE = set("fijlrt.,:;'!|()- "), set("mwMW")


def text_width(text: str, size: float) -> float:
    """A generous estimate of a label's width: CJK 1 em, other letters by their kind."""

    def em(ch: str) -> float:
        if ord(ch) >= 0x2E80:
            return 1.0
        if ch in NARROW:
            return 0.4
        if ch in WIDE:
            return 1.0
        return 0.78 if ch.isupper() else 0.64

    return sum(em(ch) for ch in text) * size


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@dataclass
class Label:
    """A label placed for a dot at (x, y): its box, its baseline and, if away from the dot, the
    end of the leader line that joins them."""

    text: str
    box: Box
    baseline: float
    leader: Point | None = None
    origin: Point | None = None


#: Where a label may sit around its dot, in order of preference: unit directions, and then the
#: same at growing distances with a leader line (a dense cluster such as Tokyo–Kawasaki).
CENTRED = ((0, 0),)
DIRECTIONS = ((1, 0), (-1, 0), (1, -1), (-1, -1), (1, 1), (-1, 1), (0, -1), (0, 1))
DISTANCES = (0.0, 14.0, 26.0, 40.0, 56.0, 74.0)


def place_label(
    x: float,
    y: float,
    text: str,
    size: float,
    radius: float,
    taken: list[Box] | Boxes,
    bounds: Box,
    directions: Sequence[tuple[int, int]] = DIRECTIONS,
    wide: float = 1.0,
) -> Label | None:
    """The first candidate position around (x, y) whose box is inside `bounds` and overlaps no
    box in `taken` (labels, dots), or None; a placed label's box is added to `taken`. `wide`
    widens the estimate (bold, spaced letters). A list of boxes is searched whole; Boxes only
    where the candidate lies (the same answer, sooner)."""
    width, height, gap = text_width(text, size) * wide, size * 1.25, 2.0
    collides = taken.collides if isinstance(taken, Boxes) else lambda box: listed(box, taken)
    for distance in DISTANCES:
        for dx, dy in directions:
            reach = (radius + gap + distance) if (dx or dy) else 0.0
            # anchor the box on the side facing the dot
            left = x + dx * reach - (width if dx < 0 else width / 2 if dx == 0 else 0)
            top = y + dy * reach - (height if dy < 0 else height / 2 if dy == 0 else 0)
            box = (left, top, left + width, top + height)
            if not (
                bounds[0] <= box[0]
                and box[2] <= bounds[2]
                and bounds[1] <= box[1]
                and box[3] <= bounds[3]
            ):
                continue
            padded = (box[0] - 1.5, box[1] - 1.5, box[2] + 1.5, box[3] + 1.5)
            if collides(padded):
                continue
            taken.append(box)
            label = Label(text, box, top + size * 0.95)
            if distance:  # a leader line from the dot's edge to the nearest point of the box
                end = (min(max(x, box[0]), box[2]), min(max(y, box[1]), box[3]))
                length = math.dist((x, y), end)
                label.leader = end
                label.origin = (
                    x + (end[0] - x) * radius / length,
                    y + (end[1] - y) * radius / length,
                )
            return label
    return None


def dot_box(x: float, y: float, radius: float) -> Box:
    return (x - radius, y - radius, x + radius, y + radius)


def listed(box: Box, taken: Iterable[Box]) -> bool:
    return any(overlaps(box, other) for other in taken)


# --- grid indexes ---------------------------------------------------------------------------

Cell = tuple[int, int]


def cells(box: Box, size: float) -> Iterator[Cell]:
    """The cells of a uniform grid of squares of `size` that the box touches (edges included)."""
    for i in range(math.floor(box[0] / size), math.floor(box[2] / size) + 1):
        for j in range(math.floor(box[1] / size), math.floor(box[3] / size) + 1):
            yield i, j


class Boxes:
    """The boxes taken on a map (dots, labels placed), each kept in every grid cell it touches:
    two boxes that overlap share a cell, so whether a candidate label overlaps one is asked of
    the few boxes in its own cells, not of every box placed (which made placing n labels
    quadratic). Cells of 40 units hold a dot or two and span a short label."""

    def __init__(self, boxes: Iterable[Box] = (), cell: float = 40.0) -> None:
        self.cell = cell
        self.grid: dict[Cell, list[Box]] = defaultdict(list)
        for box in boxes:
            self.append(box)

    def append(self, box: Box) -> None:
        for key in cells(box, self.cell):
            self.grid[key].append(box)

    def collides(self, box: Box) -> bool:
        """Whether the box overlaps one taken."""
        return any(listed(box, self.grid.get(key, ())) for key in cells(box, self.cell))


# --- arcs -----------------------------------------------------------------------------------


Cubic = tuple[Point, Point, Point, Point]


def bezier_point(curve: Cubic, t: float) -> Point:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = curve
    a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t**3
    return a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3


def bezier(curve: Cubic, samples: int = 120) -> list[Point]:
    return [bezier_point(curve, i / samples) for i in range(samples + 1)]


def split(curve: Cubic, t: float) -> tuple[Cubic, Cubic]:
    """De Casteljau: the curve cut at t into two curves."""

    def mix(p: Point, q: Point) -> Point:
        return p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t

    p0, p1, p2, p3 = curve
    a, b, c = mix(p0, p1), mix(p1, p2), mix(p2, p3)
    d, e = mix(a, b), mix(b, c)
    f = mix(d, e)
    return (p0, a, d, f), (f, e, c, p3)


def clearance(curve: Sequence[Point], dots: Sequence[Point], floor: float = -1.0) -> float:
    """The least distance from the curve (a polyline of samples) to any of the dots; or, as
    soon as one is found, any distance at or below `floor` (the curve is then rejected anyway)."""
    xs, ys = [p[0] for p in curve], [p[1] for p in curve]
    room = math.inf
    for dot in dots:
        # a dot farther from the curve's box than the nearest so far cannot be nearer
        far = max(min(xs) - dot[0], dot[0] - max(xs), min(ys) - dot[1], dot[1] - max(ys))
        if far >= room:
            continue
        for a, b in pairwise(curve):
            room = min(room, segment_distance(dot, a, b))
        if room <= floor:
            break
    return room


class Dots:
    """Dots kept by grid cell, so that a curve is measured against the few dots in the cells
    along it, not against every dot on the map (arcs × curves × dots made the map of a large
    graph take minutes). Cells of 24 units are a few times an arc's margin: a curve's
    neighbourhood is a narrow band of them."""

    def __init__(self, points: Sequence[Point], cell: float = 24.0) -> None:
        self.points = list(points)
        self.cell = cell
        self.grid: dict[Cell, list[int]] = defaultdict(list)
        for i, point in enumerate(self.points):
            self.grid[self.cell_of(point)].append(i)
        self.skip: frozenset[int] = frozenset()

    def cell_of(self, point: Point) -> Cell:
        return math.floor(point[0] / self.cell), math.floor(point[1] / self.cell)

    def without(self, *indices: int) -> Dots:
        """The same dots less those at `indices` (an arc's own ends), sharing the grid."""
        view = copy.copy(self)
        view.skip = self.skip | frozenset(indices)
        return view

    def clearance(self, curve: Sequence[Point], floor: float) -> float:
        """What `clearance` answers for these dots, measuring only the dots and segments
        within a unit more than `floor` of each other, found through the cells of the curve's
        samples: a point that near a segment is near one of its ends. The dots are met in the
        order given, as `clearance` meets them, so that of two too close the same one is
        reported. Past that reach the answer is no longer exact (math.inf if no dot is near)."""
        # a dot within `reach` of a segment is within `span` of one of its ends
        span = floor + 1.0 + max(map(math.dist, curve[:-1], curve[1:])) / 2
        n = math.ceil(span / self.cell)  # cells to look in around a sample's own
        around = [(di, dj) for di in range(-n, n + 1) for dj in range(-n, n + 1)]
        samples: dict[Cell, list[int]] = defaultdict(list)
        for k, point in enumerate(curve):
            samples[self.cell_of(point)].append(k)
        keys = {(i + di, j + dj) for i, j in samples for di, dj in around}
        found = {d for key in keys for d in self.grid.get(key, ())} - self.skip
        room, last = math.inf, len(curve) - 2
        for d in sorted(found):
            x, y = dot = self.points[d]
            i, j = self.cell_of(dot)
            near = {
                m
                for di, dj in around
                for k in samples.get((i + di, j + dj), ())
                if abs(curve[k][0] - x) <= span and abs(curve[k][1] - y) <= span
                for m in (k - 1, k)
                if 0 <= m <= last
            }
            for m in near:
                room = min(room, segment_distance(dot, curve[m], curve[m + 1]))
            if room <= floor:
                break
        return room


def trim(curve: Cubic, radius: float) -> Cubic:
    """The part of the arc outside the two dots of `radius` at its ends, so that an arc shows,
    and is measured, from where it leaves a dot."""

    def crossing(inner: float, outer: float, centre: Point) -> float:
        for _ in range(24):  # bisection: `inner` inside the dot, `outer` outside
            middle = (inner + outer) / 2
            if math.dist(bezier_point(curve, middle), centre) < radius:
                inner = middle
            else:
                outer = middle
        return outer

    t0, t1 = crossing(0.0, 0.5, curve[0]), crossing(1.0, 0.5, curve[3])
    rest = split(curve, t0)[1]
    return split(rest, (t1 - t0) / (1 - t0))[0]


#: An arc leaves each end at an angle (degrees) between straight up from the chord (0) and
#: along it (90); negative angles lean back, to leave a dot on the side away from a close
#: neighbour. Handle lengths are fractions of the chord. Least bent first.
ANGLES = (60, 45, 75, 30, 15, 0, -20, -40)
HANDLES = (0.15, 0.25, 0.35, 0.45, 0.6)


def bend(
    p1: Point,
    p2: Point,
    others: Sequence[Point] | Dots,
    margin: float,
    bounds: Box,
    radius: float,
    north: bool = True,
    tries: int | None = None,
) -> tuple[Cubic, float]:
    """The least bent cubic arc from the dot at p1 to the dot at p2 that keeps `margin` away from
    every dot in `others` and stays inside `bounds`, bending northwards (or southwards, to keep
    two arcs between the same places apart), measured from the dots' edges (the part under
    its end dots is hidden by them); with its clearance.
    If none clears, the one that comes closest. Each end has its own handle, so an arc can leave
    a crowded dot on its free side. Through a Dots index only the dots near a curve are
    measured: the same arc is chosen, but the clearance of one that clears counts only dots
    within a unit more than the margin (see Dots.clearance). With `tries`, only that many of
    the least bent curves are tried (of len(HANDLES) × len(ANGLES)²)."""
    length = math.dist(p1, p2)
    ux, uy = (p2[0] - p1[0]) / length, (p2[1] - p1[1]) / length
    nx, ny = (uy, -ux) if -ux <= 0 else (-uy, ux)  # the normal pointing up (north) ...
    if not north:
        nx, ny = -nx, -ny  # ... or down
    pairs = sorted(
        ((a, b) for a in ANGLES for b in ANGLES),
        key=lambda p: ANGLES.index(p[0]) + ANGLES.index(p[1]),
    )
    candidates = ((handle * length, a, b) for handle in HANDLES for a, b in pairs)
    best: tuple[float, Cubic] = (-math.inf, (p1, p1, p2, p2))
    for reach, a, b in islice(candidates, tries):
        sa, ca = math.sin(math.radians(a)), math.cos(math.radians(a))
        sb, cb = math.sin(math.radians(b)), math.cos(math.radians(b))
        c1 = (p1[0] + reach * (ca * nx + sa * ux), p1[1] + reach * (ca * ny + sa * uy))
        c2 = (p2[0] + reach * (cb * nx - sb * ux), p2[1] + reach * (cb * ny - sb * uy))
        full: Cubic = (p1, c1, c2, p2)
        curve = bezier(trim(full, radius))
        if not all(bounds[0] <= x <= bounds[2] and bounds[1] <= y <= bounds[3] for x, y in curve):
            continue
        if isinstance(others, Dots):
            room = others.clearance(curve, margin)
        else:
            room = clearance(curve, others, floor=margin)
        if room > margin:
            return full, room
        best = max(best, (room, full))
    return best[1], best[0]
