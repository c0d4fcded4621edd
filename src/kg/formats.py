"""Content negotiation: which media type to answer with, from Accept headers and format parameters,
and which language pages name things in, from Accept-Language.

Pure functions, no Flask: https://www.rfc-editor.org/rfc/rfc9110#name-accept (q-values) and the
result formats of SPARQL 1.1 (https://www.w3.org/TR/sparql11-protocol/#query-success);
https://www.rfc-editor.org/rfc/rfc9110#name-accept-language and the lookup of RFC 4647
(https://www.rfc-editor.org/rfc/rfc4647#section-3.4) for languages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from werkzeug.datastructures import LanguageAccept, MIMEAccept
from werkzeug.http import parse_accept_header

SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
JSONLD = "application/ld+json"
RDFXML = "application/rdf+xml"
TRIG = "application/trig"
NQUADS = "application/n-quads"
HTML = "text/html"

#: What each kind of answer can be written as; the first is the default.
OFFERS: dict[str, tuple[str, ...]] = {
    "solutions": (SPARQL_JSON, SPARQL_XML, CSV, TSV),
    "graph": (TURTLE, NTRIPLES, JSONLD, RDFXML, TRIG, NQUADS),
    "resource": (TURTLE, JSONLD, NTRIPLES, RDFXML, HTML),
}

#: Other names clients use for the same types (SPARQLWrapper asks for application/json).
ALIASES: dict[str, dict[str, str]] = {
    "solutions": {
        "application/json": SPARQL_JSON,
        "text/javascript": SPARQL_JSON,
        "application/javascript": SPARQL_JSON,
        "application/xml": SPARQL_XML,
        "text/xml": SPARQL_XML,
        "text/plain": TSV,
    },
    "graph": {
        "application/json": JSONLD,
        "application/x-turtle": TURTLE,
        "text/n3": TURTLE,
        "text/plain": NTRIPLES,
        "application/xml": RDFXML,
        "text/xml": RDFXML,
        "application/x-trig": TRIG,
        "text/x-nquads": NQUADS,
    },
    "resource": {
        "text/plain": NTRIPLES,  # what rdflib asks for when told to read N-Triples
        "application/json": JSONLD,
        "application/x-turtle": TURTLE,
        "text/n3": TURTLE,
        "application/xml": RDFXML,
        "text/xml": RDFXML,
        "application/xhtml+xml": HTML,
    },
}

#: Short names accepted by the ``format``, ``output`` and ``results`` parameters.
SHORT_NAMES: dict[str, dict[str, str]] = {
    "solutions": {
        "json": SPARQL_JSON,
        "xml": SPARQL_XML,
        "csv": CSV,
        "tsv": TSV,
        "srj": SPARQL_JSON,
        "srx": SPARQL_XML,
    },
    "graph": {
        "turtle": TURTLE,
        "ttl": TURTLE,
        "nt": NTRIPLES,
        "ntriples": NTRIPLES,
        "n-triples": NTRIPLES,
        "json-ld": JSONLD,
        "jsonld": JSONLD,
        "json": JSONLD,
        "rdf": RDFXML,
        "rdfxml": RDFXML,
        "rdf/xml": RDFXML,
        "xml": RDFXML,
        "trig": TRIG,
        "nq": NQUADS,
        "nquads": NQUADS,
        "n-quads": NQUADS,
    },
    "resource": {
        "turtle": TURTLE,
        "ttl": TURTLE,
        "json-ld": JSONLD,
        "jsonld": JSONLD,
        "json": JSONLD,
        "nt": NTRIPLES,
        "ntriples": NTRIPLES,
        "rdf": RDFXML,
        "rdfxml": RDFXML,
        "xml": RDFXML,
        "html": HTML,
    },
}

#: File extensions of resource documents (``/city/khiva.ttl``).
EXTENSIONS: dict[str, str] = {
    ".ttl": TURTLE,
    ".jsonld": JSONLD,
    ".nt": NTRIPLES,
    ".rdf": RDFXML,
    ".html": HTML,
}


def split_extension(path: str) -> tuple[str, str | None]:
    """A linked-data path without the extension that names a format (``city/khiva.ttl``),
    and that format's media type; a document's ``.txt`` is its text."""
    for extension, media in EXTENSIONS.items():
        if path.endswith(extension):
            return path[: -len(extension)], media
    if path.endswith(".txt") and path.startswith("doc/"):
        return path[:-4], "text/plain"
    return path, None


RDFLIB_FORMAT: dict[str, str] = {
    TURTLE: "turtle",
    NTRIPLES: "nt",
    JSONLD: "json-ld",
    RDFXML: "xml",
    TRIG: "trig",
    NQUADS: "nquads",
}


def offered(kind: str) -> tuple[str, ...]:
    """The media types offered for a kind of answer, default first."""
    return OFFERS[kind]


def from_parameters(values: Sequence[str], kind: str) -> str | None:
    """Return the media type named by the first recognised format parameter, if any.

    Clients repeat the parameter (``format=json&output=json``) or give a MIME type; an
    unrecognised value is skipped so that the next one, or the Accept header, decides.
    """
    for value in values:
        name = value.strip().lower()
        if name in SHORT_NAMES[kind]:
            return SHORT_NAMES[kind][name]
        mime = name.split(";")[0].strip()
        if mime in OFFERS[kind]:
            return mime
        if mime in ALIASES[kind]:
            return ALIASES[kind][mime]
    return None


def choose(accept: str | None, kind: str, extra: Iterable[str] = ()) -> str | None:
    """Return the best media type for an Accept header, or None when nothing offered fits.

    No header, or ``*/*``, gives the default (first offer). ``extra`` adds types such as
    text/html that the caller serves itself. Aliases count as their canonical type.
    """
    if accept is not None and len(accept) > CACHED_ACCEPT_CHARS:
        return _match(accept, kind, tuple(extra))
    return _choose(accept, kind, tuple(extra))


#: Accept headers up to this long are matched once per text: clients send the same few again
#: and again (matching was 4 % of a one-row lookup's time, docs/performance.md); a longer one,
#: which may be hundreds of KB, is matched each time rather than kept.
CACHED_ACCEPT_CHARS = 1024


def _match(accept: str | None, kind: str, extra: tuple[str, ...]) -> str | None:
    offers = list(OFFERS[kind]) + list(extra)
    if not accept or not accept.strip():
        return offers[0]
    # a type's parameters (charset, a JSON-LD profile) say nothing we choose by: matched as
    # written, "text/csv; charset=utf-8" would fit no offer (406)
    parsed = MIMEAccept(
        [
            (value.split(";", 1)[0].strip(), quality)
            for value, quality in parse_accept_header(accept, MIMEAccept)
        ]
    )
    # an alias stands for its type: it cannot bring back a type the client refused (q=0)
    refused = {value.lower() for value, quality in parsed if quality == 0}
    aliases = [alias for alias, target in ALIASES[kind].items() if target not in refused]
    candidates = offers + aliases
    best = parsed.best_match(candidates)
    if best is None:
        return None
    # best_match keeps server order on ties, so an alias never beats an exact offer.
    return ALIASES[kind].get(best, best)


_choose = lru_cache(maxsize=1024)(_match)


def language_ranges(accept_language: str | None) -> list[str]:
    """The language ranges of an Accept-Language header, most preferred first, lower-case.

    Ranges of quality 0 (not acceptable) and the wildcard are left out: what is left when none
    fits is the caller's default. Equal qualities keep the header's order.
    """
    if not accept_language:
        return []
    parsed = parse_accept_header(accept_language, LanguageAccept)
    ranked = sorted(
        ((value.lower(), quality) for value, quality in parsed if value != "*" and quality > 0),
        key=lambda vq: -vq[1],
    )
    return [value for value, _ in ranked]


def choose_language(ranges: Sequence[str], available: Iterable[str]) -> str | None:
    """Return the tag of ``available`` that the first fitting range asks for, or None.

    RFC 4647 lookup: a range finds its own tag, or failing that the tag it truncates to
    (``ja-JP`` finds ``ja``); a range also finds a longer tag it is a prefix of (``zh`` finds
    ``zh-Hant``). Tags compare without regard to case.
    """
    tags = {tag.lower(): tag for tag in available}
    for wanted in ranges:
        parts = wanted.split("-")
        for end in range(len(parts), 0, -1):
            if (prefix := "-".join(parts[:end])) in tags:
                return tags[prefix]
        for lower, tag in tags.items():
            if lower.startswith(wanted + "-"):
                return tag
    return None
