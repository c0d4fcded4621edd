"""The timeline page: cultural events by year and by the countries that took part."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response

from .describe import link_for
from .pages import COUNTRY_PATH, html, item_list, named, page_language, query_alternates, select
from .state import cached

bp = Blueprint("timeline", __name__)

#: The timeline's data, for its RDF alternates.
TIMELINE_DATA = (
    "CONSTRUCT { ?e a kg:CulturalEvent ; rdfs:label ?l ; kg:year ?y } "
    "WHERE { ?e a kg:CulturalEvent ; rdfs:label ?l ; kg:year ?y }"
)


@dataclass
class Dot:
    x: float
    y: float
    label: str
    href: str
    year: int
    country: str
    country_lang: str = ""


COUNTRY_ORDER = ("Uzbekistan", "Kazakhstan", "Kyrgyzstan", "Japan")


def timeline_data(language: str) -> dict[str, Any]:
    rows = select(
        "SELECT DISTINCT ?e ?label ?year ?country ?name ?name_lang WHERE { "
        f"?e a kg:CulturalEvent ; rdfs:label ?label ; kg:year ?year ; {COUNTRY_PATH} ?c . "
        f"?c a kg:Country ; rdfs:label ?country . {named('?c', 'name', language)} }} "
        "ORDER BY ?year ?label"
    )
    names = {r["country"]: (r["name"], r.get("name_lang", "")) for r in rows}
    years = sorted({int(r["year"]) for r in rows})
    first, last = (years[0], years[-1]) if years else (2000, 2025)
    width, left, row_height = 1000, 120, 110
    span = max(1, last - first)
    countries = [c for c in COUNTRY_ORDER if any(r["country"] == c for r in rows)]
    stacks: dict[tuple[str, int], int] = defaultdict(int)
    dots = []
    for r in rows:
        year = int(r["year"])
        stack = stacks[(r["country"], year)]
        stacks[(r["country"], year)] += 1
        x = left + (year - first) / span * (width - left - 30)
        y = 40 + countries.index(r["country"]) * row_height + 16 + (stack % 6) * 14
        x += (stack // 6) * 9
        name, name_lang = names[r["country"]]
        dots.append(Dot(x, y, r["label"], link_for(r["e"]), year, name, name_lang))
    ticks = [
        (left + (y - first) / span * (width - left - 30), y)
        for y in range(first, last + 1)
        if (y - first) % max(1, span // 12) == 0
    ]
    return {
        "dots": dots,
        "countries": [names[c] for c in countries],  # (name, language)
        "ticks": ticks,
        "width": width,
        "height": 60 + len(countries) * row_height,
        "row_height": row_height,
        "rows": rows,
    }


@bp.route("/timeline")
def timeline() -> Response:
    language = page_language()
    data = cached(f"timeline-{language}", lambda: timeline_data(language))
    return html(
        "timeline.html",
        language,
        jsonld=timeline_jsonld(data["dots"]),
        rdf_alternates=query_alternates(TIMELINE_DATA),
        **data,
    )


def timeline_jsonld(dots: list[Dot]) -> dict[str, Any]:
    events = [
        {"@type": "Event", "name": d.label, "url": d.href, "startDate": str(d.year)}
        for d in {d.href or d.label: d for d in dots}.values()
    ]
    return item_list("Cultural events between Central Asia and Japan", events)
