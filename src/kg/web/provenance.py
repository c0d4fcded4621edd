"""Provenance you can see (issue #15, point 3): a document's text with every quote the graph
cites it by highlighted in place, from the evidence's offsets, and beside it the facts each
quote supports; a fact's quote links to its place in the text.

The offsets are the build's (``oa:TextPositionSelector``, Unicode code points, end exclusive:
graph/anchor.py), so a Python string slices the text exactly; a quote whose offsets do not
give its words (a text edited after the build) is listed, never highlighted in the wrong place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from ..graph.dataset import text_folders
from ..store.checking import registered_documents
from ..store.interface import sparql_iri
from .describe import Value, link_for
from .listings import Select

#: Every quote of a document with its offsets, and the facts it supports (the fact's own
#: evidence, or a blank node's of it: a participation), with their names.
QUOTES = """
SELECT ?ev ?start ?end ?quote ?fact ?label WHERE {
  ?ev oa:hasSource DOC ; kg:quote ?quote ; oa:hasSelector ?sel .
  ?sel oa:start ?start ; oa:end ?end .
  OPTIONAL {
    { ?fact kg:evidence ?ev }
    UNION { ?fact ?via ?node . ?node kg:evidence ?ev FILTER isBlank(?node) }
    FILTER isIRI(?fact)
    OPTIONAL { VALUES ?name { rdfs:label kg:roleName } ?fact ?name ?label
      FILTER(LANG(?label) IN ("en", "")) }
  }
}"""


@dataclass(eq=False)
class Quote:
    start: int
    end: int
    text: str
    href: str  # the quote's own page
    facts: list[Value] = field(default_factory=list)
    placed: bool = True  # whether the offsets give the quote's words in the text
    number: int = 0  # its place in the list beside the text, from 1

    @property
    def anchor(self) -> str:
        """The id of its place in the document's text (``#q-<start>-<end>``)."""
        return f"q-{self.start}-{self.end}"

    @property
    def entry(self) -> str:
        """The id of its entry in the list beside the text."""
        return f"quote-{self.start}-{self.end}"


@dataclass
class Segment:
    """A run of the text covered by the same quotes (none: plain text)."""

    text: str
    quotes: list[Quote]  # the quotes covering it, the innermost (shortest) first
    opens: list[Quote]  # the quotes that start here: their anchors go before it
    closes: list[Quote]  # the quotes that end here: their numbers go after it


def text_file(name: str, settings: dict[str, object] | None = None) -> Path | None:
    """The file of a document's text, by the document's local name: a source document's, or
    one registered on the review page (exported, or still under VAR_DIR). Only files the
    folders hold are looked up by name, never a path made from the request."""
    config = settings if settings is not None else current_app.config
    folders = (*text_folders(Path(str(config["DATA_DIR"]))), registered_documents(config))
    for folder in folders:
        found = {p.stem: p for p in folder.glob("*.txt")}.get(name)
        if found is not None:
            return found
    return None


def quotes_of(select: Select, document: str, text: str) -> list[Quote]:
    """The document's quotes in text order, each with the facts it supports."""
    by_iri: dict[str, Quote] = {}
    facts: dict[Quote, dict[str, set[str]]] = {}
    for row in select(QUOTES.replace("DOC", sparql_iri(document))):
        quote = by_iri.get(row["ev"])
        if quote is None:
            start, end = int(row["start"]), int(row["end"])
            quote = Quote(start, end, row["quote"], link_for(row["ev"]))
            quote.placed = 0 <= start < end <= len(text) and text[start:end] == row["quote"]
            by_iri[row["ev"]] = quote
        if row.get("fact"):
            facts.setdefault(quote, {}).setdefault(row["fact"], set()).add(row.get("label", ""))
    for quote, named in facts.items():
        # one name a fact (the least, should it have two), whatever order the store answers in
        quote.facts = [
            Value(min((x for x in n if x), default=iri), link_for(iri)) for iri, n in named.items()
        ]
    ordered = sorted(by_iri.values(), key=lambda q: (q.start, -q.end, q.href))
    for number, quote in enumerate(ordered, start=1):
        quote.facts.sort(key=lambda v: (v.text, v.href or ""))
        quote.number = number
    return ordered


def segments(text: str, quotes: Iterable[Quote]) -> list[Segment]:
    """The text cut at every quote's start and end; quotes may overlap or nest."""
    placed = [q for q in quotes if q.placed]
    cuts = sorted({0, len(text), *(q.start for q in placed), *(q.end for q in placed)})
    runs = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        covering = [q for q in placed if q.start <= start and end <= q.end]
        covering.sort(key=lambda q: (q.end - q.start, q.start))
        opens = [q for q in placed if q.start == start]
        closes = [q for q in placed if q.end == end]
        runs.append(Segment(text[start:end], covering, opens, closes))
    return runs


@dataclass
class Provenance:
    """What a document's page shows of its text: the runs of it, and the quotes in order."""

    segments: list[Segment]
    quotes: list[Quote]

    @property
    def unplaced(self) -> list[Quote]:
        return [q for q in self.quotes if not q.placed]


def provenance(select: Select, document: str, name: str) -> Provenance | None:
    """The document's text with its quotes, or None when the server has no text for it;
    `select` answers its query (the page's, within its deadline)."""
    path = text_file(name)
    if path is None:
        return None
    text = path.read_text("utf-8")
    quotes = quotes_of(select, document, text)
    return Provenance(segments(text, quotes), quotes)
