"""The map over more places than it draws at once (the benchmark's generated graph, and the
project's own with a small PAGE_ITEMS): at most PAGE_ITEMS cities and PAGE_ITEMS twinnings are
drawn, every arc ends on a place drawn, the page says how many there are and links the query
that lists them all; and the grid indexes that keep the drawing's cost down place labels and
bend arcs exactly as measuring everything did."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from helpers import LiveServer, bindings

from kg.web import cartography as carto
from kg.web import maps

PREFIXES = (
    "PREFIX kg: <https://w3id.org/cakg/ontology#> "
    "PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> "
)
#: The places the map can draw, and the twinnings, as the endpoint counts them.
CITIES = PREFIXES + (
    "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a kg:City ; geo:lat ?lat ; geo:long ?long }"
)
TWINNINGS = PREFIXES + "SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a kg:CityTwinning }"
#: The generated data's server with a small cap: the shared server's limits (conftest.LIMITS)
#: that a map page meets, and PAGE_ITEMS well below its 190 cities and 85 twinnings.
CAP = 50
SETTINGS = {"QUERY_TIMEOUT_S": 4, "QUERY_WORKERS": 2, "QUERY_SECONDS_PER_MINUTE": 600}
MOST_BYTES = 300_000


@pytest.fixture(scope="module")
def capped_server(
    generated_build: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    server = LiveServer(
        generated_build, tmp_path_factory.mktemp("capped-logs"), PAGE_ITEMS=CAP, **SETTINGS
    )
    yield server
    server.stop()


def number(server: LiveServer, query: str) -> int:
    return int(bindings(server, query)[0]["n"]["value"])


class MapPage:
    """The map page, taken apart: what its SVG draws, what its lists and JSON-LD hold."""

    def __init__(self, server: LiveServer, language: str = "en") -> None:
        answer = requests.get(
            server.url + "/map", headers={"Accept-Language": language}, timeout=300
        )
        assert answer.status_code == 200
        self.text, self.size = answer.text, len(answer.content)
        found = re.search(r'<svg id="map".*?</svg>', self.text, re.S)
        assert found is not None
        svg = found.group(0)
        self.dots = [
            (float(x), float(y))
            for x, y in re.findall(
                r'<circle cx="([\d.-]+)" cy="([\d.-]+)" r="[\d.]+" class="city"', svg
            )
        ]
        self.region_marks = [
            (float(x) + maps.CITY_RADIUS, float(y) + maps.CITY_RADIUS)
            for x, y in re.findall(
                r'<rect x="([\d.-]+)" y="([\d.-]+)"[^>]*class="region-mark"', svg
            )
        ]
        self.arcs = re.findall(r'<path d="([^"]+)" class="twinning', svg)
        self.city_items = self.items("Cities")
        self.twinning_items = self.items("Twinnings")
        script = re.search(r'<script type="application/ld\+json">(.*?)</script>', self.text, re.S)
        assert script is not None
        self.jsonld = json.loads(script.group(1))

    def items(self, heading: str) -> int:
        found = re.search(rf"<h2>{heading}</h2>\s*<ul[^>]*>(.*?)</ul>", self.text, re.S)
        assert found is not None, heading
        return found.group(1).count("<li>")

    def shows(self) -> tuple[int, int, int, int]:
        """What the page says it shows: cities shown and their total, twinnings likewise."""
        said = re.search(
            r"The map shows ([\d,]+) of ([\d,]+) cities and ([\d,]+) of ([\d,]+) twinnings",
            self.text,
        )
        assert said is not None, "the page says how many it shows of how many"
        shown, cities, drawn, twinnings = (int(n.replace(",", "")) for n in said.groups())
        return shown, cities, drawn, twinnings

    def list_all(self, what: str) -> str:
        """The query of the page's link that lists every city (or twinning)."""
        link = re.search(rf'<a href="([^"]+)">list all [\d,]+ {what}</a>', self.text)
        assert link is not None, what
        (query,) = parse_qs(urlsplit(link.group(1).replace("&amp;", "&")).query)["query"]
        return query

    def unanchored_arcs(self) -> list[str]:
        """Arcs that do not start and end on a city dot or a region's mark drawn."""
        places = self.dots + self.region_marks

        def on_a_place(x: float, y: float) -> bool:
            return any(abs(x - px) < 0.1 and abs(y - py) < 0.1 for px, py in places)

        loose = []
        for d in self.arcs:
            numbers = [float(n) for n in re.findall(r"-?[\d.]+", d)]
            if not (on_a_place(*numbers[:2]) and on_a_place(*numbers[-2:])):
                loose.append(d)
        return loose


@pytest.fixture(scope="module")
def capped(capped_server: LiveServer) -> MapPage:
    return MapPage(capped_server)


def test_the_map_draws_at_most_page_items_of_each(capped: MapPage) -> None:
    assert 0 < len(capped.dots) <= CAP
    assert 0 < len(capped.arcs) <= CAP
    assert capped.city_items == len(capped.dots)
    assert capped.twinning_items <= CAP
    assert capped.jsonld["numberOfItems"] == len(capped.dots)
    assert capped.unanchored_arcs() == []  # a twinning is drawn only between places drawn


def test_the_map_says_how_many_of_how_many(capped: MapPage, capped_server: LiveServer) -> None:
    shown, cities, drawn, twinnings = capped.shows()
    assert (shown, drawn) == (len(capped.dots), len(capped.arcs))
    assert cities == number(capped_server, CITIES) > CAP
    assert twinnings == number(capped_server, TWINNINGS) > CAP


def test_the_map_links_the_queries_that_list_them_all(
    capped: MapPage, capped_server: LiveServer
) -> None:
    _, cities, _, twinnings = capped.shows()
    assert len(bindings(capped_server, capped.list_all("cities"))) == cities
    assert len(bindings(capped_server, capped.list_all("twinnings"))) == twinnings


def test_the_map_in_another_language_shows_as_many(
    capped: MapPage, capped_server: LiveServer
) -> None:
    """Names asked in Japanese (the cities' and their countries' names in one pattern, which
    once made the query take minutes on a large graph): the same numbers, and the link lists
    every city, named."""
    japanese = MapPage(capped_server, "ja")
    assert japanese.shows() == capped.shows()
    assert len(japanese.dots) == len(capped.dots)
    rows = bindings(capped_server, japanese.list_all("cities"))
    assert len(rows) == capped.shows()[1]
    assert all(row["label"]["value"] and row["country"]["value"] for row in rows)


def test_the_map_fills_its_cap_with_the_twinned_cities_first(capped: MapPage) -> None:
    """As many twinnings as fit among CAP cities are drawn: the cap is reached, and most of
    the cities drawn are twinned ones."""
    assert len(capped.dots) == CAP
    assert len(capped.arcs) >= CAP // 3


def test_the_map_of_the_generated_data_is_small(large_server: LiveServer, capped: MapPage) -> None:
    """Under the default PAGE_ITEMS (200) the generated data's 190 cities are all drawn, and
    no "shows … of" is said; either way the page stays small."""
    whole = MapPage(large_server)
    assert len(whole.dots) == number(large_server, CITIES) <= 200
    assert "The map shows" not in whole.text
    assert whole.unanchored_arcs() == []
    assert whole.size < MOST_BYTES
    assert capped.size < MOST_BYTES


def test_the_project_map_with_a_small_cap(make_server: Callable[..., LiveServer]) -> None:
    """Five cities at most on the project's map (26 cities, 4 twinnings, one of regions)."""
    page = MapPage(make_server(PAGE_ITEMS=5, **SETTINGS))
    assert len(page.dots) == 5
    assert page.unanchored_arcs() == []
    shown, cities, drawn, twinnings = page.shows()
    assert (shown, cities, twinnings) == (5, 26, 4)
    assert drawn == len(page.arcs) >= 2  # the region twinning counts no city
    assert "Samarkand region – Nara prefecture" in page.text


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


def test_a_graph_without_cities_has_a_map_that_says_so(tmp_path: Path) -> None:
    """A store with no city (a new remote store, a graph of other things) answered /map with
    a 500: there was nothing to fit the map to. It shows the region, and says why it is bare."""
    build = tmp_path / "build"
    build.mkdir()
    (build / "cakg.nq").write_text(
        '<https://w3id.org/cakg/x> <http://www.w3.org/2000/01/rdf-schema#label> "x" '
        "<https://w3id.org/cakg/graph/g> .\n"
    )
    server = LiveServer(build, tmp_path, QUERY_TIMEOUT_S=4)
    try:
        page = requests.get(server.url + "/map", timeout=60)
        assert page.status_code == 200, page.text[:300]
        assert "No city has coordinates in the graph yet" in page.text
        land = page.text.split('<g class="land">', 1)[1].split("</g>", 1)[0]
        assert land.count("<path") > 3  # the outlines are drawn
    finally:
        server.stop()


def test_a_twinning_of_two_cities_at_one_point_is_listed_not_drawn(tmp_path: Path) -> None:
    """Two twinned cities given the same coordinates (a curator's slip) made the arc's
    bending divide by zero: a 500 for the whole map. The twinning is listed as not drawn."""
    kg, geo = "https://w3id.org/cakg/ontology#", "http://www.w3.org/2003/01/geo/wgs84_pos#"
    lines = [
        f"<https://w3id.org/cakg/country/uz> <{RDF_TYPE}> <{kg}Country>",
        f'<https://w3id.org/cakg/country/uz> <{RDFS_LABEL}> "Uzbekistan"@en',
    ]
    for name in ("a", "b"):
        city = f"<https://w3id.org/cakg/city/{name}>"
        lines += [
            f"{city} <{RDF_TYPE}> <{kg}City>",
            f'{city} <{RDFS_LABEL}> "City {name}"@en',
            f'{city} <{geo}lat> "41.3"^^<http://www.w3.org/2001/XMLSchema#decimal>',
            f'{city} <{geo}long> "69.2"^^<http://www.w3.org/2001/XMLSchema#decimal>',
            f"{city} <{kg}country> <https://w3id.org/cakg/country/uz>",
        ]
    twinning = "<https://w3id.org/cakg/twinning/a-b>"
    lines += [
        f"{twinning} <{RDF_TYPE}> <{kg}CityTwinning>",
        f'{twinning} <{RDFS_LABEL}> "A and B"@en',
        f"{twinning} <{kg}twinnedPlace> <https://w3id.org/cakg/city/a>",
        f"{twinning} <{kg}twinnedPlace> <https://w3id.org/cakg/city/b>",
    ]
    build = tmp_path / "build"
    build.mkdir()
    graph = "<https://w3id.org/cakg/graph/g>"
    (build / "cakg.nq").write_text("".join(f"{line} {graph} .\n" for line in lines))
    server = LiveServer(build, tmp_path, QUERY_TIMEOUT_S=4)
    try:
        page = requests.get(server.url + "/map", timeout=60)
        assert page.status_code == 200, page.text[:300]
        assert page.text.count('class="city"><title>') == 2  # both cities are drawn
        assert "A and B</a> (its places are drawn at one point)" in page.text
    finally:
        server.stop()


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
