"""Anchor every quote in its document, and mint the IRIs of evidence and roles.

https://www.w3.org/TR/annotation-model/#selectors — curators write a quote
(``kg:evidence [ kg:source doc:… ; kg:quote "…" ]``); the build finds it in the document's
text and turns the blank node into ``evidence:<doc>/<start>-<end>``, an ``oa:SpecificResource``
whose ``oa:hasSource`` is the document and whose ``oa:hasSelector`` are an
``oa:TextQuoteSelector`` (exact, prefix, suffix) and an ``oa:TextPositionSelector`` (start,
end). Offsets are Python ``str`` indices: Unicode code points, as the model says
(https://www.w3.org/TR/annotation-model/#text-position-selector), end exclusive.

A quote found more than once is placed by the ``oa:prefix`` / ``oa:suffix`` the curator wrote
on the evidence node: exactly one occurrence must be preceded by the prefix and followed by
the suffix. A quote not found at all is left as it is, for :func:`kg.graph.validate.validate`
to report. Roles (``kg:role [ … ]``) become ``role:<person>/<role-name>[-<date>]``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from ..errors import BuildError
from ..namespaces import DOC, EVIDENCE, KG, OA, ROLE

#: How much text the TextQuoteSelector keeps on each side of the quote.
CONTEXT_CHARS = 32


def evidence_iri(document: str, start: int, end: int) -> URIRef:
    """The IRI of the quote ``text[start:end]`` of a document (its local name, e.g. 001_…)."""
    return EVIDENCE[f"{document}/{start}-{end}"]


def document_id(source: Node) -> str | None:
    """The local name of a document's IRI (``doc:001_…`` → ``001_…``), or None."""
    text = str(source)
    return text[len(DOC) :] if isinstance(source, URIRef) and text.startswith(DOC) else None


def occurrences(text: str, quote: str) -> list[int]:
    """Every offset where the quote starts in the text, overlapping ones included."""
    found, start = [], text.find(quote)
    while start >= 0:
        found.append(start)
        start = text.find(quote, start + 1)
    return found


def placed(
    text: str, quote: str, prefix: str | None = None, suffix: str | None = None
) -> list[int]:
    """The offsets of the quote's occurrences that the text just before it (`prefix`) and
    just after it (`suffix`), where given, agree with."""
    return [
        s
        for s in occurrences(text, quote)
        if (prefix is None or text[:s].endswith(prefix))
        and (suffix is None or text[s + len(quote) :].startswith(suffix))
    ]


def locate(text: str, quote: str, prefix: str | None = None, suffix: str | None = None) -> int:
    """Return where the quote starts; -1 if it is not in the text.

    Raises BuildError if it occurs more than once and the prefix / suffix do not single out
    one occurrence.
    """
    starts = placed(text, quote, prefix, suffix)
    if len(starts) > 1:
        raise BuildError(
            f"the quote {quote[:60]!r} occurs {len(starts)} times (at offsets "
            f"{', '.join(map(str, starts))}); say which with oa:prefix or oa:suffix on the "
            "evidence node: the text just before or after the one you mean"
        )
    return starts[0] if starts else -1


def rename(graph: Graph, old: Node, new: URIRef) -> None:
    """Replace a node by an IRI wherever it occurs in the graph."""
    for s, p, o in list(graph.triples((old, None, None))):
        graph.remove((s, p, o))
        graph.add((new, p, o))
    for s, p, o in list(graph.triples((None, None, old))):
        graph.remove((s, p, o))
        graph.add((s, p, new))


def anchor_evidence(graph: Graph, texts: Callable[[str], str | None], where: str) -> int:
    """Give every blank evidence node of the graph its IRI and selectors; return how many.

    `texts` returns a document's text by its local name (None if it has none). `where` names
    the file for messages.
    """
    anchored = 0
    minted: set[URIRef] = set()
    for node in sorted(set(graph.objects(None, KG.evidence)), key=str):
        if not isinstance(node, BNode):
            continue
        source, quote = graph.value(node, KG.source), graph.value(node, KG.quote)
        document = document_id(source) if source is not None else None
        text = texts(document) if document else None
        if quote is None or text is None:
            continue  # the shapes and the quote check report what is missing
        prefix, suffix = graph.value(node, OA.prefix), graph.value(node, OA.suffix)
        try:
            start = locate(
                text,
                str(quote),
                str(prefix) if prefix is not None else None,
                str(suffix) if suffix is not None else None,
            )
        except BuildError as exc:
            raise BuildError(f"{where}: {exc}") from None
        if start < 0:
            continue
        end = start + len(str(quote))
        iri = evidence_iri(str(document), start, end)
        graph.remove((node, OA.prefix, None))
        graph.remove((node, OA.suffix, None))
        rename(graph, node, iri)
        anchored += 1
        if iri not in minted:
            minted.add(iri)
            add_selectors(graph, iri, source, text, start, end)  # type: ignore[arg-type]
    return anchored


def add_selectors(
    graph: Graph, iri: URIRef, source: URIRef, text: str, start: int, end: int
) -> None:
    """State the evidence as a Web Annotation specific resource of its document."""
    graph.add((iri, RDF.type, OA.SpecificResource))
    graph.add((iri, OA.hasSource, source))
    quote, position = BNode(), BNode()
    graph.add((iri, OA.hasSelector, quote))
    graph.add((quote, RDF.type, OA.TextQuoteSelector))
    graph.add((quote, OA.exact, Literal(text[start:end])))
    graph.add((quote, OA.prefix, Literal(text[max(0, start - CONTEXT_CHARS) : start])))
    graph.add((quote, OA.suffix, Literal(text[end : end + CONTEXT_CHARS])))
    graph.add((iri, OA.hasSelector, position))
    graph.add((position, RDF.type, OA.TextPositionSelector))
    graph.add((position, OA.start, Literal(start, datatype=XSD.integer)))
    graph.add((position, OA.end, Literal(end, datatype=XSD.integer)))


def slug(text: str) -> str:
    """Lower-case ASCII words joined by hyphens (non-ASCII letters dropped)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def role_iri(graph: Graph, person: Node, role: Node) -> URIRef:
    """``role:<person>/<role name>[-<date>]``: the person's local name, the slug of the
    English role name, and the role's date (or start date) as written."""
    name = graph.value(role, KG.roleName)
    date = graph.value(role, KG.date) or graph.value(role, KG.startDate)
    person_name = str(person).rstrip("/").rsplit("/", 1)[-1]
    local = slug(str(name)) if name is not None else "role"
    if date is not None:
        local += f"-{date}"
    return ROLE[f"{person_name}/{local}"]


def mint_roles(graph: Graph, where: str) -> int:
    """Give every blank role of the graph its IRI; return how many."""
    minted: dict[URIRef, Node] = {}
    for person, role in sorted(graph.subject_objects(KG.role), key=lambda po: str(po[0])):
        if not isinstance(role, BNode) or not isinstance(person, URIRef):
            continue
        iri = role_iri(graph, person, role)
        if iri in minted or (iri, None, None) in graph:
            raise BuildError(
                f"{where}: two roles of {person} would be {iri}; give them different "
                "kg:roleName or kg:date"
            )
        minted[iri] = role
        rename(graph, role, iri)
    return len(minted)
