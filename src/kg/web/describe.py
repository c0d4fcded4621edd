"""The view model of a resource's page, Wikidata-class (issue #15): a summary line, the key
statements first in a fixed order per class, each with the quotes that state it, derived
values (the build's kg:year) hidden, identifiers named by their source, what points to it
grouped by property, and, for a document, the facts that cite it. The description itself
comes from :meth:`Store.describe <kg.store.interface.StoreQueries.describe>`. Things are
named in the language the reader prefers (Accept-Language), where the graph has a name in
it, else in English (issue #13).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from .. import formats
from ..formats import choose_language
from ..graph.support import date_appears, derivations, name_variants, normalise, overlap
from ..namespaces import BASE, EVIDENCE, KG, OA, SCHEMA
from ..store.interface import Store
from .listings import Chosen, Contents, Incoming, Listing, heading_key

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
#: schema.org properties a page's description always gives as a list (a place may be several)
LISTED = {"location", "containedInPlace"}
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


def in_text(evidence_href: str | None) -> str | None:
    """A quote page's path (``/evidence/<doc>/<start>-<end>``) as its place in the document's
    page (``/doc/<doc>#q-<start>-<end>``)."""
    prefix = "/" + str(EVIDENCE)[len(BASE) :]
    if not evidence_href or not evidence_href.startswith(prefix):
        return None
    document, _, span = evidence_href[len(prefix) :].rpartition("/")
    return f"/doc/{document}#q-{span}" if document and span else None


def local_path(iri: str) -> str | None:
    """The path on this server of an IRI we mint (None for other IRIs)."""
    if not iri.startswith(BASE):
        return None
    rest = iri[len(BASE) :]
    if rest.startswith("/"):  # "//evil.example/x" would be a link to another site
        return None
    if "#" in rest:
        rest = rest.split("#", 1)[0] + "#" + rest.split("#", 1)[1]
    return "/" + rest


GEO_LAT = URIRef("http://www.w3.org/2003/01/geo/wgs84_pos#lat")
GEO_LONG = URIRef("http://www.w3.org/2003/01/geo/wgs84_pos#long")
#: The statement that stands for the two coordinates, shown as one ("41.31° N, 69.28° E").
COORDINATES = URIRef(BASE + "page#coordinates")
DATES = (KG.date, KG.startDate, KG.endDate, KG.foundingDate)
PLACES = (KG.location, KG.inCity, KG.inRegion, KG.country, KG.twinnedPlace)

#: What a reader looks for first, per class, in this order (Wikidata's key statements); every
#: other statement follows, by name. One table: a class not listed takes DEFAULT_KEYS.
_EVENT = (
    KG.status,
    KG.eventType,
    KG.date,
    KG.startDate,
    KG.endDate,
    KG.location,
    KG.country,
    KG.participatingCountry,
    KG.participation,
    KG.participant,
    KG.organizer,
    KG.subEventOf,
    KG.partOfSeries,
    KG.edition,
    KG.featuredWork,
)
_PLACE = (KG.country, KG.inRegion, KG.inCity, COORDINATES, KG.iso3166Code, OWL.sameAs)
KEY_FACTS: dict[URIRef, tuple[URIRef, ...]] = {
    KG.CulturalEvent: _EVENT,
    KG.HistoricalEvent: _EVENT,
    KG.SportsEvent: _EVENT,
    KG.EventSeries: (KG.eventType, KG.location, KG.country, KG.participation, KG.organizer),
    KG.Plan: (KG.status, KG.eventType, *DATES[:3], KG.location, KG.participatingCountry),
    KG.Agreement: (
        KG.status,
        KG.agreementType,
        KG.date,
        KG.party,
        KG.signatory,
        KG.participation,
        KG.field,
        KG.concludedAt,
    ),
    KG.Programme: (KG.status, *DATES[:3], KG.participation, KG.country),
    KG.CityTwinning: (KG.status, KG.twinnedPlace, KG.date, KG.startDate),
    KG.Award: (KG.status, KG.awardName, KG.recipient, KG.conferredBy, KG.date, KG.reason),
    KG.Statistic: (
        KG.measure,
        KG.value,
        KG.unitOfMeasure,
        KG.unit,
        KG.qualifier,
        KG.about,
        KG.date,
        KG.partOf,
    ),
    KG.Person: (KG.role, KG.country),
    KG.Role: (KG.roleName, KG.roleIn, *DATES[:3]),
    KG.Organization: (KG.foundingDate, KG.founder, KG.inCity, KG.country, KG.partner),
    KG.Country: (KG.iso3166Code, COORDINATES, OWL.sameAs),
    KG.Region: _PLACE,
    KG.City: _PLACE,
    KG.Venue: (KG.inCity, KG.country, COORDINATES),
    KG.Facility: (KG.inCity, KG.country, KG.builtBy),
    KG.Document: (
        DCTERMS.title,
        DCTERMS.publisher,
        DCTERMS.creator,
        DCTERMS.date,
        DCTERMS.language,
        KG.fileName,
    ),
    KG.Evidence: (KG.quote, KG.source),
}
DEFAULT_KEYS = (KG.status, *DATES, *PLACES, COORDINATES, OWL.sameAs)
#: Values the build derives from others (the year of every date) or that only say how another
#: value was derived: not statements of their own (a derivation is the note of its statement).
HIDDEN = {
    RDF.type,
    RDFS.label,
    KG.evidence,
    KG.year,
    KG.derivation,
    KG.countryDerivedFrom,
    KG.dateDerivedBy,
    KG.geonamesId,  # shown as the GeoNames link of owl:sameAs
}
#: External identifiers, named by their source: (IRI prefix, source name).
IDENTIFIERS = (
    ("https://sws.geonames.org/", "GeoNames"),
    ("http://sws.geonames.org/", "GeoNames"),
    ("https://www.geonames.org/", "GeoNames"),
    ("http://www.wikidata.org/entity/", "Wikidata"),
    ("https://www.wikidata.org/wiki/", "Wikidata"),
    ("http://dbpedia.org/resource/", "DBpedia"),
    ("https://viaf.org/viaf/", "VIAF"),
)
#: The formats a page is offered in, by the names people know them by.
FORMAT_NAMES = {
    formats.TURTLE: "Turtle",
    formats.JSONLD: "JSON-LD",
    formats.NTRIPLES: "N-Triples",
    formats.RDFXML: "RDF/XML",
}


def _by_name(value: Value) -> tuple[str, str]:
    """By name, then IRI: two things may share a name (two governors' roles), and every store,
    whatever order it answers in, must list them alike."""
    return value.text, value.href or ""


def schema_description(graph: Graph, subject: URIRef) -> dict[str, Any] | None:
    """The page's entity as schema.org JSON-LD for search engines, from the schema.org view
    the build derives (graph:schema-org); none when the view says nothing of it."""
    types: list[str] = []
    properties: dict[str, list[Any]] = {}
    for p, o in sorted(graph.predicate_objects(subject)):
        if not str(p).startswith(SCHEMA) and p != RDF.type:
            continue
        if p == RDF.type:
            if str(o).startswith(SCHEMA):
                types.append(str(o)[len(SCHEMA) :])
            continue
        value = {"@id": str(o)} if isinstance(o, URIRef) else str(o)
        properties.setdefault(str(p)[len(SCHEMA) :], []).append(value)
    if not types:
        return None
    described: dict[str, Any] = {"@context": {"@vocab": SCHEMA}, "@id": str(subject)}
    described["@type"] = types[0] if len(types) == 1 else types
    labels = sorted(
        graph.objects(subject, RDFS.label), key=lambda o: getattr(o, "language", "") != "en"
    )
    if labels:
        described["name"] = str(labels[0])  # English first: the pages' own fallback
    for name, values in properties.items():  # one value stays one value; several a list
        described[name] = values[0] if len(values) == 1 and name not in LISTED else values
    return described


def _language(term: Node) -> str | None:
    return term.language if isinstance(term, Literal) else None


def format_links(alternates: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(href, media type, name) of each RDF format a page is offered in."""
    return [
        (href, media, FORMAT_NAMES[media]) for href, media in alternates if media in FORMAT_NAMES
    ]


def identifier(iri: str) -> str | None:
    """ "GeoNames 1513604" for a GeoNames IRI: an identifier named by its source."""
    for prefix, source in IDENTIFIERS:
        if iri.startswith(prefix):
            return f"{source} {iri[len(prefix) :].strip('/')}"
    return None


def span_text(start: str, end: str) -> str:
    """25–30 April 2022 for two days of one month, else both dates in full."""
    first, last = start.split(" ", 1), end.split(" ", 1)
    if len(first) == 2 and first[0].isdigit() and first[1] == last[-1]:
        return f"{first[0]}–{end}"
    return f"{start} – {end}"


def degrees(lat: Literal, long: Literal) -> str | None:
    """41.31° N, 69.28° E."""
    try:
        y, x = float(lat), float(long)
    except (TypeError, ValueError):
        return None
    return f"{abs(y):.2f}° {'N' if y >= 0 else 'S'}, {abs(x):.2f}° {'E' if x >= 0 else 'W'}"


@dataclass
class Value:
    text: str
    href: str | None = None
    note: str | None = None  # language, datatype or "blank node"
    children: list[Statement] = field(default_factory=list)
    lang: str | None = None  # the language of a linked thing's name, when not English


@dataclass
class EvidenceView:
    quote: str
    source_label: str
    source_href: str | None
    href: str | None = None  # the evidence's own page, when the build anchored it
    before: str = ""  # on that page: the text around the quote, to show it in place
    after: str = ""

    @property
    def in_text(self) -> str | None:
        """Its place in the document's text, highlighted on the document's page."""
        return in_text(self.href)


@dataclass
class Statement:
    name: str
    prop: str  # the property's IRI, for machines reading the page (and tests)
    values: list[Value]
    quotes: list[EvidenceView] = field(default_factory=list)
    note: str = ""  # how a derived value follows ("derived: enclosing place")


@dataclass
class Citation:
    fact: Value
    quotes: list[EvidenceView]


@dataclass
class Shown:
    """A list a page shows the first few of, and what it says of the rest (pages.more(): the
    total and the link to the query listing them all), filled in by the view."""

    name: str
    values: list[Any]
    listing: Listing
    rest: dict[str, Any] = field(default_factory=dict)


@dataclass
class Page:
    iri: str
    label: str
    label_lang: str | None
    types: list[Value]
    summary: list[Value]
    facts: list[Statement]
    evidence: list[EvidenceView]
    incoming: list[Shown]
    cited_by: Shown | None = None
    contents: Shown | None = None  # a named graph's: (thing, its classes) each
    statements: int = 0  # a named graph's, in all

    @property
    def lists(self) -> list[Shown]:
        """Every list the page shows the first few of."""
        listed = [*self.incoming, self.cited_by, self.contents]
        return [shown for shown in listed if shown is not None]


def _shortened(text: str, most: int = 90) -> str:
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


class PageBuilder:
    """Turn a description graph into what the HTML page shows, with labels, not IRIs."""

    def __init__(
        self,
        graph: Graph,
        subject: URIRef,
        labels: dict[URIRef, str],
        languages: Sequence[str] = (),
        links: Incoming | None = None,
        citing: Chosen | None = None,
        contents: Contents | None = None,
    ) -> None:
        """``graph``: what the subject says itself (:func:`own_description`); ``languages``: the
        reader's language ranges, most preferred first; ``links``: the first few of what points
        to it (:func:`incoming`); ``citing``: for a document, the first few facts that cite it
        (:func:`citing`); ``contents``: for a named graph, the first few things it describes
        (:func:`contents`)."""
        self.languages = [*languages, FALLBACK_LANGUAGE]
        self.subject = subject
        self.labels = labels
        self.links = links or Incoming(Graph(), {}, False)
        self.citing = citing
        self.listed = contents
        # what points here is named as the subject's own statements name things: one graph
        self.graph = graph + self.links.graph if links else graph

    def named(self, node: Node, graph: Graph | None = None) -> Literal | None:
        """The node's name in the first of the reader's languages it has one in, else in
        English, else any name: rdfs:label before skos:prefLabel in the same language."""
        graph = self.graph if graph is None else graph
        names = [
            o
            for p in (RDFS.label, SKOS.prefLabel, KG.roleName)  # a role is named by its name
            for o in graph.objects(node, p)
            if isinstance(o, Literal)
        ]
        if not names:
            return None
        language = choose_language(self.languages, {n.language for n in names if n.language})
        return next((n for n in names if n.language == language), names[0])

    def label(self, node: Node, graph: Graph | None = None) -> str:
        found = self.named(node, graph)
        if found is not None:
            return str(found)
        if isinstance(node, URIRef):
            if node in self.labels:
                return self.labels[node]
            text = str(node)
            return text.rsplit("#", 1)[-1] if "#" in text else text.rstrip("/").rsplit("/", 1)[-1]
        return str(node)

    def value(self, node: Node, depth: int = 0, graph: Graph | None = None) -> Value:
        if isinstance(node, Literal):
            if node.datatype in (XSD.date, XSD.gYearMonth, XSD.gYear):
                return Value(show_date(node))
            return Value(str(node), note=node.language)
        if isinstance(node, BNode):
            children = self.statements(node, depth + 1) if depth < 2 else []
            return Value(
                self.label(node) if (node, RDFS.label, None) in self.graph else "",
                children=children,
            )
        named = identifier(str(node))
        if named is not None:
            return Value(named, href=link_for(str(node)) or None)
        role = self.graph.value(node, KG.roleName)
        if role is not None and depth == 0:  # a role: its name, with where and when
            children = [s for s in self.statements(node, depth + 1) if s.prop != str(KG.roleName)]
            return Value(str(role), href=link_for(str(node)) or None, children=children)
        found = self.named(node, graph)
        lang = found.language if found is not None else None
        return Value(
            self.label(node, graph),
            href=link_for(str(node)) or None,
            lang=lang if lang and lang != FALLBACK_LANGUAGE else None,
        )

    def lang(self, node: Node) -> str | None:
        """The language of the node's name, where it is not the page's own (English)."""
        found = self.named(node)
        language = found.language if found is not None else None
        return language if language and language != FALLBACK_LANGUAGE else None

    def key_order(self, node: Node) -> tuple[URIRef, ...]:
        """The key statements of the node's class, first of its classes listed."""
        for cls in sorted(self.graph.objects(node, RDF.type), key=str):
            if isinstance(cls, URIRef) and cls in KEY_FACTS:
                return KEY_FACTS[cls]
        return DEFAULT_KEYS

    def statements(self, node: Node, depth: int = 0) -> list[Statement]:
        """The node's statements, key ones first in the order of its class, then by name."""
        grouped: dict[URIRef, list[Node]] = {}
        for predicate, obj in self.graph.predicate_objects(node):
            if predicate in HIDDEN:
                continue
            if str(predicate).startswith(SCHEMA) or predicate in (GEO_LAT, GEO_LONG):
                continue
            if not isinstance(predicate, URIRef):  # never so in RDF; for the type checker
                continue
            grouped.setdefault(predicate, []).append(obj)
        made = [self.statement(node, p, objs, depth) for p, objs in grouped.items()]
        made += self.coordinates(node)
        order = {p: i for i, p in enumerate(self.key_order(node))}
        return sorted(made, key=lambda s: (order.get(URIRef(s.prop), len(order)), s.name))

    def statement(self, node: Node, prop: URIRef, objs: list[Node], depth: int) -> Statement:
        ordered = sorted(objs, key=lambda o: (self.label(o), str(o)))
        values = [self.value(o, depth) for o in ordered]
        name = self.label(prop)
        if prop == OWL.sameAs:
            name = "identifiers"
        quotes = self.quotes_for(node, ordered) if depth == 0 else []
        return Statement(name, str(prop), values, quotes, self.derived_note(node, prop, objs))

    def coordinates(self, node: Node) -> list[Statement]:
        lat, long = self.graph.value(node, GEO_LAT), self.graph.value(node, GEO_LONG)
        if not isinstance(lat, Literal) or not isinstance(long, Literal):
            return []
        text = degrees(lat, long)
        return [Statement("coordinates", str(COORDINATES), [Value(text)])] if text else []

    def derived_note(self, node: Node, prop: URIRef, objs: list[Node]) -> str:
        """The rule a derived value follows, named: the statement's note."""
        marks = derivations(self.graph, node)
        rules = [*marks.get((prop, None), [])]
        for obj in objs:
            rules += marks.get((prop, obj), [])
        names = sorted({self.label(r) for r in rules})
        return f"derived: {', '.join(names)}" if names else ""

    def quotes_of(self, node: Node) -> list[EvidenceView]:
        """The quotes given as the node's evidence."""
        views = []
        for ev in self.graph.objects(node, KG.evidence):
            source = self.graph.value(ev, KG.source)
            quote = self.graph.value(ev, KG.quote)
            if source is None or quote is None:
                continue
            href = local_path(str(ev)) if isinstance(ev, URIRef) else None
            views.append(
                EvidenceView(str(quote), self.label(source), local_path(str(source)), href)
            )
        return sorted(views, key=lambda e: (e.source_label, e.quote))

    def quotes_for(self, node: Node, objs: list[Node]) -> list[EvidenceView]:
        """The node's quotes that state one of the values (as the build's support check
        reads them: a date's year, month and day; a name or its obvious variants), or, for
        a blank node with quotes of its own (a participation), those."""
        own = self.quotes_of(node)
        found: list[EvidenceView] = []
        for obj in objs:
            if isinstance(obj, BNode):
                found += self.quotes_of(obj)
                continue
            found += [q for q in own if self.states(q.quote, obj)]
        unique = {(q.href, q.quote): q for q in found}
        return list(unique.values())

    def states(self, quote: str, obj: Node) -> bool:
        if isinstance(obj, Literal):
            if obj.datatype in (XSD.date, XSD.gYearMonth, XSD.gYear):
                return date_appears(obj, [quote])
            text = normalise(str(obj))
            if text.replace(".", "", 1).isdigit():  # a number: as a number of its own
                return re.search(rf"(?<![\d.]){re.escape(text)}(?![\d])", quote) is not None
            return len(text) > 2 and text in normalise(quote)
        if isinstance(obj, URIRef):
            if (
                overlap(
                    set(self.graph.objects(self.subject, KG.evidence)),
                    set(self.graph.objects(obj, KG.evidence)),
                )
                and (obj, KG.evidence, None) in self.graph
            ):
                return True
            names = [
                str(n) for p in (RDFS.label, SKOS.prefLabel) for n in self.graph.objects(obj, p)
            ]
            folded = normalise(quote)
            return any(v and v in folded for n in names for v in name_variants(n))
        return False

    def evidence(self) -> list[EvidenceView]:
        views = self.quotes_of(self.subject)
        if (self.subject, OA.hasSelector, None) in self.graph:
            views.append(self.in_place())
        return views

    def in_place(self) -> EvidenceView:
        """An anchored evidence node's own quote, between the text before and after it."""
        source = self.graph.value(self.subject, OA.hasSource)
        view = EvidenceView(
            str(self.graph.value(self.subject, KG.quote) or ""),
            self.label(source) if source is not None else "",
            local_path(str(source)) if source is not None else None,
            local_path(str(self.subject)),
        )
        for selector in self.graph.objects(self.subject, OA.hasSelector):
            if (selector, OA.exact, None) in self.graph:
                view.quote = str(self.graph.value(selector, OA.exact))
                view.before = str(self.graph.value(selector, OA.prefix) or "")
                view.after = str(self.graph.value(selector, OA.suffix) or "")
        return view

    def incoming(self) -> list[Shown]:
        """What points here, grouped by property under a heading said from this side: the
        first few of each (:func:`incoming`), with how many there are."""
        grouped: dict[str, list[Value]] = {}
        for s, p in self.links.graph.subject_predicates(self.subject):
            key = heading_key(p) if isinstance(p, URIRef) else None
            if isinstance(s, URIRef) and key is not None:
                grouped.setdefault(key, []).append(self.value(s))
        shown = [
            Shown(self.heading(key), sorted(values, key=_by_name), self.links.listings[key])
            for key, values in grouped.items()
        ]
        return sorted(shown, key=lambda s: s.name)

    def heading(self, key: str) -> str:
        """A heading of what points here: INCOMING's, or "<property> of" in the reader's
        language for a property it does not name."""
        return f"{self.label(key)} of" if isinstance(key, URIRef) else key

    def cited_by(self) -> Shown | None:
        """For a document: the first few facts citing it, each with the quotes it cites it
        by, and how many there are."""
        if self.citing is None:
            return None
        graph = self.citing.graph
        citations = []
        for fact in set(graph.subjects(KG.evidence, None)):
            quotes = [
                EvidenceView(str(q), "", None, local_path(str(ev)))
                for ev in graph.objects(fact, KG.evidence)
                for q in graph.objects(ev, KG.quote)
            ]
            value = self.value(fact, graph=graph)
            citations.append(Citation(value, sorted(quotes, key=lambda q: q.href or "")))
        citations.sort(key=lambda c: _by_name(c.fact))
        return Shown("Cited by", citations, self.citing.listing)

    def summary(self, facts: list[Statement]) -> list[Value]:
        """One line under the name: status, dates, place (the type is the line above)."""
        shown = {URIRef(s.prop): s.values for s in facts}
        parts = list(shown.get(KG.status, [])[:1])
        start, end = shown.get(KG.startDate, []), shown.get(KG.endDate, [])
        if start and end:
            parts.append(Value(span_text(start[0].text, end[0].text)))
        for prop in (KG.date, KG.foundingDate, *([] if start and end else DATES[1:3])):
            parts += shown.get(prop, [])[:1]
        place = next((shown[p] for p in (*PLACES[:3], KG.country) if p in shown), [])
        return parts + place[:2]

    def contents(self) -> Shown | None:
        """For a named graph's page: the first few things the graph describes (IRIs other
        than the page's own), each with its classes; the facts by name, then the quotes,
        each shown by its text rather than its offsets; and how many there are."""
        if self.listed is None:
            return None
        graph = self.listed.graph
        things = {s for s in graph.subjects() if isinstance(s, URIRef) and s != self.subject}
        listed = []
        for thing in things:
            shown = self.value(thing, depth=1, graph=graph)  # a name on one line: no role's box
            quote = graph.value(thing, KG.quote)
            if quote is not None:
                shown.text = f"“{_shortened(str(quote))}”"
            classes = [t for t in graph.objects(thing, RDF.type) if not str(t).startswith(SCHEMA)]
            types = sorted((self.value(t) for t in classes), key=lambda v: v.text)
            listed.append(((quote is not None, shown.text.casefold(), str(thing)), shown, types))
        ordered = [(shown, types) for _, shown, types in sorted(listed, key=lambda e: e[0])]
        return Shown("In this graph", ordered, self.listed.listing)

    def page(self) -> Page:
        types = [
            self.value(t)
            for t in self.graph.objects(self.subject, RDF.type)
            if not str(t).startswith(SCHEMA)
        ]
        types.sort(key=lambda v: v.text)
        facts = self.statements(self.subject)
        return Page(
            iri=str(self.subject),
            label=self.label(self.subject),
            label_lang=self.lang(self.subject),
            types=types,
            summary=self.summary(facts),
            facts=facts,
            evidence=self.evidence(),
            incoming=self.incoming(),
            cited_by=self.cited_by(),
            contents=self.contents(),
            statements=self.listed.statements if self.listed else 0,
        )
