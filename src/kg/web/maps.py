"""The map page: cities placed by their coordinates, and the twinnings between them."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from .describe import link_for
from .pages import html, item_list, named, page_language, query_alternates, select
from .state import cached

bp = Blueprint("maps", __name__)

#: The map's data, for its RDF alternates.
MAP_DATA = (
    "CONSTRUCT { ?c a kg:City ; rdfs:label ?l ; geo:lat ?lat ; geo:long ?long . "
    "?t a kg:CityTwinning ; rdfs:label ?tl ; kg:twinnedPlace ?p } "
    "WHERE { { ?c a kg:City ; rdfs:label ?l ; geo:lat ?lat ; geo:long ?long } UNION "
    "{ ?t a kg:CityTwinning ; rdfs:label ?tl ; kg:twinnedPlace ?p } }"
)


#: Two panels, each with its own scale, so that neither region is a speck: (name, west, east).
PANELS = (("Central Asia", 0.0, 100.0), ("Japan", 100.0, 180.0))


def map_data(language: str) -> dict[str, Any]:
    cities = select(
        "SELECT ?c ?label ?label_lang ?lat ?long ?country ?country_lang WHERE { ?c a kg:City ;"
        f" geo:lat ?lat ; geo:long ?long ; kg:country ?k . {named('?c', 'label', language)}"
        f" {named('?k', 'country', language)} }} ORDER BY ?label"
    )
    twinnings = select(
        "SELECT ?t ?label ?a ?b ?year WHERE { ?t a kg:CityTwinning ; rdfs:label "
        "?label ; kg:twinnedPlace ?a, ?b . FILTER(STR(?a) < STR(?b)) "
        "OPTIONAL { ?t kg:year ?year } } ORDER BY ?year"
    )
    width, height, gap = 1000, 420, 40
    panel_width = (width - gap) / len(PANELS)
    points: dict[str, tuple[float, float]] = {}
    panels = []
    for index, (name, lower, upper) in enumerate(PANELS):
        members = [c for c in cities if lower <= float(c["long"]) < upper]
        if not members:
            continue
        lats = [float(c["lat"]) for c in members]
        longs = [float(c["long"]) for c in members]
        west, east = min(longs) - 1.5, max(longs) + 1.5
        south, north = min(lats) - 1.5, max(lats) + 1.5
        scale = min(panel_width / (east - west), (height - 60) / (north - south))
        left = index * (panel_width + gap)
        panels.append({"name": name, "x": f"{left:.1f}", "width": f"{panel_width:.1f}"})
        for c in members:
            x = left + (float(c["long"]) - west) * scale
            y = 40 + (north - float(c["lat"])) * scale
            c.update(x=f"{x:.1f}", y=f"{y:.1f}", href=link_for(c["c"]))
            points[c["c"]] = (x, y)
    placed: list[tuple[float, float]] = []
    twinned = {t[end] for t in twinnings for end in ("a", "b")}
    for c in sorted(cities, key=lambda c: (c["c"] not in twinned, c["label"])):
        if "x" not in c:
            continue
        x, y = float(c["x"]), float(c["y"])
        # Label only where it does not cover another label; every city keeps its tooltip.
        free = all(abs(x - px) > 70 or abs(y - py) > 14 for px, py in placed)
        c["show_label"] = "yes" if free else ""
        c["anchor"] = "end" if (x % (panel_width + gap)) > panel_width - 90 else "start"
        if free:
            placed.append((x, y))
    lines, unmapped = [], []
    for t in twinnings:
        t["href"] = link_for(t["t"])
        if t["a"] in points and t["b"] in points:
            (x1, y1), (x2, y2) = points[t["a"]], points[t["b"]]
            lines.append(
                {**t, "x1": f"{x1:.1f}", "y1": f"{y1:.1f}", "x2": f"{x2:.1f}", "y2": f"{y2:.1f}"}
            )
        else:
            unmapped.append(t)
    return {
        "cities": [c for c in cities if "x" in c],
        "lines": lines,
        "unmapped": unmapped,
        "width": width,
        "height": height,
        "twinnings": twinnings,
        "panels": panels,
    }


@bp.route("/map")
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
