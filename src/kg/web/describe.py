"""The view model of a resource's page: its statements with labels, not IRIs, its blank
nodes resolved, what points to it, and its evidence. The description itself comes from
:meth:`Store.describe <kg.store.interface.StoreQueries.describe>`. Things are named in the
language the reader prefers (Accept-Language), where the graph has a name in it, else in
English (issue #13).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from ..formats import choose_language
from ..namespaces import BASE, KG, OA
from ..store.interface import Store

#: How long the app waits for what it reads once at start (the ontology's labels).
STARTUP_TIMEOUT_S = 60.0
LABELS = (
    "SELECT ?term ?label WHERE { GRAPH graph:ontology { ?term rdfs:label|skos:prefLabel ?label } }"
)

#: Readable names for the predicates of other vocabularies that pages show.
KNOWN_LABELS = {
    RDF.type: "type",
    RDFS.label: "label",
    SKOS.altLabel: "also known as",
    SKOS.prefLabel: "preferred label",
    SKOS.definition: "definition",
    OWL.sameAs: "same as",
    URIRef("http://www.w3.org/2003/01/geo/wgs84_pos#lat"): "latitude",
    URIRef("http://www.w3.org/2003/01/geo/wgs84_pos#long"): "longitude",
    URIRef("http://purl.org/dc/terms/title"): "title",
    URIRef("http://purl.org/dc/terms/publisher"): "publisher",
    URIRef("http://purl.org/dc/terms/creator"): "author",
    URIRef("http://purl.org/dc/terms/date"): "date",
    URIRef("http://purl.org/dc/terms/language"): "language",
    URIRef("http://purl.org/dc/terms/description"): "description",
    SKOS.inScheme: "in scheme",
    SKOS.topConceptOf: "top concept of",
    RDFS.subClassOf: "subclass of",
    RDFS.subPropertyOf: "subproperty of",
    OWL.equivalentClass: "equivalent class",
    RDFS.domain: "domain",
    RDFS.range: "range",
}
#: The schema.org terms the build derives from ours (graph:schema-org, for clients without a
#: reasoner): pages show ours only, as the derived ones would repeat them.
SCHEMA = "https://schema.org/"
#: The language of the names every resource has (rdfs:label, issue #13's fallback).
FALLBACK_LANGUAGE = "en"
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def term_labels(store: Store) -> dict[URIRef, str]:
    """Labels of the ontology's classes, properties and concepts, for pages."""
    labels = dict(KNOWN_LABELS)
    for row in store.select(LABELS, timeout=STARTUP_TIMEOUT_S):
        labels.setdefault(URIRef(row["term"]), row["label"])
    return labels


def show_date(value: Literal) -> str:
    """Write a date at the precision it has: 25 April 2022, April 2024, 2019."""
    text = str(value)
    try:
        if value.datatype == XSD.date:
            day = date.fromisoformat(text)
            return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
        if value.datatype == XSD.gYearMonth:
            year, month = text.split("-")[:2]
            return f"{MONTHS[int(month) - 1]} {year}"
    except (ValueError, IndexError):
        return text
    return text


def link_for(iri: str) -> str:
    """Where a page may link for an IRI: its path here if we mint it, the IRI itself if it is
    http(s), else nothing: a curator's ``javascript:`` IRI is shown as text, never a link."""
    local = local_path(iri)
    if local is not None:
        return local
    return iri if iri.lower().startswith(("http://", "https://")) else ""


def local_path(iri: str) -> str | None:
    """The path on this server of an IRI we mint (None for other IRIs)."""
    if not iri.startswith(BASE):
        return None
    rest = iri[len(BASE) :]
    if "#" in rest:
        rest = rest.split("#", 1)[0] + "#" + rest.split("#", 1)[1]
    return "/" + rest


@dataclass
class Value:
    text: str
    href: str | None = None
    note: str | None = None  # language, datatype or "blank node"
    children: list[tuple[str, list[Value]]] = field(default_factory=list)
    lang: str | None = None  # the language of a linked thing's name, when not English


@dataclass
class EvidenceView:
    quote: str
    source_label: str
    source_href: str | None
    href: str | None = None  # the evidence's own page, when the build anchored it
    before: str = ""  # on that page: the text around the quote, to show it in place
    after: str = ""


@dataclass
class Page:
    iri: str
    label: str
    label_lang: str | None
    types: list[Value]
    facts: list[tuple[str, list[Value]]]
    evidence: list[EvidenceView]
    incoming: list[tuple[str, list[Value]]]


class PageBuilder:
    """Turn a description graph into what the HTML page shows, with labels, not IRIs."""

    def __init__(
        self,
        graph: Graph,
        subject: URIRef,
        labels: dict[URIRef, str],
        languages: Sequence[str] = (),
    ) -> None:
        """``languages``: the reader's language ranges, most preferred first."""
        self.graph = graph
        self.subject = subject
        self.labels = labels
        self.languages = [*languages, FALLBACK_LANGUAGE]

    def named(self, node: Node) -> Literal | None:
        """The node's name in the first of the reader's languages it has one in, else in
        English, else any name: rdfs:label before skos:prefLabel in the same language."""
        names = [
            o
            for p in (RDFS.label, SKOS.prefLabel)
            for o in self.graph.objects(node, p)
            if isinstance(o, Literal)
        ]
        if not names:
            return None
        language = choose_language(self.languages, {n.language for n in names if n.language})
        return next((n for n in names if n.language == language), names[0])

    def label(self, node: Node) -> str:
        found = self.named(node)
        if found is not None:
            return str(found)
        if isinstance(node, URIRef):
            if node in self.labels:
                return self.labels[node]
            text = str(node)
            return text.rsplit("#", 1)[-1] if "#" in text else text.rstrip("/").rsplit("/", 1)[-1]
        return str(node)

    def value(self, node: Node, depth: int = 0) -> Value:
        if isinstance(node, Literal):
            if node.datatype in (XSD.date, XSD.gYearMonth, XSD.gYear):
                return Value(show_date(node))
            return Value(str(node), note=node.language)
        if isinstance(node, BNode):
            children = self.properties(node, depth + 1) if depth < 2 else []
            return Value(
                self.label(node) if (node, RDFS.label, None) in self.graph else "",
                children=children,
            )
        return Value(self.label(node), href=link_for(str(node)) or None, lang=self.lang(node))

    def lang(self, node: Node) -> str | None:
        """The language of the node's name, where it is not the page's own (English)."""
        found = self.named(node)
        language = found.language if found is not None else None
        return language if language and language != FALLBACK_LANGUAGE else None

    def properties(self, node: Node, depth: int = 0) -> list[tuple[str, list[Value]]]:
        grouped: dict[str, list[Value]] = {}
        for predicate, obj in sorted(self.graph.predicate_objects(node), key=lambda po: str(po[0])):
            if predicate == RDF.type or (predicate in (RDFS.label, KG.evidence) and depth == 0):
                continue
            if str(predicate).startswith(SCHEMA):
                continue
            grouped.setdefault(self.label(predicate), []).append(self.value(obj, depth))
        return sorted(grouped.items())

    def evidence(self) -> list[EvidenceView]:
        views = []
        for ev in self.graph.objects(self.subject, KG.evidence):
            source = self.graph.value(ev, KG.source)
            quote = self.graph.value(ev, KG.quote)
            if source is None or quote is None:
                continue
            href = local_path(str(ev)) if isinstance(ev, URIRef) else None
            views.append(
                EvidenceView(str(quote), self.label(source), local_path(str(source)), href)
            )
        if (self.subject, OA.hasSelector, None) in self.graph:
            views.append(self.in_place())
        return sorted(views, key=lambda e: (e.source_label, e.quote))

    def in_place(self) -> EvidenceView:
        """An anchored evidence node's own quote, between the text before and after it."""
        source = self.graph.value(self.subject, OA.hasSource)
        view = EvidenceView(
            str(self.graph.value(self.subject, KG.quote) or ""),
            self.label(source) if source is not None else "",
            local_path(str(source)) if source is not None else None,
        )
        for selector in self.graph.objects(self.subject, OA.hasSelector):
            if (selector, OA.exact, None) in self.graph:
                view.quote = str(self.graph.value(selector, OA.exact))
                view.before = str(self.graph.value(selector, OA.prefix) or "")
                view.after = str(self.graph.value(selector, OA.suffix) or "")
        return view

    def incoming(self) -> list[tuple[str, list[Value]]]:
        grouped: dict[str, list[Value]] = {}
        for s, p in self.graph.subject_predicates(self.subject):
            if isinstance(s, URIRef) and not str(p).startswith(SCHEMA):
                grouped.setdefault(f"{self.label(p)} of", []).append(self.value(s))
        return sorted((k, sorted(v, key=lambda x: x.text)) for k, v in grouped.items())

    def page(self) -> Page:
        types = [
            self.value(t)
            for t in self.graph.objects(self.subject, RDF.type)
            if not str(t).startswith(SCHEMA)
        ]
        return Page(
            iri=str(self.subject),
            label=self.label(self.subject),
            label_lang=self.lang(self.subject),
            types=sorted(types, key=lambda v: v.text),
            facts=self.properties(self.subject),
            evidence=self.evidence(),
            incoming=self.incoming(),
        )
