"""Answer RDF documents: negotiate the format, write the graph, add validators and links.

Shared by every view that answers RDF (linked data, VoID, curation reports), so that each
answers the same formats with the same headers.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from urllib.parse import quote

import pyoxigraph as ox
from flask import Response, current_app, request
from rdflib import Graph, Literal, URIRef

from .. import formats
from ..errors import NotAcceptable
from ..namespaces import PREFIXES
from ..store.interface import ntriples_graph
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
    """A document the web process made itself (VoID, a curation report, a 404), written with
    rdflib: small, and written with the prefixes its graph binds. What the store answers for
    an IRI is written by :func:`serialize_ntriples`."""
    try:
        if media == formats.JSONLD:
            data = graph.serialize(format="json-ld", context=context_for(graph), auto_compact=True)
        else:
            data = graph.serialize(format=formats.RDFLIB_FORMAT[media])
    except Exception as exc:  # noqa: BLE001 — RDF/XML cannot split some predicates, say
        raise _unwritable(media, str(exc)) from None
    return data.encode("utf-8") if isinstance(data, str) else data


#: The formats pyoxigraph writes a description in. Measured on /country/jp at 1M quads (57,000
#: triples, 7.5 MB of N-Triples): rdflib took 2.3 s to parse them and 3.0 s more for Turtle,
#: 1.1 s for RDF/XML, 0.3 s for N-Triples, all in the web process; pyoxigraph parses and
#: writes each in 50-60 ms, in native code, with no rdflib graph made (with the pruning of
#: unused prefixes below: Turtle 90 ms, RDF/XML 75, JSON-LD 80, N-Triples 50). Its output is
#: the same RDF (tests/test_rdf_at_scale.py), so every description takes this one path.
NATIVE = {
    formats.TURTLE: ox.RdfFormat.TURTLE,
    formats.NTRIPLES: ox.RdfFormat.N_TRIPLES,
    formats.RDFXML: ox.RdfFormat.RDF_XML,
    formats.JSONLD: ox.RdfFormat.JSON_LD,  # expanded: pyoxigraph does not compact
}
#: An XML element whose local name is empty (`<oxprefix:>`): how pyoxigraph writes a
#: predicate RDF/XML cannot split into a namespace and a name (`http://example.org/p/`),
#: which no XML parser reads. Text and attribute values escape `<`, so only an element matches.
_UNSPLIT = re.compile(rb"<[\w.-]+:[\s/>]")


def serialize_ntriples(data: bytes, media: str) -> bytes:
    """What the store answered as N-Triples (a description, a named graph), written as
    `media` by pyoxigraph, never becoming an rdflib graph: Turtle, N-Triples and RDF/XML
    always, JSON-LD beyond JSONLD_COMPACT_TRIPLES triples, as expanded JSON-LD. Up to it,
    JSON-LD is compacted with our context by rdflib (:func:`serialize`), as it always was:
    compaction is what rdflib does and pyoxigraph does not, and it is slow (1.7 s more than the
    parse for 57,000 triples), so it is kept to descriptions it takes a fraction of a second.
    What is left in the web process is bounded by the store's limits on an answer (100,000
    triples, 50 MB) and takes under 0.1 s per 7.5 MB of N-Triples (a country at 1M quads)."""
    if media == formats.JSONLD and _triples(data) <= int(
        current_app.config["JSONLD_COMPACT_TRIPLES"]
    ):
        return serialize(ntriples_graph(data), media)
    prefixes = PREFIXES if media in (formats.TURTLE, formats.RDFXML) else None
    try:
        triples = ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
        written = ox.serialize(triples, format=NATIVE[media], prefixes=prefixes) or b""
    except (OSError, ValueError) as exc:  # JSON-LD has no RDF 1.2 triple terms
        raise _unwritable(media, str(exc)) from None
    if media == formats.RDFXML:
        if _UNSPLIT.search(written):
            raise _unwritable(media, "a predicate cannot be split into a namespace and a name")
        return _used_namespaces_only(written)
    if media == formats.TURTLE:
        return _used_prefixes_only(written)
    return written


def _triples(data: bytes) -> int:
    """How many triples N-Triples holds: one a line, as the engine writes them."""
    return data.count(b"\n")


#: The prefix of a prefixed name in Turtle (and of anything in a literal that looks like one).
#: pyoxigraph writes a name after a space, a tab, a line end, `^^` (a datatype) or punctuation.
_PREFIXED = re.compile(rb"[\s^(\[,;]([A-Za-z][\w.-]*):")


def _used_prefixes_only(turtle: bytes) -> bytes:
    """Turtle without the @prefix lines of prefixes it does not use (issue 15): those named
    by an IRI of a datatype it writes bare (xsd:integer) or of rdf:type (written `a`). A name
    that only a literal's text holds keeps its line: harmless. One pass over the body."""
    end = 0
    while turtle.startswith(b"@prefix ", end):
        end = turtle.index(b"\n", end) + 1
    head, body = turtle[:end], turtle[end:]
    named = set(_PREFIXED.findall(turtle, max(end - 1, 0)))  # from the line end before
    kept = [line for line in head.splitlines(keepends=True) if line.split()[1][:-1] in named]
    return b"".join(kept) + body


#: A namespace the root element of RDF/XML declares, and an element named in one.
_XMLNS = re.compile(rb' xmlns:([\w.-]+)="[^"]*"')
_ELEMENT = re.compile(rb"<([\w.-]+):")


def _used_namespaces_only(xml: bytes) -> bytes:
    """RDF/XML without the declarations of our prefixes it does not use, as Turtle has only
    the @prefix lines it uses: pyoxigraph declares every prefix it is given on the root, and
    uses them in element names only (predicates, classes). One pass: 10 ms for 4.6 MB, where
    looking for each name in turn took 90."""
    end = xml.find(b">", xml.find(b"<rdf:RDF")) + 1
    head, body = xml[:end], xml[end:]
    named = set(_ELEMENT.findall(body))

    def used(declaration: re.Match[bytes]) -> bytes:
        name = declaration.group(1)
        ours = name.decode() in PREFIXES and name != b"rdf"
        return declaration.group(0) if not ours or name in named else b""

    return _XMLNS.sub(used, head) + body


def _unwritable(media: str, reason: str) -> NotAcceptable:
    return NotAcceptable(
        f"this document cannot be written as {media} ({reason}); ask for Turtle or N-Triples",
        allowed=(formats.TURTLE, formats.NTRIPLES),
    )


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
