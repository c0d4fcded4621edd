"""A new article as a `kg:Document`, described as data/documents.ttl describes the five.

**Its IRI.** docs/modelling.md gives no rule for minting a document's IRI (the five are named
after their files, ``doc:000_74681c818d2b02ab``), so a new one is
``doc:<the first 16 hex digits of its text's SHA-256>``: the same text always gets the same
IRI, and the curator saves the text as ``data/<those 16 digits>.txt`` (its ``kg:fileName``),
which is how the build finds a document's text from its IRI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date as calendar_date
from pathlib import PurePath
from urllib.parse import urlsplit

from rdflib import RDF, RDFS, XSD, ConjunctiveGraph, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from ..graph.parsing import quiet_rdflib_deprecations
from ..namespaces import DOC, KG, PREFIXES, bind_prefixes
from .text import Source

DCTERMS = Namespace(PREFIXES["dcterms"])

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PREFIXED = re.compile(r"([a-z]+):([A-Za-z0-9_.-]+)")
_SPACE = re.compile(r"\s+")


class DocumentError(ValueError):
    """A document's description given wrongly (its date, URL); the message is one line."""


@dataclass(frozen=True)
class DocumentRecord:
    """What the graph says of a document: its IRI, label and the optional facts given."""

    iri: str
    label: str
    file_name: str  # the text's file in data/: <local name>.txt
    sha256: str
    title: str | None = None
    date: str | None = None  # YYYY-MM-DD
    url: str | None = None
    publisher: str | None = None  # an IRI (full or prefixed, org:…) or a name

    def graph(self) -> Graph:
        """The document's triples, with the project's prefixes bound."""
        graph = bind_prefixes(Graph())
        node = URIRef(self.iri)
        graph.add((node, RDF.type, KG.Document))
        graph.add((node, RDFS.label, Literal(self.label, lang="en")))
        if self.title:
            graph.add((node, DCTERMS.title, Literal(self.title, lang="en")))
        if self.date:
            graph.add((node, DCTERMS.date, Literal(self.date, datatype=XSD.date)))
        if self.url:
            # dcterms:source: the web page the text was taken from, as submissions cite theirs
            graph.add((node, DCTERMS.source, URIRef(self.url)))
        if self.publisher:
            graph.add((node, DCTERMS.publisher, _agent(self.publisher)))
        graph.add((node, DCTERMS.language, Literal("en")))
        graph.add((node, KG.fileName, Literal(self.file_name)))
        graph.add((node, KG.sha256, Literal(self.sha256)))
        return graph


def document_iri(sha256: str) -> str:
    """The IRI a new document's text gets (see the module's docstring)."""
    return str(DOC[sha256[:16]])


def record(
    source: Source,
    *,
    title: str | None = None,
    date: str | None = None,
    url: str | None = None,
    publisher: str | None = None,
) -> DocumentRecord:
    """The record of an article read by `read_source`; raise DocumentError for a bad date or
    URL. The title given wins over the one the file has; without either, the label names the
    file, for the curator to replace."""
    iri = document_iri(source.sha256)
    title = _one_line(title) or source.title
    label = title or f"{PurePath(source.file_name).name} (no title)"
    return DocumentRecord(
        iri=iri,
        label=label,
        file_name=f"{iri.removeprefix(str(DOC))}.txt",
        sha256=source.sha256,
        title=title,
        date=_checked_date(date),
        url=_checked_url(url),
        publisher=_one_line(publisher),
    )


def describe(
    source: Source,
    *,
    title: str | None = None,
    date: str | None = None,
    url: str | None = None,
    publisher: str | None = None,
) -> Graph:
    """The `kg:Document` of an article, as a graph (see `record`)."""
    return record(source, title=title, date=date, url=url, publisher=publisher).graph()


def known_document(graph: Graph, sha256: str) -> str | None:
    """The IRI of the document already registered with this text's SHA-256, or None.

    Reads every named graph of a Dataset (the built graph keeps documents in graph:sources).
    """
    wanted = sha256.strip().lower()
    found = sorted(
        str(subject)
        for subject, value in _sha256_values(graph)
        if isinstance(subject, URIRef) and str(value).strip().lower() == wanted
    )
    return found[0] if found else None


def _sha256_values(graph: Graph) -> list[tuple[Node, Node]]:
    with quiet_rdflib_deprecations():
        if isinstance(graph, Dataset | ConjunctiveGraph):
            return [(s, o) for s, _, o, _ in graph.quads((None, KG.sha256, None, None))]
        return list(graph.subject_objects(KG.sha256))


def _checked_date(date: str | None) -> str | None:
    if date is None or not date.strip():
        return None
    text = date.strip()
    try:
        if not _DATE.fullmatch(text):
            raise ValueError
        calendar_date.fromisoformat(text)
    except ValueError:
        raise DocumentError(
            f"the date {date!r} is not a calendar date written YYYY-MM-DD"
        ) from None
    return text


def _checked_url(url: str | None) -> str | None:
    if url is None or not url.strip():
        return None
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or _SPACE.search(text):
        raise DocumentError(f"the URL {url!r} is not an http or https address")
    return text


def _agent(publisher: str) -> Node:
    """An IRI when the publisher is given as one (https://…, or org:… with our prefixes),
    else the name as a literal."""
    if urlsplit(publisher).scheme in ("http", "https") and not _SPACE.search(publisher):
        return URIRef(publisher)
    prefixed = _PREFIXED.fullmatch(publisher)
    if prefixed and prefixed[1] in PREFIXES:
        return URIRef(PREFIXES[prefixed[1]] + prefixed[2])
    return Literal(publisher)


def _one_line(value: str | None) -> str | None:
    return _SPACE.sub(" ", value).strip() or None if value else None
