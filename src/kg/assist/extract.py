"""From an article to a draft for review: the curator's assistant end to end (issue 14).

:func:`extract` reads nothing and writes nothing: it takes the article as read by
:func:`kg.assist.text.read_source` and the graph to link against, and returns the draft.
:func:`write_draft` puts a draft in its own folder, outside the served data: the document's
text (which the quotes are checked against), ``draft.ttl`` (the document's record and the
candidate facts, for a curator to edit and ``kg validate``) and ``review.json`` (what a review
page reads). Nothing here enters the graph: a curator accepts facts by submitting them.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS

from ..namespaces import bind_prefixes
from .document import DocumentRecord, known_document, record
from .draft import fact_graphs, to_graph, to_review_json
from .facts import Candidate, draft_facts
from .linking import Linker
from .model import Mention
from .text import Source, sentences


@dataclass(frozen=True)
class Draft:
    """What the assistant drafted from one article."""

    record: DocumentRecord
    #: the IRI of the same text when the graph has it already (then no new document is drafted)
    registered: str | None
    text: str
    mentions: list[Mention]
    candidates: list[Candidate]
    graph: Graph
    review: dict[str, Any]

    @property
    def document(self) -> str:
        return self.registered or self.record.iri


def extract(
    source: Source,
    context: Graph,
    *,
    linker: Linker | None = None,
    title: str | None = None,
    date: str | None = None,
    url: str | None = None,
    publisher: str | None = None,
) -> Draft:
    """Draft the facts of an article, linked against `context` (the served graph)."""
    described = record(source, title=title, date=date, url=url, publisher=publisher)
    registered = known_document(context, source.sha256)
    document = registered or described.iri
    linker = linker or Linker.from_graph(context)
    mentions = linker.mentions(source.text, publisher=_publisher(described, registered, context))
    candidates = draft_facts(source.text, sentences(source.text), mentions, described.date)
    existing = {str(s) for s in context.subjects()}
    graph = bind_prefixes(Graph())
    if registered is None:
        graph += described.graph()
    facts = fact_graphs(candidates, document, source.text, existing)  # minted and built once
    graph += to_graph(candidates, document, source.text, mentions=mentions, facts=facts)
    review = to_review_json(candidates, mentions, source.text, document, facts=facts)
    review["registered"] = registered
    return Draft(described, registered, source.text, mentions, candidates, graph, review)


def _publisher(described: DocumentRecord, registered: str | None, context: Graph) -> str | None:
    """The IRI of the article's publisher: given (an IRI or org:…), else the registered
    document's; a publisher given only by name links nothing."""
    given = described.graph().value(URIRef(described.iri), DCTERMS.publisher)
    if given is None and registered is not None:
        given = context.value(URIRef(registered), DCTERMS.publisher)
    return str(given) if isinstance(given, URIRef) else None


def write_draft(draft: Draft, drafts_dir: Path) -> Path:
    """Write the draft into its own folder under `drafts_dir` (named by the document, so the
    same article drafted again replaces its earlier draft) and return that folder."""
    name = draft.document.rstrip("/").rsplit("/", 1)[-1]
    folder = drafts_dir / name
    folder.mkdir(parents=True, exist_ok=True)
    # the quotes' own document, under the name its record gives, for `kg validate`
    (folder / Path(draft.record.file_name).name).write_text(draft.text, "utf-8")
    draft.graph.serialize(folder / "draft.ttl", format="turtle", encoding="utf-8")
    (folder / "review.json").write_text(
        json.dumps(draft.review, ensure_ascii=False, indent=1), "utf-8"
    )
    return folder


def summary(draft: Draft) -> list[str]:
    """What a curator reads after `kg extract`: what was found, and what needs a decision."""
    linked = [m for m in draft.mentions if m.iri and not m.new]
    new = [m for m in draft.mentions if m.new]
    ambiguous = [m for m in draft.mentions if m.iri is None]
    by_class = Counter(c.cls for c in draft.candidates)
    needs = sum(1 for c in draft.candidates if c.needs)
    facts = ", ".join(f"{n} {cls}" for cls, n in sorted(by_class.items())) or "none"
    lines = []
    if draft.registered:
        lines.append(
            f"the same text is registered already as {draft.registered}: "
            "the draft cites it and adds no new document"
        )
    else:
        lines.append(f"document: {draft.record.iri} ({draft.record.label})")
    lines += [
        f"mentions: {len(draft.mentions)} found, {len(linked)} linked to the graph, "
        f"{len(new)} new, {len(ambiguous)} ambiguous",
        f"facts: {len(draft.candidates)} drafted ({facts})",
        f"to decide: {needs} facts with an open question, {len(ambiguous)} ambiguous mentions",
    ]
    return lines
