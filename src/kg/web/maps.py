"""The map page: cities placed by their coordinates on one conic projection over Natural Earth
outlines, the twinnings between them as arcs clear of other cities, twinned regions drawn with
their outlines; and the small locator map of entity pages."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import pycountry
from flask import Blueprint, Response

from ..store.interface import sparql_iri, valid_iri
from . import cartography as carto
from .describe import link_for
from .pages import (
    conditional,
    count,
    html,
    item_list,
    more,
    named,
    names,
    page_items,
    page_language,
    query_alternates,
    select,
)
from .state import cached

bp = Blueprint("maps", __name__)

#: The map's data, for its RDF alternates.
MAP_DATA = (
    "CONSTRUCT { ?c a kg:City ; rdfs:label ?l ; geo:lat ?lat ; geo:long ?long . "
    "?t a kg:CityTwinning ; rdfs:label ?tl ; kg:twinnedPlace ?p } "
    "WHERE { { ?c a kg:City ; rdfs:label ?l ; geo:lat ?lat ; geo:long ?long } UNION "
    "{ ?t a kg:CityTwinning ; rdfs:label ?tl ; kg:twinnedPlace ?p } }"
)

WIDTH = 1100.0
#: Room around the cities: (top, right, bottom, left), for labels and the sea around Japan.
PAD = (110.0, 150.0, 60.0, 70.0)
CITY_RADIUS, LABEL_SIZE, COUNTRY_SIZE = 3.5, 12.0, 14.0
#: How far an arc keeps from the dot of a city it does not join.
MARGIN = 6.0
#: Most curves the arcs of one map try in all (each tries about a third of a millisecond):
#: each arc may try its share, every one of carto.bend's 320 while a map has 25 arcs or fewer
#: (the project's own has 4), fewer where the arcs are many and crowd, so that the drawing
#: takes seconds, not minutes. An arc out of tries is the one that came closest.
TRIES = 8_000
#: What a map of no city shows: from the Caspian to Tokyo, (lon, lat) corners.
EMPTY_VIEW = [(50.0, 36.0), (142.0, 46.0)]


def map_data(language: str) -> dict[str, Any]:
    most = page_items()
    cities_where = city_pattern(language)
    twinnings, cities = chosen(cities_where, most)
    places = [(float(c["long"]), float(c["lat"])) for c in cities] or EMPTY_VIEW
    frame = carto.fit(carto.conic(), places, WIDTH, PAD)
    bounds: carto.Box = (0.0, 0.0, frame.width, frame.height)
    points: dict[str, carto.Point] = {}
    for c in cities:
        x, y = frame(float(c["long"]), float(c["lat"]))
        c.update(x=f"{x:.1f}", y=f"{y:.1f}", href=link_for(c["c"]))
        points[c["c"]] = (x, y)
    twinned = {t[end] for t in twinnings for end in ("a", "b")}
    countries = country_shapes(frame, language, list(points.values()))
    regions = region_shapes(frame, language, list(points.values()), twinned - points.keys())
    anchors = {r["r"]: r["anchor"] for r in regions}
    place_labels(cities, regions, countries, twinned, bounds)
    lines, unmapped = arcs(twinnings, points, anchors, bounds)
    return {
        "cities": cities,
        "lines": lines,
        "unmapped": unmapped,
        "width": f"{frame.width:.0f}",
        "height": f"{frame.height:.0f}",
        "twinnings": twinnings,
        "countries": countries,
        "regions": regions,
        "radius": CITY_RADIUS,
        "cities_more": more(count("?c", cities_where), len(cities), city_listing(language)),
        "twinnings_more": twinnings_more(len(twinnings), len(lines)),
    }


def twinnings_more(listed: int, drawn: int) -> dict[str, Any]:
    """What the page says of the twinnings: how many of all are drawn, and whether PAGE_ITEMS
    left some out (a twinning the map cannot draw, of a region without an outline, is listed
    under "Not drawn": that alone is no reason to say how many the map shows)."""
    total = count("?t", TWINNING)
    return {**more(total, drawn, TWINNINGS), "capped": listed < total}


# --- which places: at most PAGE_ITEMS cities and PAGE_ITEMS twinnings -------------------------

#: A twinning of two places (the graph states each pair once per twinning).
TWINNING = (
    "?t a kg:CityTwinning ; rdfs:label ?label ; kg:twinnedPlace ?a, ?b . FILTER(STR(?a) < STR(?b))"
)
#: Every twinning, a row each though a twinning may have a label per language, oldest first.
#: (Grouped in a subquery, ordered outside it: Virtuoso orders by no aggregate's name.)
TWINNINGS = (
    "SELECT * WHERE { { SELECT ?t (MIN(STR(?name)) AS ?label) (MIN(STR(?a)) AS ?from) "
    "(MIN(STR(?b)) AS ?to) (MIN(?y) AS ?year) WHERE { "
    + TWINNING.replace("?label", "?name")
    + " OPTIONAL { ?t kg:year ?y } } GROUP BY ?t } } ORDER BY ?year ?label ?t"
)
CITY_COLUMNS = "?c ?label ?label_lang ?lat ?long ?country ?country_lang"


def city_pattern(language: str, label: str = "label", country: str = "country") -> str:
    """The cities the map can draw (?c): those with coordinates and a country, named (?label,
    ?country, or the names given)."""
    return "?c a kg:City ; geo:lat ?lat ; geo:long ?long ; kg:country ?k . " + names(
        language, ("?c", label), ("?k", country)
    )


def city_listing(language: str) -> str:
    """Every city the map can draw, a row each (a city may have a label per language), by
    name: the query its link lists them all with."""
    pattern = city_pattern(language, label="name", country="in")
    return (
        "SELECT ?c (MIN(STR(?name)) AS ?label) (MIN(?lat) AS ?latitude) "
        "(MIN(?long) AS ?longitude) (MIN(STR(?in)) AS ?country) "
        f"WHERE {{ {pattern} }} GROUP BY ?c ORDER BY ?label ?c"
    )


def chosen(cities_where: str, most: int) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The twinnings and the cities the map draws, at most `most` of each. The twinnings come
    first, oldest first (the arcs are what the map shows that a list does not), each if the
    cities it joins still fit among `most`: a city drawn without its partner would draw no
    arc. Other cities fill the rest, by name. Every query is capped (LIMIT, or VALUES of what
    is chosen), so that the page holds a page's worth however large the graph."""
    twinnings = [
        {**row, "a": row.pop("from"), "b": row.pop("to")}
        for row in select(f"{TWINNINGS} LIMIT {most}")
    ]
    ends = {t[end] for t in twinnings for end in ("a", "b")}
    mappable = {
        row["c"]
        for row in select(f"SELECT DISTINCT ?c WHERE {{ {values('?c', ends)} {cities_where} }}")
    }  # the ends that are cities the map can draw (the others are regions, or unmapped)
    kept: list[dict[str, str]] = []
    drawn: set[str] = set()
    for t in twinnings:
        joined = {t["a"], t["b"]} & mappable
        if len(drawn | joined) <= most:
            kept.append(t)
            drawn |= joined
    if len(drawn) < most:
        by_name = select(f"SELECT ?c WHERE {{ {cities_where} }} ORDER BY ?label ?c LIMIT {most}")
        for row in by_name:
            if len(drawn) == most:
                break
            drawn.add(row["c"])
    # asked again all together, for the order the rest of the map is drawn in
    cities = select(
        f"SELECT {CITY_COLUMNS} WHERE {{ {values('?c', drawn)} {cities_where} }} ORDER BY ?label ?c"
    )
    one_each: dict[str, dict[str, str]] = {}  # a dot a city, though it has a label per language
    for city in cities:
        one_each.setdefault(city["c"], city)
    return kept, list(one_each.values())


def values(var: str, iris: Iterable[str]) -> str:
    """A VALUES block of the IRIs, in order (anything else the store named, a blank node, is
    left out rather than pasted into the query)."""
    return f"VALUES {var} {{ {' '.join(sparql_iri(i) for i in sorted(iris) if valid_iri(i))} }}"


def country_shapes(
    frame: carto.Frame, language: str, dots: list[carto.Point]
) -> list[dict[str, Any]]:
    """Every country in view as a path; the graph's countries (matched by ISO 3166-1 numeric
    code, Natural Earth's id) are named, in the reader's language where the graph has it."""
    graph = select(
        "SELECT DISTINCT ?k ?code ?country ?country_lang WHERE { ?k a kg:Country ; "
        f"kg:iso3166Code ?code . {named('?k', 'country', language)} }}"
    )
    ours = {}
    for row in graph:
        found = pycountry.countries.get(alpha_2=row["code"])
        if found is not None:
            ours[found.numeric] = row
    shapes = []
    for country in carto.outlines()["countries"]:
        d = carto.path_data(country["rings"], frame)
        if not d:
            continue
        found_row = ours.get(country.get("id", ""))
        shape = {"d": d, "name": country["name"], "ours": found_row is not None}
        if found_row is not None:
            largest = max(country["rings"], key=len)
            shape.update(
                name=found_row["country"],
                lang=found_row.get("country_lang", ""),
                href=link_for(found_row["k"]),
                anchor=carto.interior_point([largest], frame, dots),
            )
        shapes.append(shape)
    return shapes


#: How many of a twinned region's cities (by IRI) are tried for the outline that contains one:
#: enough where one lies off a coarse coastline, and never all of a large region's.
REGION_CITIES = 10


def region_shapes(
    frame: carto.Frame, language: str, dots: list[carto.Point], places: Iterable[str]
) -> list[dict[str, Any]]:
    """The regions among `places` (the ends of the twinnings drawn), each drawn with the
    Natural Earth first-level region (of its country) that contains a city the graph says lies
    in it (kg:inRegion): the graph gives regions no coordinates of their own, and their ISO
    3166-2 codes are not in the vendored data, so the city tells which outline is the
    region's."""
    regions = select(
        f"SELECT DISTINCT ?r ?label ?label_lang ?code WHERE {{ {values('?r', places)} "
        f"?r a kg:Region ; kg:country/kg:iso3166Code ?code . {named('?r', 'label', language)} }}"
        " ORDER BY ?r"
    )
    if not regions:
        return []
    located: dict[str, list[tuple[str, carto.Point]]] = defaultdict(list)
    for row in select(region_cities({r["r"] for r in regions})):
        located[row["r"]].append((row["city"], (float(row["long"]), float(row["lat"]))))
    shapes: dict[str, dict[str, Any]] = {}
    for row in regions:
        outline = None if row["r"] in shapes else region_outline(row["code"], located[row["r"]])
        if outline is None:
            continue
        anchor = carto.interior_point(outline["rings"], frame, dots)
        shapes[row["r"]] = {
            **row,
            "d": carto.path_data(outline["rings"], frame, step=0.4),
            "anchor": anchor,
            "x": f"{anchor[0]:.1f}",
            "y": f"{anchor[1]:.1f}",
            "href": link_for(row["r"]),
            "source": outline["name"],
        }
    return list(shapes.values())


def region_cities(regions: Iterable[str]) -> str:
    """The first REGION_CITIES cities of each region, with their coordinates: a LIMIT each."""
    return (
        "SELECT ?r ?city ?lat ?long WHERE { "
        + " UNION ".join(
            f"{{ SELECT ?r ?city ?lat ?long WHERE {{ {values('?r', [r])} ?city kg:inRegion ?r ; "
            f"geo:lat ?lat ; geo:long ?long }} ORDER BY ?city LIMIT {REGION_CITIES} }}"
            for r in sorted(regions)
        )
        + " }"
    )


def region_outline(code: str, cities: list[tuple[str, carto.Point]]) -> dict[str, Any] | None:
    """The Natural Earth region of the country (ISO 3166-1 alpha-2 `code`) that contains the
    first of the cities (by IRI) that one contains; None if none does."""
    for _, city in sorted(cities):
        for region in carto.outlines()["regions"]:
            if region["country"] == code and carto.inside(city, region["rings"]):
                found: dict[str, Any] = region
                return found
    return None


def place_labels(
    cities: list[dict[str, Any]],
    regions: list[dict[str, Any]],
    countries: list[dict[str, Any]],
    twinned: set[str],
    bounds: carto.Box,
) -> None:
    """Labels in order of importance, each where it covers no dot and no label placed before:
    twinned cities, twinned regions, the graph's countries, then the other cities (whose label
    is left out only where none fits; each keeps its tooltip and its line in the list)."""
    taken = carto.Boxes(
        [carto.dot_box(float(c["x"]), float(c["y"]), CITY_RADIUS) for c in cities]
        + [carto.dot_box(r["anchor"][0], r["anchor"][1], CITY_RADIUS) for r in regions]
    )
    first = [c for c in cities if c["c"] in twinned]
    rest = [c for c in cities if c["c"] not in twinned]
    order = [*first, *regions, *(c for c in countries if c["ours"]), *rest]
    for rank, place in enumerate(order):
        place["rank"] = rank  # map.js places labels again in this order when zoomed in

    def dot_label(place: dict[str, Any]) -> Any:
        x, y = float(place["x"]), float(place["y"])
        return carto.place_label(x, y, place["label"], LABEL_SIZE, CITY_RADIUS, taken, bounds)

    for place in [*first, *regions]:
        place["tag"] = dot_label(place)
    for country in countries:
        if country["ours"]:
            x, y = country["anchor"]
            directions = carto.CENTRED + carto.DIRECTIONS
            country["tag"] = carto.place_label(
                x, y, country["name"], COUNTRY_SIZE, 0.0, taken, bounds, directions, wide=1.2
            )
    for city in rest:
        city["tag"] = dot_label(city)


def arcs(
    twinnings: list[dict[str, str]],
    points: dict[str, carto.Point],
    anchors: dict[str, carto.Point],
    bounds: carto.Box,
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Each twinning as a quadratic arc between its places, bent until it clears every other
    city by MARGIN; a twinning of regions bends the other way, so that it is not confused with
    the twinning of the cities in them. The arcs share TRIES curves between them."""
    lines, unmapped, drawn = [], [], []
    for t in twinnings:
        t["href"] = link_for(t["t"])
        ends = (
            points.get(t["a"]) or anchors.get(t["a"]),
            points.get(t["b"]) or anchors.get(t["b"]),
        )
        if ends[0] is None or ends[1] is None:
            unmapped.append({**t, "why": "no outline found for the region"})
        elif math.dist(ends[0], ends[1]) < CITY_RADIUS:  # no arc to bend: one dot covers both
            unmapped.append({**t, "why": "its places are drawn at one point"})
        else:
            drawn.append((t, ends[0], ends[1]))
    dots = carto.Dots(list(points.values()))
    index = {key: i for i, key in enumerate(points)}
    tries = TRIES // max(1, len(drawn))
    for t, start, end in drawn:
        p1, p2 = sorted((start, end))  # west to east
        region = t["a"] in anchors
        others = dots.without(*(index[p] for p in (t["a"], t["b"]) if p in index))
        arc, room = carto.bend(
            p1, p2, others, MARGIN, bounds, CITY_RADIUS, north=not region, tries=tries
        )
        d = "M{:.1f} {:.1f}C{:.1f} {:.1f} {:.1f} {:.1f} {:.1f} {:.1f}".format(
            *(v for p in arc for v in p)
        )
        lines.append({**t, "d": d, "region": region, "clearance": room})
    return lines, unmapped


@bp.route("/map")
@conditional
def map_page() -> Response:
    language = page_language()
    data = cached(f"map-{language}", lambda: map_data(language))
    return html(
        "map.html",
        language,
        jsonld=map_jsonld(data["cities"]),
        rdf_alternates=query_alternates(MAP_DATA),
        **data,
    )


def map_jsonld(cities: list[dict[str, str]]) -> dict[str, Any]:
    places = [
        {
            "@type": "City",
            "name": c["label"],
            "url": c.get("href"),
            "geo": {"@type": "GeoCoordinates", "latitude": c["lat"], "longitude": c["long"]},
        }
        for c in cities
    ]
    return item_list("Cities and their twinnings", places)


# --- the locator map of entity pages ---------------------------------------------------------

LOCATOR_WIDTH, LOCATOR_HEIGHT = 300.0, 200.0
#: How much land around the point the locator shows, in degrees of longitude either side.
LOCATOR_SPAN = 9.0


def locator(lat: float, long: float, label: str) -> dict[str, Any]:
    """What the `locator` macro of _locator.html needs to draw a 300 × 200 map of the country
    outlines around a point, the point marked: the point is centred, the country that contains
    it shaded. Raises ValueError for coordinates off the globe."""
    if not (-90.0 <= lat <= 90.0 and -180.0 <= long <= 180.0) or math.isnan(lat + long):
        raise ValueError(f"not a coordinate: {lat}, {long}")
    # a cone touching the globe at the point's parallel (kept off the equator, where a cone
    # flattens into a cylinder and the formula divides by zero)
    parallel = math.copysign(max(abs(lat), 5.0), lat)
    project = carto.conic(lon0=long, lat0=lat, lat1=parallel, lat2=parallel)
    (west, _), (east, _) = project(long - LOCATOR_SPAN, lat), project(long + LOCATOR_SPAN, lat)
    scale = LOCATOR_WIDTH / (east - west)
    px, py = project(long, lat)  # the point in the middle
    left, top = px - LOCATOR_WIDTH / 2 / scale, py - LOCATOR_HEIGHT / 2 / scale
    frame = carto.Frame(project, scale, left, top, LOCATOR_WIDTH, LOCATOR_HEIGHT)
    x, y = frame(long, lat)
    countries = []
    for country in carto.outlines()["countries"]:
        d = carto.path_data(country["rings"], frame, step=1.2)
        if d:
            home = carto.inside((long, lat), country["rings"])
            countries.append({"d": d, "name": country["name"], "home": home})
    return {
        "width": f"{LOCATOR_WIDTH:.0f}",
        "height": f"{LOCATOR_HEIGHT:.0f}",
        "x": f"{x:.1f}",
        "y": f"{y:.1f}",
        "label": label,
        "countries": countries,
        "label_anchor": "end" if x > LOCATOR_WIDTH * 0.6 else "start",
    }
