"""Pages for people: the landing page, the query page, the ontology's documentation, a
timeline and a map.

Everything is drawn on the server from the store (SVG, no tile server, no CDN) and every
listing is a SPARQL query through the store, as the endpoint's are.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, render_template, request

from .. import formats
from ..graph.labels import LANGUAGES
from ..namespaces import ONTOLOGY
from .describe import link_for
from .state import cached, data_version, get_store

bp = Blueprint("pages", __name__)
FALLBACK_LANGUAGE = "en"

COUNTRY_PATH = (
    "kg:participatingCountry|kg:country|kg:location/kg:country|kg:location/kg:inCity/kg:country"
)
CLASSES = (
    "Country",
    "Region",
    "City",
    "Venue",
    "Facility",
    "Person",
    "Group",
    "Organization",
    "CulturalEvent",
    "HistoricalEvent",
    "SportsEvent",
    "EventSeries",
    "Plan",
    "Agreement",
    "Programme",
    "CityTwinning",
    "Award",
    "Statistic",
    "CreativeWork",
    "Document",
)


def select(query: str) -> list[dict[str, str]]:
    """Rows of a SELECT on the served data (the project's prefixes are predeclared)."""
    return get_store().select(query)


def html(template: str, language: str = FALLBACK_LANGUAGE, **context: Any) -> Response:
    response = Response(render_template(template, **context), mimetype=formats.HTML)
    version, modified = data_version()
    response.set_etag(f"{template}-{language}-{version[:24]}")
    response.last_modified = modified
    response.vary.add("Accept-Language")
    return response


def page_language() -> str:
    """The language pages name places in: the reader's first (Accept-Language) that the graph
    has names in, else English (issue #13)."""
    ranges = formats.language_ranges(request.headers.get("Accept-Language"))
    return formats.choose_language(ranges, (FALLBACK_LANGUAGE, *LANGUAGES)) or FALLBACK_LANGUAGE


def named(subject: str, var: str, language: str) -> str:
    """A SPARQL pattern binding ?var to the subject's name in `language` (a skos:prefLabel of
    the build's, see graph/labels.py) or else its rdfs:label, and ?var_lang to the language
    of a name other than the English one."""
    if language == FALLBACK_LANGUAGE:
        return f"{subject} rdfs:label ?{var} ."
    # the language is one of LANGUAGES, never the reader's own text
    return (
        f"{subject} rdfs:label ?{var}_en . OPTIONAL {{ {subject} skos:prefLabel ?{var}_in "
        f'FILTER(LANG(?{var}_in) = "{language}") }} BIND(COALESCE(?{var}_in, ?{var}_en) AS ?{var})'
        f' BIND(IF(BOUND(?{var}_in), "{language}", "") AS ?{var}_lang)'
    )


# ----------------------------------------------------------------------------- for machines

#: The RDF formats a page links as its alternates: (short name, media type).
RDF_FORMATS = (
    ("turtle", formats.TURTLE),
    ("json-ld", formats.JSONLD),
    ("nt", formats.NTRIPLES),
    ("rdfxml", formats.RDFXML),
)
#: The pages' schema.org descriptions name their vocabulary inline: a remote context would make
#: a reader fetch it (and the project names none).
SCHEMA_CONTEXT = {"@vocab": "https://schema.org/"}
#: Dumps the Dataset names, of void.DUMPS (void imports this module, so not from there; the
#: tests fetch each).
DUMPS = (("cakg.trig", formats.TRIG), ("cakg.nq", formats.NQUADS), ("cakg.ttl", formats.TURTLE))


def void_alternates() -> list[tuple[str, str]]:
    """The dataset's VoID and DCAT description in each RDF format: the landing page's data."""
    return [(f"/.well-known/void?{urlencode({'format': n})}", m) for n, m in RDF_FORMATS]


def query_alternates(construct: str) -> list[tuple[str, str]]:
    """A page's data in each RDF format, as the endpoint answers the CONSTRUCT it is drawn
    from (a link anyone can follow, and change)."""
    return [(f"/sparql?{urlencode({'query': construct, 'format': n})}", m) for n, m in RDF_FORMATS]


def item_list(name: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    """A schema.org ItemList of `items` (URLs are relative: JSON-LD in a page resolves them
    against the page's address, so the page is the same on every host)."""
    return {
        "@context": SCHEMA_CONTEXT,
        "@type": "ItemList",
        "name": name,
        "numberOfItems": len(items),
        "itemListElement": [
            {"@type": "ListItem", "position": i, "item": item}
            for i, item in enumerate(items, start=1)
        ],
    }


def dataset_jsonld(triples: int) -> dict[str, Any]:
    """The landing page's schema.org Dataset: what the graph is and where to get it."""
    return {
        "@context": SCHEMA_CONTEXT,
        "@type": "Dataset",
        "name": "Central Asia – Japan cultural cooperation knowledge graph",
        "description": (
            "A knowledge graph of cultural and humanitarian cooperation between Uzbekistan, "
            "Kazakhstan, Kyrgyzstan and Japan, built from five source documents; every fact "
            f"carries its evidence. {triples} triples."
        ),
        "url": "/",
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "isAccessibleForFree": True,
        "distribution": [
            {"@type": "DataDownload", "encodingFormat": media, "contentUrl": f"/dumps/{name}"}
            for name, media in DUMPS
        ],
    }


#: The data of the timeline and of the map, for their RDF alternates.
TIMELINE_DATA = (
    "CONSTRUCT { ?e a kg:CulturalEvent ; rdfs:label ?l ; kg:year ?y } "
    "WHERE { ?e a kg:CulturalEvent ; rdfs:label ?l ; kg:year ?y }"
)
MAP_DATA = (
    "CONSTRUCT { ?c a kg:City ; rdfs:label ?l ; geo:lat ?lat ; geo:long ?long . "
    "?t a kg:CityTwinning ; rdfs:label ?tl ; kg:twinnedPlace ?p } "
    "WHERE { { ?c a kg:City ; rdfs:label ?l ; geo:lat ?lat ; geo:long ?long } UNION "
    "{ ?t a kg:CityTwinning ; rdfs:label ?tl ; kg:twinnedPlace ?p } }"
)


def timeline_jsonld(dots: list[Dot]) -> dict[str, Any]:
    events = [
        {"@type": "Event", "name": d.label, "url": d.href, "startDate": str(d.year)}
        for d in {d.href or d.label: d for d in dots}.values()
    ]
    return item_list("Cultural events between Central Asia and Japan", events)


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


# ----------------------------------------------------------------------------- landing page


def landing_data(language: str) -> dict[str, Any]:
    counts = {
        row["class"].rsplit("#", 1)[-1]: int(row["n"])
        for row in select(
            "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class "
            "FILTER STRSTARTS(STR(?class), STR(kg:)) } GROUP BY ?class"
        )
    }

    def listing(cls: str) -> list[dict[str, str]]:
        rows = select(
            f"SELECT ?s ?label ?label_lang WHERE {{ ?s a kg:{cls} . "
            f"{named('?s', 'label', language)} }} ORDER BY ?label"
        )
        for row in rows:
            row["href"] = link_for(row["s"])
        return rows

    by_year: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in select(
        "SELECT ?s ?label (MIN(?y) AS ?year) WHERE { ?s a kg:CulturalEvent ; "
        "rdfs:label ?label OPTIONAL { ?s kg:year ?y } } GROUP BY ?s ?label "
        "ORDER BY ?year ?label"
    ):
        row["href"] = link_for(row["s"])
        by_year[row.get("year", "undated")].append(row)
    return {
        "counts": [(cls, counts.get(cls, 0)) for cls in CLASSES],
        "triples": get_store().triples,
        "lists": [
            ("Countries", listing("Country")),
            ("Cities", listing("City")),
            ("Agreements", listing("Agreement")),
            ("Twinnings", listing("CityTwinning")),
            ("Persons", listing("Person")),
            ("Plans and proposals", listing("Plan")),
        ],
        "events_by_year": sorted(by_year.items(), key=lambda kv: (kv[0] == "undated", kv[0])),
        "documents": listing("Document"),
    }


@bp.route("/")
def landing() -> Response:
    language = page_language()
    data = cached(f"landing-{language}", lambda: landing_data(language))
    return html(
        "landing.html",
        language,
        jsonld=dataset_jsonld(data["triples"]),
        rdf_alternates=void_alternates(),
        **data,
    )


# ----------------------------------------------------------------------------- query page


DOWNLOADS = (
    ("JSON", "json"),
    ("XML", "xml"),
    ("CSV", "csv"),
    ("TSV", "tsv"),
    ("Turtle", "turtle"),
    ("N-Triples", "nt"),
    ("JSON-LD", "json-ld"),
    ("RDF/XML", "rdfxml"),
)


@lru_cache(maxsize=4)
def load_examples(folder: str) -> list[dict[str, str]]:
    """Read the example queries: each .rq file whose first line is ``# Q: <question>``."""
    examples = []
    for path in sorted(Path(folder).glob("*.rq")):
        text = path.read_text("utf-8")
        first = text.splitlines()[0] if text else ""
        match = re.match(r"#\s*Q:\s*(.+)", first)
        title = match.group(1).strip() if match else path.stem
        examples.append({"id": path.stem, "title": title, "query": text})
    return examples


def query_page() -> Response:
    examples = load_examples(str(current_app.config["EXAMPLES_DIR"]))
    html = render_template(
        "query.html",
        examples=examples,
        downloads=DOWNLOADS,
        default_query=examples[0]["query"] if examples else "",
    )
    response = Response(html, mimetype=formats.HTML)
    response.headers["Vary"] = "Accept"
    return response


@bp.route("/query")
def query() -> Response:
    return query_page()


# ----------------------------------------------------------------------------- ontology docs


def ontology_data() -> dict[str, Any]:
    classes = select(
        "SELECT ?c ?label ?def (GROUP_CONCAT(DISTINCT ?superLabel; separator=', ') AS ?supers) "
        "WHERE { GRAPH graph:ontology { ?c a owl:Class ; rdfs:label "
        "?label OPTIONAL { ?c skos:definition ?def } OPTIONAL { { ?c rdfs:subClassOf ?sup } "
        "UNION { ?c owl:equivalentClass ?sup } BIND(STR(?sup) AS ?superLabel) } } } "
        "GROUP BY ?c ?label ?def ORDER BY ?label"
    )
    properties = select(
        "SELECT ?p ?label ?def ?kind WHERE { GRAPH graph:ontology { "
        "?p a ?kind ; rdfs:label ?label VALUES ?kind { owl:ObjectProperty owl:DatatypeProperty }"
        " OPTIONAL { ?p skos:definition ?def } } } ORDER BY ?label"
    )
    shapes = select(
        "SELECT ?target ?path ?message WHERE { GRAPH graph:shapes { "
        "?shape sh:targetClass ?target ; sh:property ?ps . ?ps sh:path ?path . "
        "OPTIONAL { ?ps sh:message ?message } FILTER isIRI(?path) } } ORDER BY ?target ?path"
    )
    rules: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in shapes:
        rules[row["target"]].append(row)
    concepts = select(
        "SELECT ?scheme ?schemeLabel ?c ?label ?def WHERE { "
        "GRAPH graph:ontology { ?c skos:inScheme ?scheme ; "
        "skos:prefLabel ?label . ?scheme skos:prefLabel ?schemeLabel "
        "OPTIONAL { ?c skos:definition ?def } } } ORDER BY ?schemeLabel ?label"
    )
    schemes: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in concepts:
        schemes[row["schemeLabel"]].append(row)
    info = select(f"SELECT ?version WHERE {{ <{ONTOLOGY}> owl:versionInfo ?version }}")
    return {
        "classes": classes,
        "properties": properties,
        "rules": rules,
        "schemes": sorted(schemes.items()),
        "version": info[0]["version"] if info else "",
        "short": lambda iri: iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1],
    }


def ontology_page() -> Response:
    return html("ontology.html", **cached("ontology", ontology_data))


# ----------------------------------------------------------------------------- timeline


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


# ----------------------------------------------------------------------------- map


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
