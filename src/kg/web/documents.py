"""Answer RDF documents: negotiate the format, write the graph, add validators and links.

Shared by every view that answers RDF (linked data, VoID, curation reports), so that each
answers the same formats with the same headers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from urllib.parse import quote

from flask import Response, request
from rdflib import Graph, Literal, URIRef

from .. import formats
from ..errors import NotAcceptable
from ..namespaces import PREFIXES
from .state import data_version

#: The inline JSON-LD context: our prefixes (no remote context is ever named or fetched).
JSONLD_CONTEXT = dict(PREFIXES)


def context_for(graph: Graph) -> dict[str, str]:
    """Our prefixes, but none that is the scheme of an IRI of `graph`: JSON-LD reads any
    `prefix:rest` as a compact IRI, so with `geo` defined, `geo:41.3,69.2` (RFC 5870) came back
    as a wgs84_pos term. Left out, the prefix's own terms are written in full instead."""
    schemes = {str(term).split(":", 1)[0] for term in _iris(graph)}
    return {prefix: ns for prefix, ns in JSONLD_CONTEXT.items() if prefix not in schemes}


def _iris(graph: Graph) -> Iterator[URIRef]:
    for triple in graph:
        for term in triple:
            if isinstance(term, URIRef):
                yield term
            elif isinstance(term, Literal) and term.datatype is not None:
                yield term.datatype


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
    try:
        if media == formats.JSONLD:
            data = graph.serialize(format="json-ld", context=context_for(graph), auto_compact=True)
        else:
            data = graph.serialize(format=formats.RDFLIB_FORMAT[media])
    except Exception as exc:  # noqa: BLE001 — RDF/XML cannot split some predicates, say
        raise NotAcceptable(
            f"this document cannot be written as {media} ({exc}); ask for Turtle or N-Triples",
            allowed=(formats.TURTLE, formats.NTRIPLES),
        ) from None
    return data.encode("utf-8") if isinstance(data, str) else data


def alternates(path: str) -> list[tuple[str, str]]:
    return [(f"/{header_path(path)}{ext}", media) for ext, media in formats.EXTENSIONS.items()]


def header_path(path: str) -> str:
    """A path as a header may carry it: HTTP headers are Latin-1, so anything else is
    percent-encoded (`/city/市` would otherwise drop the connection)."""
    return quote(path, safe="/:@!$&'()*+,;=-._~%")


def finish(response: Response, path: str, media: str, linked: bool = True) -> Response:
    """Add negotiation headers, validators, and answer 304 when the client is up to date.
    Only a document has alternates and validators: a 404 names no other format and never
    becomes a 304 (RFC 9110, 13.2.1). `linked`: the path has one address per format."""
    version, modified = data_version()
    response.headers["Vary"] = "Accept"
    language = ""
    if media == formats.HTML:  # pages name things in the reader's language (issue #13)
        response.headers["Vary"] = "Accept, Accept-Language"
        language = ",".join(formats.language_ranges(request.headers.get("Accept-Language")))
    if response.status_code != 200:
        return response
    if linked:
        _link_alternates(response, path, media)
    tag = hashlib.sha256(f"{version}|{path}|{media}|{language}".encode()).hexdigest()[:32]
    response.set_etag(tag)
    response.last_modified = modified
    response.make_conditional(request)
    return response


def _link_alternates(response: Response, path: str, media: str) -> None:
    links = [
        f'<{href}>; rel="alternate"; type="{media_type}"' for href, media_type in alternates(path)
    ]
    response.headers["Link"] = ", ".join(links)
    ext = next((e for e, m in formats.EXTENSIONS.items() if m == media), None)
    if ext:
        response.headers["Content-Location"] = f"/{header_path(path)}{ext}"
