"""Dereference every IRI the graph mints, by content negotiation at the IRI itself.

https://www.w3.org/TR/cooluris/ — we negotiate at the IRI (as LodView does) instead of
303-redirecting: ``/city/khiva`` answers Turtle, JSON-LD, N-Triples, RDF/XML or HTML by
``Accept`` (q-values), by extension (``/city/khiva.ttl``) or by ``?format=``, and names the
chosen document in ``Content-Location``. The canonical base ``https://w3id.org/cakg/`` maps
onto whatever host serves the request. Hash IRIs (``/ontology#City``) fetch their document.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, render_template, request
from rdflib import Graph, URIRef

from . import formats
from .describe import PageBuilder, describe, local_path
from .errors import NotAcceptable
from .namespaces import BASE, GRAPH, PREFIXES, bind_prefixes
from .store import data_version, get_pool, graph_names

bp = Blueprint("linkeddata", __name__)

#: The first path segment of every IRI we mint; other paths are not ours to answer.
MINTED = {
    "country",
    "region",
    "city",
    "venue",
    "person",
    "org",
    "event",
    "series",
    "plan",
    "agreement",
    "twinning",
    "award",
    "stat",
    "work",
    "doc",
    "vocab",
    "graph",
    "ontology",
    "shapes",
    "curator",
}
CORS_PATHS = r"/(" + "|".join(sorted(MINTED)) + r")(/.*)?"
WHOLE_GRAPHS = {"ontology": GRAPH.ontology, "shapes": GRAPH.shapes}
JSONLD_CONTEXT = {prefix: namespace for prefix, namespace in PREFIXES.items()}
JSONLD_CONTEXT.update(
    {
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "owl": "http://www.w3.org/2002/07/owl#",
    }
)


def split_extension(path: str) -> tuple[str, str | None]:
    for extension, media in formats.EXTENSIONS.items():
        if path.endswith(extension):
            return path[: -len(extension)], media
    if path.endswith(".txt") and path.startswith("doc/"):
        return path[:-4], "text/plain"
    return path, None


def negotiate(path: str, forced: str | None, text_too: bool) -> str:
    if forced:
        return forced
    names = request.args.getlist("format")
    chosen = formats.from_parameters(names, "resource")
    if chosen:
        return chosen
    extra = ("text/plain",) if text_too else ()
    chosen = formats.choose(request.headers.get("Accept"), "resource", extra=extra)
    if chosen is None:
        offered = formats.offered("resource") + extra
        raise NotAcceptable("offered: " + ", ".join(offered), allowed=offered)
    return chosen


def serialize(graph: Graph, media: str) -> bytes:
    if media == formats.JSONLD:
        data = graph.serialize(format="json-ld", context=JSONLD_CONTEXT, auto_compact=True)
    else:
        data = graph.serialize(format=formats.RDFLIB_FORMAT[media])
    return data.encode("utf-8") if isinstance(data, str) else data


def alternates(path: str) -> list[tuple[str, str]]:
    return [(f"/{path}{ext}", media) for ext, media in formats.EXTENSIONS.items()]


def finish(response: Response, path: str, media: str) -> Response:
    """Add negotiation headers, validators, and answer 304 when the client is up to date."""
    version, modified = data_version()
    response.headers["Vary"] = "Accept"
    links = [
        f'<{href}>; rel="alternate"; type="{media_type}"' for href, media_type in alternates(path)
    ]
    response.headers["Link"] = ", ".join(links)
    ext = next((e for e, m in formats.EXTENSIONS.items() if m == media), None)
    if ext:
        response.headers["Content-Location"] = f"/{path}{ext}"
    tag = hashlib.sha256(f"{version}|{path}|{media}".encode()).hexdigest()[:32]
    response.set_etag(tag)
    response.last_modified = modified
    response.make_conditional(request)
    return response


def whole_graph(name: URIRef) -> Graph:
    pool = get_pool()
    from .engine import QueryJob

    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"
    job = QueryJob(
        query,
        accept={"solutions": formats.SPARQL_JSON, "graph": formats.NTRIPLES},
        max_rows=int(current_app.config["MAX_ROWS"]),
    )
    graph = Graph()
    graph.parse(data=pool.run(job, float(current_app.config["QUERY_TIMEOUT_S"])).body, format="nt")
    bind_prefixes(graph)
    return graph


@bp.route("/context.jsonld")
def context() -> Response:
    import json

    response = Response(
        json.dumps({"@context": JSONLD_CONTEXT}, indent=2), mimetype="application/ld+json"
    )
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/<path:path>", methods=["GET", "HEAD"])
def resource(path: str) -> Response:
    base, forced = split_extension(path)
    if base.split("/", 1)[0] not in MINTED:
        abort(404)
    is_document = base.startswith("doc/")
    media = negotiate(base, forced, text_too=False)
    iri = BASE + base
    if media == "text/plain":
        return finish(document_text(base), base, media)
    if base in WHOLE_GRAPHS:
        graph = whole_graph(WHOLE_GRAPHS[base])
    elif iri in graph_names():
        graph = whole_graph(URIRef(iri))
    else:
        graph = describe(get_pool(), iri, float(current_app.config["QUERY_TIMEOUT_S"]))
    if not len(graph):
        return finish(not_found(iri, media), base, media)
    if media == formats.HTML:
        if base == "ontology":
            from .site import ontology_page

            return finish(ontology_page(), base, media)
        page = PageBuilder(graph, URIRef(iri), current_app.extensions["kg.labels"]).page()
        html = render_template(
            "resource.html",
            page=page,
            alternates=alternates(base),
            is_document=is_document,
            path=base,
        )
        return finish(Response(html, mimetype=formats.HTML), base, media)
    response = Response(serialize(graph, media), mimetype=media)
    return finish(response, base, media)


def document_text(base: str) -> Response:
    name = Path(base).name
    path = Path(current_app.config["DATA_DIR"]) / f"{name}.txt"
    if not path.is_file():
        abort(404)
    return Response(
        path.read_bytes(), mimetype="text/plain", content_type="text/plain; charset=utf-8"
    )


def not_found(iri: str, media: str) -> Response:
    """404 in the format asked for: an empty graph with a comment, or a page."""
    if media == formats.HTML:
        html = render_template("not_found.html", iri=iri, path=local_path(iri))
        return Response(html, 404, mimetype=formats.HTML)
    body = serialize(Graph(), media)
    if media in (formats.TURTLE, formats.NTRIPLES):
        body = f"# 404 Not Found: nothing is known about <{iri}>\n".encode() + body
    return Response(body, 404, mimetype=media)
