"""Dereference every IRI the graph mints, by content negotiation at the IRI itself.

https://www.w3.org/TR/cooluris/ — we negotiate at the IRI (as LodView does) instead of
303-redirecting: ``/city/khiva`` answers Turtle, JSON-LD, N-Triples, RDF/XML or HTML by
``Accept`` (q-values), by extension (``/city/khiva.ttl``) or by ``?format=``, and names the
chosen document in ``Content-Location``. HTML pages name things in the reader's language
(``Accept-Language``, q-values honoured) where the graph has a name in it, else in English;
the RDF formats carry every name. The canonical base ``https://w3id.org/cakg/`` maps
onto whatever host serves the request. Hash IRIs (``/ontology#City``) fetch their document.
A controlled list's own path (``/vocab/status``, the ``status:`` namespace) answers its concept
scheme (``/vocab/status/scheme``), named in ``Content-Location``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request
from rdflib import Graph, URIRef
from werkzeug.exceptions import MethodNotAllowed

from .. import formats, namespaces
from ..errors import NotFound
from ..graph.dataset import text_folders
from ..namespaces import BASE, GRAPH, KG
from .describe import (
    GEO_LAT,
    GEO_LONG,
    Page,
    PageBuilder,
    format_links,
    local_path,
    schema_description,
)
from .documents import (
    JSONLD_CONTEXT,
    alternates,
    finish,
    negotiate,
    serialize,
    serialize_ntriples,
)
from .listings import Select, citing, contents, incoming, own_description
from .maps import locator
from .pages import construct, more, ontology_page, page_items, select
from .provenance import Provenance, provenance, text_file
from .state import get_state

bp = Blueprint("linkeddata", __name__)

#: The first path segment of every IRI we mint, from the namespaces the data is written in
#: (a list kept by hand once missed `group/`), and of the documents this module serves
#: itself; other paths are not ours to answer.
MINTED = namespaces.MINTED | {"ontology", "shapes", "curator"}
CORS_PATHS = r"/(" + "|".join(sorted(MINTED)) + r")(/.*)?"
WHOLE_GRAPHS = {"ontology": GRAPH.ontology, "shapes": GRAPH.shapes}
#: The path of a controlled list: its concepts' namespace, with or without the final slash.
VOCAB_LIST = re.compile(r"vocab/([A-Za-z0-9_.-]+)/?")
SCHEME_IN = """SELECT ?scheme WHERE {
  ?scheme a skos:ConceptScheme FILTER STRSTARTS(STR(?scheme), "NAMESPACE")
} ORDER BY ?scheme LIMIT 1"""


@bp.route("/context.jsonld")
def context() -> Response:
    response = Response(
        json.dumps({"@context": JSONLD_CONTEXT}, indent=2), mimetype="application/ld+json"
    )
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/<path:path>", methods=["GET", "HEAD"])
def resource(path: str) -> Response:
    base, forced = formats.split_extension(path)
    if base.split("/", 1)[0] not in MINTED:
        _other_methods()
        abort(404)
    media = negotiate(base, forced, text_too=False)
    iri = BASE + base
    if media == "text/plain":
        return finish(document_text(base), base, media)
    if media == formats.HTML:
        return entity_page(base, iri)
    state = get_state()
    whole = base in WHOLE_GRAPHS or iri in state.store.graphs  # a named graph's own IRI
    # N-Triples as the store wrote them, written in the format asked for without becoming an
    # rdflib graph (serialize_ntriples): a country's description is 57,000 triples at 1M quads
    if base in WHOLE_GRAPHS:
        data = state.store.named_graph_ntriples(WHOLE_GRAPHS[base])
    elif whole:
        data = state.store.named_graph_ntriples(iri)
    else:
        try:
            data = state.store.describe_ntriples(iri)
        except NotFound:  # the path makes no IRI: nothing can be known about it
            return finish(not_found(iri, media), base, media)
    if _empty(data) and (scheme := list_scheme(state.store.select, base)):
        base, iri = scheme[len(BASE) :], scheme
        data = state.store.describe_ntriples(iri)
    if _empty(data):
        return finish(not_found(iri, media), base, media)
    response = Response(serialize_ntriples(data, media), mimetype=media)
    return finish(response, base, media)


def _empty(ntriples: bytes) -> bool:
    """N-Triples holding no triple, as the store writes them (nothing, or blank lines)."""
    return not ntriples or ntriples.isspace()


def entity_page(base: str, iri: str) -> Response:
    """An IRI's page: what it says itself, and the first PAGE_ITEMS of each list that grows
    with the data (what points to it, the facts citing a document, what a named graph
    describes), each with how many there are and a link to the query listing them all. Its
    queries are bounded by PAGE_ITEMS and share the page's deadline (PAGE_TIMEOUT_S)."""
    media = formats.HTML
    if base == "ontology":
        return finish(ontology_page(), base, media)
    try:
        found = page_data(base, iri)
        if found is None and (scheme := list_scheme(select, base)):
            base, iri = scheme[len(BASE) :], scheme
            found = page_data(base, iri)
    except NotFound:  # the path makes no IRI: nothing can be known about it
        found = None
    if found is None:
        return finish(not_found(iri, media), base, media)
    graph, page, shown = found
    for listed in page.lists:
        listed.rest = more(listed.listing.total, len(listed.values), listed.listing.query)
    html = render_template(
        "resource.html",
        page=page,
        alternates=alternates(base),
        format_links=format_links(alternates(base)),
        is_document=base.startswith("doc/"),
        provenance=shown,
        locator=_locator(graph, URIRef(iri), page.label),
        path=base,
        jsonld=schema_description(graph, URIRef(iri)),
    )
    return finish(Response(html, mimetype=media), base, media)


PageData = tuple[Graph, Page, Provenance | None]


def page_data(base: str, iri: str) -> PageData | None:
    """What the page of `iri` shows (its description, the page, a document's text with its
    quotes), or None when nothing is known about it."""
    if base in WHOLE_GRAPHS or iri in get_state().store.graphs:  # a named graph's own IRI
        return graph_page_data(str(WHOLE_GRAPHS.get(base, iri)), iri)
    graph = own_description(iri, construct)
    links = incoming(iri, select, construct, page_items())
    if not len(graph) and not links.found:
        return None
    cited, shown = None, None
    if base.startswith("doc/"):  # the facts that cite it: two steps away, past its quotes
        cited = citing(iri, select, construct, page_items())
        shown = provenance(select, iri, Path(base).name)
    builder = PageBuilder(graph, URIRef(iri), *_reader(), links=links, citing=cited)
    return graph, builder.page(), shown


def graph_page_data(name: str, iri: str) -> PageData | None:
    """A named graph's page (at `iri`): what it says of that IRI, and what it describes."""
    listed = contents(name, iri, select, construct, page_items())
    if not listed.statements:
        return None
    graph = own_description(iri, construct, graph=name)
    builder = PageBuilder(graph, URIRef(iri), *_reader(), contents=listed)
    return graph, builder.page(), None


def _reader() -> tuple[dict[URIRef, str], list[str]]:
    """The names of the ontology's terms, and the reader's languages, for a page."""
    languages = formats.language_ranges(request.headers.get("Accept-Language"))
    return get_state().term_labels, languages


def _locator(graph: Graph, subject: URIRef, label: str) -> dict[str, Any] | None:
    """A small map wherever the resource has coordinates (none for coordinates off the
    globe: a curator's typo draws no map, and no error)."""
    lat, long = graph.value(subject, GEO_LAT), graph.value(subject, GEO_LONG)
    if lat is None or long is None:
        return None
    try:
        return locator(float(str(lat)), float(str(long)), label)
    except ValueError:
        return None


def _other_methods() -> None:
    """405 for a path another route serves with other methods (GET /validate): this
    catch-all takes every GET, so werkzeug never gets to say so itself."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = set(adapter.allowed_methods()) - {"GET", "HEAD", "OPTIONS"}
    if allowed:
        raise MethodNotAllowed(valid_methods=sorted(allowed | {"OPTIONS"}))


def list_scheme(select: Select, base: str) -> str | None:
    """The concept scheme of the controlled list at ``vocab/<name>``, if there is one
    (`select` answers the query: a page's within its deadline)."""
    match = VOCAB_LIST.fullmatch(base)
    if not match:
        return None
    namespace = f"{BASE}vocab/{match[1]}/"
    rows = select(SCHEME_IN.replace("NAMESPACE", namespace))
    return rows[0]["scheme"] if rows else None


def document_text(base: str) -> Response:
    """The text of a document: a source document's, beside its facts in the data folder, or
    one the review page registered (exported beside the submissions, or still in its folder
    under VAR_DIR), served once its document is in the graph: a text is kept before its
    submission is validated, and stays when that fails. Only files the folders hold are
    looked up by name, never a file name made from the request (a 4,000-byte name once
    raised a 500)."""
    path = text_file(Path(base).name)
    sources = text_folders(Path(current_app.config["DATA_DIR"]))[0]
    if path is not None and path.parent != sources and not _registered(BASE + base):
        path = None
    if path is None:
        abort(404)
    return Response(
        path.read_bytes(), mimetype="text/plain", content_type="text/plain; charset=utf-8"
    )


def _registered(iri: str) -> bool:
    """Whether the graph has the document, named by its file (the IRI comes from a path
    that matched a minted prefix and an existing file: safe inside the query)."""
    if not all(c.isalnum() or c in "/:._-" for c in iri):
        return False
    return get_state().store.ask(f"ASK {{ <{iri}> <{KG.fileName}> ?file }}")


def _one_line(text: str) -> str:
    """The text with every character that could end a comment (and any other control or
    separator) escaped: a path with a line end once wrote triples into our 404."""
    return "".join(c if c.isprintable() else f"\\u{ord(c):04X}" for c in text)


def not_found(iri: str, media: str) -> Response:
    """404 in the format asked for: an empty graph with a comment, or a page."""
    if media == formats.HTML:
        html = render_template("not_found.html", iri=iri, path=local_path(iri))
        return Response(html, 404, mimetype=formats.HTML)
    body = serialize(Graph(), media)
    if media in (formats.TURTLE, formats.NTRIPLES):
        body = f"# 404 Not Found: nothing is known about <{_one_line(iri)}>\n".encode() + body
    return Response(body, 404, mimetype=media)
