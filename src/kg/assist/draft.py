"""Write drafted facts as the project's own Turtle, and as what a review page needs.

Each fact is written as docs/modelling.md says a curator writes it: an IRI minted from its
label under the class's namespace (``event:``, ``plan:``, ``agreement:``, ``twinning:``,
``award:``, ``stat:``), ``rdfs:label``, ``kg:status``, its properties, its dates at the
text's precision (a derived date marked ``kg:dateDerivedBy rule:document-date`` and
``kg:dateDerivedFrom`` the document), and ``kg:evidence [ a kg:Evidence ; kg:source <doc> ;
kg:quote "…" ]`` quoting the document verbatim; ``kg build`` anchors the quote's offsets. A role
is a blank ``kg:Role`` on its person. Entities the linker found new (not in the graph) are
described with their label and a quote, so that a complete candidate passes the shapes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from ..namespaces import BASE, KG, PREFIXES, bind_prefixes
from .dates import DateMention, datatype_of
from .facts import MEASURE, Candidate
from .model import Mention, Span

RULE = Namespace(PREFIXES["rule"])
DQ = Namespace(BASE + "vocab/date-qualifier/")
ROLE_SCHEME = Namespace(BASE + "vocab/participation-role/")
GEO = Namespace(PREFIXES["geo"])
#: The namespace a fact of each class is minted in (docs/modelling.md, "IRIs").
NAMESPACES = {
    "CulturalEvent": "event",
    "SportsEvent": "event",
    "HistoricalEvent": "event",
    "Plan": "plan",
    "Agreement": "agreement",
    "CityTwinning": "twinning",
    "Award": "award",
    "Statistic": "stat",
}
#: Fields whose values are IRIs; every other field is a literal.
IRI_FIELDS = frozenset(
    """eventType location participatingCountry participant organizer partOfSeries agreementType
    party signatory twinnedPlace recipient conferredBy measure unitOfMeasure qualifier about
    roleIn""".split()
)
#: Literal fields written in English (language-tagged), as the shapes ask.
ENGLISH_FIELDS = frozenset({"awardName", "reason", "roleName", "field", "description"})
#: Fields that are not properties of the fact itself.
OWN_FIELDS = frozenset({"person", "measureLabel"})
KIND_CLASSES = {
    "country": "Country",
    "region": "Region",
    "city": "City",
    "venue": "Venue",
    "person": "Person",
    "organization": "Organization",
    "series": "EventSeries",
    "group": "Group",
}


def slug(text: str) -> str:
    """A lower-case ASCII slug with hyphens, as docs/modelling.md mints IRIs."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-") or "fact"


def mint_iris(candidates: Sequence[Candidate], existing: Collection[str] = ()) -> list[str]:
    """One IRI a candidate, unique within the draft and apart from ``existing`` IRIs; a role
    gets the IRI of its person (its own node is blank)."""
    taken = set(existing)
    iris: list[str] = []
    for candidate in candidates:
        if candidate.cls == "Role":
            iris.append((candidate.fields.get("person") or [""])[0])
            continue
        base = PREFIXES[NAMESPACES.get(candidate.cls, "event")] + slug(candidate.label)
        iri, number = base, 2
        while iri in taken:
            iri, number = f"{base}-{number}", number + 1
        taken.add(iri)
        iris.append(iri)
    return iris


#: A fact's IRI and its own triples (for a role: its person's IRI and the kg:role node).
Fact = tuple[str, Graph]


def fact_graphs(
    candidates: Sequence[Candidate], document_iri: str, text: str, existing: Collection[str] = ()
) -> list[Fact]:
    """Each candidate's IRI and triples, minted and built once: the draft's Turtle and the
    review's per-fact Turtle are both read from them (building them twice cost as much as the
    drafting itself)."""
    iris = mint_iris(candidates, existing)
    return [
        (iri, fact_graph(candidate, iri, document_iri, text))
        for candidate, iri in zip(candidates, iris, strict=True)
    ]


def to_graph(
    candidates: Sequence[Candidate],
    document_iri: str,
    text: str,
    *,
    mentions: Iterable[Mention] = (),
    existing: Collection[str] = (),
    facts: Sequence[Fact] | None = None,
) -> Graph:
    """The candidates as Turtle-ready RDF in the project's vocabulary.

    Args:
        candidates: the drafted facts.
        document_iri: the document they quote (``doc:…``).
        text: the document's text (every span refers to it).
        mentions: the linked names; those marked new and used by a fact are described too.
        existing: IRIs already in the graph, which no fact may take.
        facts: the candidates' IRIs and triples as :func:`fact_graphs` gives them, when the
            caller has them already (then ``existing`` is not read).
    """
    graph = bind_prefixes(Graph())
    for _, own in (
        facts if facts is not None else fact_graphs(candidates, document_iri, text, existing)
    ):
        graph += own
    used = {str(o) for o in graph.objects()}
    named: dict[str, list[Mention]] = {}
    for mention in sorted(mentions, key=lambda m: m.span.start):
        if mention.new and mention.iri and mention.iri in used:
            named.setdefault(mention.iri, []).append(mention)
    for first, *again in named.values():
        # described once, from where the article names it first (in full, as articles do):
        # the shapes allow one label per language
        _describe_new(graph, first, _quote_for(first, candidates, text), document_iri)
        _other_names(graph, first, again)
    return graph


def _other_names(graph: Graph, first: Mention, again: Iterable[Mention]) -> None:
    """The article's other names of a new entity, as alternative labels; a head noun alone
    ("the theatre") is a way of pointing back, not a name."""
    subject = URIRef(str(first.iri))
    seen = {first.text.casefold()}
    for mention in again:
        if mention.text.casefold() in seen or mention.text.islower():
            continue
        seen.add(mention.text.casefold())
        graph.add((subject, SKOS.altLabel, Literal(mention.text, lang="en")))


def fact_graph(candidate: Candidate, iri: str, document_iri: str, text: str) -> Graph:
    """The triples of one fact (for a role: its person's kg:role node), prefixes bound."""
    graph = Graph(bind_namespaces="none")
    quote = text[candidate.span.start : candidate.span.end]
    if candidate.cls == "Role":
        _role(graph, candidate, iri, document_iri, text)
        return _bind_used(graph)
    subject = URIRef(iri)
    graph.add((subject, RDF.type, KG[candidate.cls]))
    graph.add((subject, RDFS.label, Literal(candidate.label, lang="en")))
    if candidate.status:
        graph.add((subject, KG.status, URIRef(candidate.status)))
    _fields(graph, subject, candidate, document_iri, quote)
    _dates(graph, subject, candidate.dates, document_iri)
    graph.add((subject, KG.evidence, _evidence(graph, document_iri, quote)))
    for also in candidate.also:
        graph.add(
            (subject, KG.evidence, _evidence(graph, document_iri, text[also.start : also.end]))
        )
    return _bind_used(graph)


def _bind_used(graph: Graph) -> Graph:
    """Bind the project's prefixes that the graph uses (binding all of them, for each of many
    small graphs, costs more than drafting them)."""
    used = {str(t) for triple in graph for t in triple if isinstance(t, URIRef)}
    used |= {str(o.datatype) for o in graph.objects() if isinstance(o, Literal) and o.datatype}
    for prefix, namespace in PREFIXES.items():
        if any(iri.startswith(namespace) for iri in used):
            graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def _fields(graph: Graph, subject: URIRef, candidate: Candidate, document: str, quote: str) -> None:
    for prop, values in candidate.fields.items():
        if prop in OWN_FIELDS:
            continue
        if prop.startswith("participation/"):
            for agent in values:
                _participation(graph, subject, agent, prop.split("/", 1)[1], document, quote)
            continue
        if prop.startswith("derivation/"):
            for rule in values:
                _derivation(graph, subject, prop.split("/", 1)[1], rule)
            continue
        for value in values:
            graph.add((subject, KG[prop], _term(prop, value)))
    for measure in candidate.fields.get("measure", ()):
        label = (candidate.fields.get("measureLabel") or ["count"])[0]
        graph.add((URIRef(measure), RDF.type, SKOS.Concept))
        graph.add((URIRef(measure), SKOS.inScheme, URIRef(MEASURE + "scheme")))
        graph.add((URIRef(measure), SKOS.prefLabel, Literal(label, lang="en")))


def _term(prop: str, value: str) -> Node:
    if prop in IRI_FIELDS:
        return URIRef(value)
    if prop in ENGLISH_FIELDS:
        return Literal(value, lang="en")
    if prop == "value":
        return Literal(value, datatype=XSD.decimal if "." in value else XSD.integer)
    return Literal(value)


def _participation(
    graph: Graph, subject: URIRef, agent: str, role: str, doc: str, quote: str
) -> None:
    node = BNode()
    graph.add((subject, KG.participation, node))
    graph.add((node, RDF.type, KG.Participation))
    graph.add((node, KG.agent, URIRef(agent)))
    graph.add((node, KG.hadRole, ROLE_SCHEME[role]))
    graph.add((node, KG.evidence, _evidence(graph, doc, quote)))


def _derivation(graph: Graph, subject: URIRef, prop: str, rule: str) -> None:
    """Every value of ``prop`` follows by ``rule`` (docs/modelling.md, "Derived values")."""
    node = BNode()
    graph.add((subject, KG.derivation, node))
    graph.add((node, RDF.type, KG.Derivation))
    graph.add((node, KG.derivedProperty, KG[prop]))
    graph.add((node, KG.rule, RULE[rule]))


def _role(graph: Graph, candidate: Candidate, person: str, document: str, text: str) -> None:
    quote = text[candidate.span.start : candidate.span.end]
    if not person:
        return  # an ambiguous person: the review page shows the role without Turtle
    node = BNode()
    graph.add((URIRef(person), KG.role, node))
    graph.add((node, RDF.type, KG.Role))
    for name in candidate.fields.get("roleName", ()):
        graph.add((node, KG.roleName, Literal(name, lang="en")))
    for place in candidate.fields.get("roleIn", ()):
        graph.add((node, KG.roleIn, URIRef(place)))
    _dates(graph, node, candidate.dates, document)
    graph.add((node, KG.evidence, _evidence(graph, document, quote)))
    for also in candidate.also:
        graph.add((node, KG.evidence, _evidence(graph, document, text[also.start : also.end])))


def _evidence(graph: Graph, document: str, quote: str) -> BNode:
    node = BNode()
    graph.add((node, RDF.type, KG.Evidence))
    graph.add((node, KG.source, URIRef(document)))
    graph.add((node, KG.quote, Literal(quote)))
    return node


def _dates(graph: Graph, subject: Node, dates: Sequence[DateMention], document: str) -> None:
    """The first resolved date, at its precision; a relative one marked derived, with its words."""
    date = next((d for d in dates if d.start), None)
    if date is None:
        for unresolved in dates[:1]:
            graph.add((subject, KG.dateText, Literal(unresolved.text)))
        return
    assert date.start is not None
    if date.end:
        graph.add((subject, KG.startDate, _date_literal(date.start)))
        graph.add((subject, KG.endDate, _date_literal(date.end)))
    else:
        graph.add((subject, KG.date, _date_literal(date.start)))
    if date.qualifier:
        graph.add((subject, KG.dateQualifier, DQ[date.qualifier]))
    if date.derived:
        graph.add((subject, KG.dateText, Literal(date.text)))
        graph.add((subject, KG.dateDerivedBy, RULE[date.rule]))
        graph.add((subject, KG.dateDerivedFrom, URIRef(document)))


def _date_literal(value: str) -> Literal:
    return Literal(value, datatype=XSD[datatype_of(value)])


def _quote_for(mention: Mention, candidates: Sequence[Candidate], text: str) -> str:
    """The evidence of the first fact that names the mention, else the sentence that does: not
    the name alone, which the article may hold many times and so quotes no one passage."""
    for candidate in candidates:
        if candidate.span.start <= mention.span.start and mention.span.end <= candidate.span.end:
            return text[candidate.span.start : candidate.span.end]
    return _sentence_around(text, mention.span)


#: Where a sentence ends: a stop and a space, or the end of a line. (No spaCy here: the web
#: process drafts the graph of reviewed facts too, and never loads it.)
_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")


def _sentence_around(text: str, span: Span) -> str:
    """The sentence (or line) that holds `span`, without the white space around it."""
    start = max((m.end() for m in _SENTENCE_END.finditer(text, 0, span.start)), default=0)
    after = _SENTENCE_END.search(text, span.end)
    end = len(text) if after is None else after.end()
    return text[start:end].strip()


def _describe_new(graph: Graph, mention: Mention, quote: str, document: str) -> None:
    """A thing the graph does not hold yet: its class, label, identifiers and a quote."""
    subject = URIRef(str(mention.iri))
    graph.add((subject, RDF.type, KG[KIND_CLASSES.get(mention.kind, "Organization")]))
    graph.add((subject, RDFS.label, Literal(mention.text, lang="en")))
    extra = mention.extra
    if mention.kind == "country":
        graph.add((subject, KG.iso3166Code, Literal(str(mention.iri).rsplit("/", 1)[-1].upper())))
    if extra.get("country"):
        graph.add((subject, KG.country, URIRef(extra["country"])))
    if extra.get("geonamesId"):
        graph.add((subject, KG.geonamesId, Literal(extra["geonamesId"])))
        graph.add((subject, OWL.sameAs, URIRef(f"https://sws.geonames.org/{extra['geonamesId']}/")))
    for key, prop in (("lat", GEO.lat), ("long", GEO.long)):
        if extra.get(key):
            graph.add((subject, prop, Literal(extra[key], datatype=XSD.decimal)))
    if mention.kind not in ("country", "region", "city"):
        graph.add((subject, KG.evidence, _evidence(graph, document, quote)))


def to_review_json(
    candidates: Sequence[Candidate],
    mentions: Sequence[Mention],
    source_text: str,
    document_iri: str,
    *,
    existing: Collection[str] = (),
    facts: Sequence[Fact] | None = None,
) -> dict[str, Any]:
    """Everything a review page needs, JSON-serialisable: the text, the mentions, and each fact
    with its span, quote, fields, status, dates, open decisions and its Turtle (``facts`` as in
    :func:`to_graph`)."""
    if facts is None:
        facts = fact_graphs(candidates, document_iri, source_text, existing)
    written = [
        _fact_json(candidate, iri, graph, source_text)
        for candidate, (iri, graph) in zip(candidates, facts, strict=True)
    ]
    counts: dict[str, int] = {}
    for candidate in candidates:
        counts[candidate.cls] = counts.get(candidate.cls, 0) + 1
    return {
        "document": document_iri,
        "text": source_text,
        "mentions": [_mention_json(m) for m in mentions],
        "facts": written,
        "counts": counts,
    }


def _mention_json(mention: Mention) -> dict[str, Any]:
    return {
        "start": mention.span.start,
        "end": mention.span.end,
        "text": mention.text,
        "kind": mention.kind,
        "iri": mention.iri,
        "candidates": list(mention.candidates),
        "new": mention.new,
        "note": mention.note,
        "extra": dict(mention.extra),
    }


def _fact_json(candidate: Candidate, iri: str, graph: Graph, text: str) -> dict[str, Any]:
    return {
        "iri": iri if candidate.cls != "Role" else None,
        "class": candidate.cls,
        "label": candidate.label,
        "status": candidate.status or None,
        "start": candidate.span.start,
        "end": candidate.span.end,
        "quote": text[candidate.span.start : candidate.span.end],
        # more quotes of the fact: the sentences naming what its own does not (a date's year)
        "also": [
            {"start": s.start, "end": s.end, "quote": text[s.start : s.end]} for s in candidate.also
        ],
        "fields": {k: list(v) for k, v in candidate.fields.items()},
        "dates": [_date_json(d) for d in candidate.dates],
        "needs": list(candidate.needs),
        "confidence": round(candidate.confidence, 2),
        "complete": candidate.complete,
        "cue": candidate.cue,
        "turtle": graph.serialize(format="turtle") if len(graph) else "",
    }


def _date_json(date: DateMention) -> dict[str, Any]:
    return {
        "start": date.span.start,
        "end": date.span.end,
        "text": date.text,
        "value": date.start,
        "endValue": date.end,
        "datatype": date.datatype,
        "qualifier": date.qualifier,
        "derived": date.derived,
        "rule": date.rule if date.derived else None,
        "yearFrom": [date.year_from.start, date.year_from.end] if date.year_from else None,
        "note": date.note,
    }
