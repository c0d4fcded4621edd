"""Pages for people: the landing page and the ontology's documentation, and what every page
shares (rendering, the reader's language, a name in it, the RDF alternates). The query page,
the timeline and the map have modules of their own.

Everything is drawn on the server from the store (SVG, no tile server, no CDN) and every
listing is a SPARQL query through the store, as the endpoint's are.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, render_template, request
from rdflib import Graph

from .. import formats
from ..errors import QueryTimeout
from ..graph.labels import LANGUAGES
from ..namespaces import ONTOLOGY
from ..store.dumps import DUMP_FORMATS
from .describe import link_for
from .state import cached, data_version, get_store, page_time_left, too_slow

bp = Blueprint("pages", __name__)
T = TypeVar("T")
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
    """Rows of a SELECT on the served data (the project's prefixes are predeclared), in what
    is left of the page's time: a page answers or fails within PAGE_TIMEOUT_S, however many
    queries it is drawn from, as one query does within QUERY_TIMEOUT_S."""
    return in_page_time(get_store().select, query)


def construct(query: str) -> Graph:
    """The graph a CONSTRUCT on the served data answers, in what is left of the page's time,
    as :func:`select`'s rows."""
    return in_page_time(get_store().construct, query)


def in_page_time(run: Callable[[str, float], T], query: str) -> T:
    """`run`'s answer to the query, given the store's deadline or what is left of the page's,
    whichever is sooner; past the page's, PageTimeout (a 503 naming PAGE_TIMEOUT_S)."""
    store = get_store()
    try:
        return run(query, min(store.timeout, page_time_left()))
    except QueryTimeout as exc:
        raise too_slow(retry_after=5) from exc


def count(var: str, where: str) -> int:
    """How many distinct values `var` takes in the pattern."""
    rows = select(f"SELECT (COUNT(DISTINCT {var}) AS ?n) WHERE {{ {where} }}")
    return int(rows[0]["n"]) if rows else 0


def page_items() -> int:
    """Most things a page lists or draws at once (PAGE_ITEMS)."""
    return int(current_app.config["PAGE_ITEMS"])


def html(template: str, language: str = FALLBACK_LANGUAGE, **context: Any) -> Response:
    response = Response(render_template(template, **context), mimetype=formats.HTML)
    version, modified = data_version()
    response.set_etag(f"{template}-{language}-{version[:24]}")
    response.last_modified = modified
    response.vary.add("Accept-Language")
    return response


def conditional(view: Callable[..., Response]) -> Callable[..., Response]:
    """A page's validators honoured: 304 when the client's copy is current (a page sent an
    ETag and Last-Modified, and answered every conditional request in full)."""

    @functools.wraps(view)
    def answer(*args: Any, **kwargs: Any) -> Response:
        response = view(*args, **kwargs)
        if response.status_code == 200:
            response.make_conditional(request)
        return response

    return answer


def page_language() -> str:
    """The language pages name places in: the reader's first (Accept-Language) that the graph
    has names in, else English (issue #13)."""
    ranges = formats.language_ranges(request.headers.get("Accept-Language"))
    return formats.choose_language(ranges, (FALLBACK_LANGUAGE, *LANGUAGES)) or FALLBACK_LANGUAGE


def named(subject: str, var: str, language: str) -> str:
    """A SPARQL pattern binding ?var to the subject's name in `language` (a skos:prefLabel of
    the build's, see graph/labels.py) or else its rdfs:label, and ?var_lang to the language
    of a name other than the English one."""
    return names(language, (subject, var))


def names(language: str, *named: tuple[str, str]) -> str:
    """named() for several (subject, var) pairs in one pattern: the labels first, then the
    names in the language, then the BINDs. What follows a BIND is joined as a whole, so the
    label of a second named() would be matched against every label in the graph: on the
    benchmark's 1M quads a map's query of cities and their countries' names took minutes."""
    if language == FALLBACK_LANGUAGE:
        return " ".join(f"{subject} rdfs:label ?{var} ." for subject, var in named)
    # the language is one of LANGUAGES, never the reader's own text
    labels = " ".join(f"{subject} rdfs:label ?{var}_en ." for subject, var in named)
    optionals = " ".join(
        f'OPTIONAL {{ {subject} skos:prefLabel ?{var}_in FILTER(LANG(?{var}_in) = "{language}") }}'
        for subject, var in named
    )
    binds = " ".join(
        f"BIND(COALESCE(?{var}_in, ?{var}_en) AS ?{var})"
        f' BIND(IF(BOUND(?{var}_in), "{language}", "") AS ?{var}_lang)'
        for _, var in named
    )
    return f"{labels} {optionals} {binds}"


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
#: Dumps the Dataset names (the tests fetch each).
DUMPS = tuple((name, DUMP_FORMATS[name][1]) for name in ("cakg.trig", "cakg.nq", "cakg.ttl"))


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
            f"carries its evidence. {triples} distinct triples."
        ),
        "url": "/",
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "isAccessibleForFree": True,
        "distribution": [
            {"@type": "DataDownload", "encodingFormat": media, "contentUrl": f"/dumps/{name}"}
            for name, media in DUMPS
        ],
    }


# ----------------------------------------------------------------------------- landing page


def landing_data(language: str) -> dict[str, Any]:
    counts = {
        row["class"].rsplit("#", 1)[-1]: int(row["n"])
        for row in select(
            "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class "
            "FILTER STRSTARTS(STR(?class), STR(kg:)) } GROUP BY ?class"
        )
    }
    most = page_items()

    def listing(title: str, cls: str) -> dict[str, Any]:
        # a row a thing, though it may have a label per language: the name a page shows
        # depends on the thing alone, so its least name and that name's language go together
        query = (
            f"SELECT ?s (MIN(STR(?name)) AS ?label) (MIN(?name_lang) AS ?label_lang) WHERE {{ "
            f"?s a kg:{cls} . {named('?s', 'name', language)} }} GROUP BY ?s ORDER BY ?label ?s"
        )
        rows = select(f"{query} LIMIT {most}")
        for row in rows:
            row["href"] = link_for(row["s"])
        return {"title": title, "rows": rows, **more(named_total(cls, rows), len(rows), query)}

    def named_total(cls: str, rows: list[dict[str, str]]) -> int:
        """How many things of the class a list can show: those with a name (a thing of no
        name is counted in the table above, but no list can show it)."""
        if len(rows) < most:
            return len(rows)
        return count("?s", f"?s a kg:{cls} ; rdfs:label ?l")

    # the undated last, so that LIMIT keeps the earliest (ordered outside the grouping:
    # Virtuoso orders by no expression of an aggregate's name)
    events = (
        "SELECT * WHERE { { SELECT ?s (MIN(STR(?name)) AS ?label) (MIN(?y) AS ?year) WHERE { "
        "?s a kg:CulturalEvent ; rdfs:label ?name OPTIONAL { ?s kg:year ?y } } GROUP BY ?s } } "
        "ORDER BY (!BOUND(?year)) ?year ?label"
    )
    by_year: dict[str, list[dict[str, str]]] = defaultdict(list)
    rows = select(f"{events} LIMIT {most}")
    for row in rows:
        row["href"] = link_for(row["s"])
        by_year[row.get("year", "undated")].append(row)
    inventory = get_store().inventory()  # one look: on a remote store, a round trip
    return {
        "counts": [(cls, counts.get(cls, 0)) for cls in CLASSES],
        "triples": inventory.triples,  # in the merge, as VoID counts them
        "graphs": len(inventory.graphs),
        "lists": [
            listing("Countries", "Country"),
            listing("Cities", "City"),
            listing("Agreements", "Agreement"),
            listing("Twinnings", "CityTwinning"),
            listing("Persons", "Person"),
            listing("Plans and proposals", "Plan"),
        ],
        "events_by_year": sorted(by_year.items(), key=lambda kv: (kv[0] == "undated", kv[0])),
        "events_more": more(named_total("CulturalEvent", rows), len(rows), events),
        "documents": listing("Source documents", "Document"),
    }


def more(total: int, shown: int, query: str) -> dict[str, Any]:
    """What a list capped at PAGE_ITEMS says of the rest: how many, and the query page's
    link to the query that lists them all."""
    return {
        "total": total,
        "hidden": max(0, total - shown),
        "all_href": f"/query?{urlencode({'query': query})}",
    }


@bp.route("/")
@conditional
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
