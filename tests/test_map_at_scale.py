"""The map's drawing over many places: the grid indexes that keep its cost down place labels
and bend arcs exactly as measuring everything did."""

from __future__ import annotations

import random

import pytest

from kg.web import cartography as carto

# ---------------------------------------------------------------- the grid indexes


def scattered(seed: int, n: int) -> list[carto.Point]:
    rng = random.Random(seed)
    return [(rng.uniform(0, 1000), rng.uniform(0, 500)) for _ in range(n)]


@pytest.mark.parametrize("seed", range(6))
def test_arcs_bend_alike_with_the_dots_indexed(seed: int) -> None:
    """Through the grid only the dots near a curve are measured, and the arc chosen is the
    one measuring every dot chooses (the clearance of an arc that clears is the same, or more
    than the margin either way)."""
    dots = scattered(seed, 300)
    indexed = carto.Dots(dots)
    rng = random.Random(seed)
    for _ in range(8):
        i, j = rng.sample(range(len(dots)), 2)
        p1, p2 = sorted((dots[i], dots[j]))
        others = [p for k, p in enumerate(dots) if k not in (i, j)]
        bounds = (0.0, 0.0, 1000.0, 500.0)
        arc, room = carto.bend(p1, p2, others, 6.0, bounds, 3.5)
        fast, fast_room = carto.bend(p1, p2, indexed.without(i, j), 6.0, bounds, 3.5)
        assert fast == arc
        assert fast_room == room or min(fast_room, room) > 6.0


@pytest.mark.parametrize("seed", range(4))
def test_labels_are_placed_alike_with_the_boxes_indexed(seed: int) -> None:
    dots = scattered(seed, 400)
    bounds = (0.0, 0.0, 1000.0, 500.0)
    listed = [carto.dot_box(x, y, 3.5) for x, y in dots]
    indexed = carto.Boxes(listed)
    for n, (x, y) in enumerate(dots):
        text = f"Place {n}" * (1 + n % 3)
        expected = carto.place_label(x, y, text, 12.0, 3.5, listed, bounds)
        assert carto.place_label(x, y, text, 12.0, 3.5, indexed, bounds) == expected
