"""Check that each fact's quotes support its values: the evidence-support check (issue 13).

For every resource with ``kg:evidence`` in a document's graph, each linked entity (an IRI
object that has an ``rdfs:label``) and each date must appear in one of the resource's own
quotes, unless the resource marks the value derived::

    kg:derivation [ a kg:Derivation ; kg:derivedProperty kg:country ;
                    kg:rule rule:country-of-location ] .

A value appears when, after :func:`normalise` (case, dashes, quotation marks, spaces), its
``rdfs:label`` or a ``skos:altLabel`` is a substring of a quote, or a variant of it is
(:func:`name_variants`: a country in -stan also as its stem, "Uzbek"). A date appears when
its year does, and its month name (for a month or a day) and its day number (for a day) too
(:func:`date_appears`). docs/modelling.md states the rules for curators.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from ..namespaces import KG, PREFIXES
from .dataset import DATE_PROPERTIES

DATE_TYPES = (XSD.date, XSD.gYearMonth, XSD.gYear)
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
RULE = Namespace(PREFIXES["rule"])
#: The dates a kg:dateDerivedBy mark covers: every date of the fact.
DERIVED_DATES = (*DATE_PROPERTIES, KG.foundingDate)
SPAN = re.compile(re.escape(PREFIXES["evidence"]) + r"([^/]+)/(\d+)-(\d+)")
#: A place's name without its kind: "Gifu prefecture" is named "Gifu".
PLACE_KINDS = (" prefecture", " region", " city", " oblast", " province")
#: Where a fact is: the links followed (then kg:country) to the countries it lies in.
PLACE_LINKS = (KG.location, KG.inCity, KG.inRegion)
#: Words by which a quote speaks of the two countries of its document (rule:the-two-countries).
TWO_COUNTRIES = re.compile(
    r"\b(two countries|both countries|both sides|our countries|our two countries|bilateral"
    r"|joint|jointly|mutual)\b"
)
#: Predicates whose objects are not claims a quote has to name.
#: Not values a quote names: a fact's own apparatus, links to nodes with quotes of their own
#: (participations), the document a date is derived from, and unit concepts ("$" is USD).
NOT_CHECKED = (
    RDF.type,
    KG.evidence,
    KG.derivation,
    KG.role,
    KG.participation,
    KG.dateDerivedFrom,
    KG.unitOfMeasure,
)
DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
QUOTE_MARKS = dict.fromkeys(map(ord, "\"'\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u00ab\u00bb"))


@dataclass(frozen=True, order=True)
class Unsupported:
    """A value of a fact that none of the fact's quotes names, and no derivation explains."""

    fact: str
    property: str
    value: str
    shown: str  # the label or date looked for
    rule: str | None = None  # the rule named for it
    explained: bool = False  # whether that rule gives it

    def __str__(self) -> str:
        what = f"{_short(self.fact)} {_short(self.property)} {_short(self.value)}"
        if self.explained:
            return f"derived ({_short(str(self.rule))}): {what}"
        why = f"; the rule {_short(str(self.rule))} does not give it" if self.rule else ""
        return f"unexplained: {what}: no quote of it names {self.shown!r}{why}"


def _short(iri: str) -> str:
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def normalise(text: str) -> str:
    """Fold case, compatibility forms, dashes, quotation marks and runs of spaces."""
    text = unicodedata.normalize("NFKC", text).translate(DASHES).translate(QUOTE_MARKS)
    return " ".join(text.casefold().split())


def name_variants(name: str) -> set[str]:
    """The forms a name may take in a sentence: itself, a -stan country's stem ("Uzbek"), and
    a region's name without its kind ("Gifu" for "Gifu prefecture")."""
    variant = normalise(name)
    variants = {variant}
    for ending in ("istan", "stan"):
        if variant.endswith(ending) and " " not in variant:
            variants.add(variant[: -len(ending)])
            break
    for kind in PLACE_KINDS:
        if variant.endswith(kind) and len(variant) > len(kind) + 2:
            variants.add(variant[: -len(kind)])
    return variants


def date_appears(value: Literal, quotes: Iterable[str]) -> bool:
    """Whether one quote names the year, and the month and day the date has."""
    text = str(value)
    words = []
    try:
        if value.datatype == XSD.date:
            day = date.fromisoformat(text)
            words = [str(day.year), MONTHS[day.month - 1], str(day.day)]
        elif value.datatype == XSD.gYearMonth:
            year, month = text.split("-")[:2]
            words = [year, MONTHS[int(month) - 1]]
        else:
            words = [text[:4]]
    except (ValueError, IndexError):
        return False
    for quote in quotes:
        folded = normalise(quote)
        if all(_has_word(folded, w) for w in words):
            return True
    return False


def _has_word(text: str, word: str) -> bool:
    if word in MONTHS:  # "April" or "Apr."
        return re.search(rf"\b({word}|{word[:3]}\.?)\b", text) is not None
    return re.search(rf"(?<!\d){int(word)}(st|nd|rd|th)?(?!\d)", text) is not None


def span(evidence: Node) -> tuple[str, int, int] | None:
    """(document, start, end) of an anchored evidence node, from its IRI."""
    match = SPAN.fullmatch(str(evidence))
    return (match[1], int(match[2]), int(match[3])) if match else None


def overlap(first: set[Node], second: set[Node]) -> bool:
    """Whether a quote of one set and a quote of the other share characters of a document."""
    if first & second:
        return True
    spans = [s for s in map(span, second) if s]
    for doc, start, end in filter(None, map(span, first)):
        if any(d == doc and start < e and s < end for d, s, e in spans):
            return True
    return False


def derivations(graph: Graph, fact: Node) -> dict[tuple[Node, Node | None], list[Node]]:
    """The rules the fact names, by (property, value), value None for every value."""
    marks: dict[tuple[Node, Node | None], list[Node]] = {}
    for node in graph.objects(fact, KG.derivation):
        prop, rule = graph.value(node, KG.derivedProperty), graph.value(node, KG.rule)
        if prop is None or rule is None:
            continue  # the shapes report it
        values: list[Node | None] = [*graph.objects(node, KG.derivedValue)] or [None]
        for value in values:
            marks.setdefault((prop, value), []).append(rule)
    # the shorter marks of docs/modelling.md: a country that follows from a stated place, and
    # a date derived by a rule
    if (fact, KG.countryDerivedFrom, None) in graph:
        marks.setdefault((KG.country, None), []).append(RULE["enclosing-place"])
    for rule in graph.objects(fact, KG.dateDerivedBy):
        for prop in DERIVED_DATES:
            marks.setdefault((prop, None), []).append(rule)
    return marks


def places_of(graph: Graph, fact: Node, folded: list[str], checked: tuple[Node, Node]) -> set[Node]:
    """The places the fact is at, and those its quotes name, with the places they lie in;
    the statement being checked is not a way in."""
    found = {
        place
        for link in PLACE_LINKS
        for place in graph.objects(fact, link)
        if (link, place) != checked
    }
    for place in set(graph.subjects(KG.country, None)) | set(graph.subjects(RDF.type, KG.Country)):
        names = [*graph.objects(place, RDFS.label), *graph.objects(place, SKOS.altLabel)]
        variants = set().union(*(name_variants(str(n)) for n in names)) if names else set()
        if any(v in q for v in variants for q in folded):
            found.add(place)
    todo = list(found)
    while todo:
        place = todo.pop()
        for link in (*PLACE_LINKS, KG.country):
            for above in graph.objects(place, link):
                if above not in found:
                    found.add(above)
                    todo.append(above)
    return found


def rule_holds(
    rule: Node, graph: Graph, fact: Node, checked: tuple[Node, Node], folded: list[str]
) -> bool:
    """Whether a rule the build can check gives the value; rules it cannot check hold."""
    prop, value = checked
    if rule == RULE["enclosing-place"]:
        return value in places_of(graph, fact, folded, checked) - {fact}
    if rule == RULE["document-date"] and isinstance(value, Literal):
        dates = {str(d) for doc in _sources(graph, fact) for d in graph.objects(doc, DCTERMS.date)}
        return not dates or any(_dated_by(str(value), d) for d in dates)
    if rule == RULE["document-author"]:
        return any(
            value in {*graph.objects(doc, DCTERMS.creator), *graph.objects(doc, DCTERMS.publisher)}
            for doc in _sources(graph, fact)
        )
    if rule == RULE["the-two-countries"]:
        return any(TWO_COUNTRIES.search(q) for q in folded)
    return True


def _dated_by(value: str, document_date: str) -> bool:
    """Whether a document of that date gives the value: its own date at some precision, or
    an earlier month of its year ("in March", in a document of April)."""
    same_year = value[:4] == document_date[:4]
    return document_date.startswith(value) or (same_year and value <= document_date[: len(value)])


def _sources(graph: Graph, fact: Node) -> set[Node]:
    return {s for ev in graph.objects(fact, KG.evidence) for s in graph.objects(ev, KG.source)}


def check_dataset(dataset: Dataset) -> list[Unsupported]:
    """Every value of every fact that its quotes do not name, graph by graph: a fact's
    quotes are those of the document (graph) that states it."""
    labels = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        labels.add((s, p, o))
    found = []
    for graph in sorted(dataset.graphs(), key=lambda g: str(g.identifier)):
        if (None, KG.evidence, None) in graph:
            found += check_support(graph, labels)
    return found


def unexplained(found: list[Unsupported]) -> list[Unsupported]:
    """The values neither a quote names nor a rule that holds derives."""
    return [u for u in found if not u.explained]


def check_support(graph: Graph, labels: Graph) -> list[Unsupported]:
    """Every value of a fact of `graph` that its quotes do not name: derived by a rule that
    holds (``explained``), or not.

    `labels` is where entities' names and places are looked up (the whole dataset).
    """
    found = []
    facts = {s for s in graph.subjects(KG.evidence, None)}
    for fact in sorted(facts, key=str):
        quotes = [
            str(q) for ev in graph.objects(fact, KG.evidence) for q in graph.objects(ev, KG.quote)
        ]
        folded = [normalise(q) for q in quotes]
        evidence = set(graph.objects(fact, KG.evidence))
        marks = derivations(graph, fact)
        for prop, value in sorted(graph.predicate_objects(fact), key=str):
            if prop in NOT_CHECKED:
                continue
            if isinstance(value, Literal) and value.datatype in DATE_TYPES:
                if date_appears(value, quotes):
                    continue
                shown = str(value)
            elif isinstance(value, URIRef):
                names = [str(n) for n in labels.objects(value, RDFS.label)]
                if not names:
                    continue  # not an entity: a concept, a document, a role
                if overlap(evidence, set(graph.objects(value, KG.evidence))):
                    continue  # a linked fact stated by the same passage
                names += [str(n) for n in labels.objects(value, SKOS.altLabel)]
                variants = set().union(*(name_variants(n) for n in names))
                if any(v in q for v in variants for q in folded):
                    continue
                shown = names[0]
            else:
                continue
            rules = marks.get((prop, value), []) + marks.get((prop, None), [])
            holding = [r for r in rules if rule_holds(r, labels, fact, (prop, value), folded)]
            rule: Node | None = (holding + rules)[0] if rules else None
            found.append(
                Unsupported(
                    str(fact),
                    str(prop),
                    str(value),
                    shown,
                    rule=str(rule) if rule is not None else None,
                    explained=bool(holding),
                )
            )
    return found
