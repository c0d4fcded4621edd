"""Every statement a curator adds falls under the shapes, in the vocabulary, as it was sent.

SHACL checks only what its targets reach: a subject of no class (or of a class no shape
targets) needed no evidence, a property outside the ontology (``rdfs:comment`` on an event, a
misspelt ``kg:locaton``) was stored unread, and an ill-typed literal was rewritten by rdflib as
it parsed (``"yes"^^xsd:boolean`` became ``"false"``). This check closes those gaps for the
statements being added; SHACL still judges everything the shapes reach. The vocabulary comes
from the ontology and the shapes of the stored data, never from the addition itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from anyascii import anyascii
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from ..namespaces import BASE, KG, MINTED, OA, PREFIXES, SH
from .dataset import DATE_PROPERTIES, years_of
from .identifiers import geonames_id_known, iso_code_known
from .report import Result, node_text, shortener

KNOWN_CLASS_CHECK = URIRef(KG + "KnownClassCheck")
KNOWN_PROPERTY_CHECK = URIRef(KG + "KnownPropertyCheck")
SHAPED_SUBJECT_CHECK = URIRef(KG + "ShapedSubjectCheck")
WELL_TYPED_CHECK = URIRef(KG + "WellTypedLiteralCheck")
DEREFERENCEABLE_CHECK = URIRef(KG + "DereferenceableIriCheck")
OWN_EVIDENCE_CHECK = URIRef(KG + "OwnEvidenceCheck")
SPAN_CHECK = URIRef(KG + "SpanCheck")
RESERVED_CLASS_CHECK = URIRef(KG + "ReservedClassCheck")
IDENTIFIER_CHECK = URIRef(KG + "KnownIdentifierCheck")
DISTINCT_NAME_CHECK = URIRef(KG + "DistinctNameCheck")

#: The longest span of years a dated thing may cover: the build derives a kg:year for every
#: year of it, so "0000" to "9999" made 10,000 statements of two.
MAX_SPAN_YEARS = 200
#: Classes whose members only the controlled lists (``vocab/``, written in data files, never
#: through a submission) define; a concept anywhere else widened a list (an event type
#: "parade" at ``event/parade-type``, in the event types' scheme).
VOCABULARY_CLASSES = frozenset({SKOS.Concept, SKOS.ConceptScheme})
VOCABULARY_NAMESPACE = BASE + "vocab/"
#: The longest IRI of ours: its page's address must fit in a request line.
MAX_IRI_LENGTH = 1024
_BASE = urlsplit(BASE)
#: Terms of the ontology and the shapes, which the vocabulary check reads, not the pages.
_VOCABULARY_TERMS = (str(KG), BASE + "shapes#", BASE + "ontology")

#: Terms of other vocabularies the data uses that neither the ontology declares nor a shape's
#: path names: identity and alternative names of places, the Dublin Core of documents, and
#: links to further reading (no claim about the world, so no evidence).
EXTERNAL_PROPERTIES = frozenset(
    {RDF.type, OWL.sameAs, SKOS.altLabel, RDFS.seeAlso}
    | {DCTERMS[n] for n in ("title", "creator", "date", "description", "language", "publisher")}
)
#: Classes of other vocabularies the data uses: concepts of the controlled lists, and the Web
#: Annotation selectors that anchor a quote in its text.
EXTERNAL_CLASSES = frozenset(
    {SKOS.Concept, OA.SpecificResource, OA.TextPositionSelector, OA.TextQuoteSelector}
)
_DECLARED_PROPERTY = (RDF.Property, OWL.ObjectProperty, OWL.DatatypeProperty)
_DECLARED_CLASS = (OWL.Class, RDFS.Class)


@dataclass(frozen=True)
class Vocabulary:
    """The classes and properties an addition may use, and what the shapes target."""

    classes: frozenset[Node]
    properties: frozenset[Node]
    target_classes: frozenset[Node]  # with their subclasses
    place_classes: frozenset[Node]  # kg:Place and every class below it
    target_subjects_of: frozenset[Node]
    target_objects_of: frozenset[Node]

    @classmethod
    def of(cls, ontology: Graph, shapes: Graph) -> Vocabulary:
        declared = {s for t in _DECLARED_PROPERTY for s in ontology.subjects(RDF.type, t)}
        paths = {p for p in shapes.objects(None, SH.path) if isinstance(p, URIRef)}
        targeted = set(shapes.objects(None, SH.targetClass))
        return cls(
            classes=frozenset(
                {s for t in _DECLARED_CLASS for s in ontology.subjects(RDF.type, t)}
                | EXTERNAL_CLASSES
            ),
            properties=frozenset(declared | paths | EXTERNAL_PROPERTIES),
            target_classes=frozenset({c for t in targeted for c in _subclasses(ontology, t)}),
            place_classes=frozenset(_subclasses(ontology, KG.Place)),
            target_subjects_of=frozenset(shapes.objects(None, SH.targetSubjectsOf)),
            target_objects_of=frozenset(shapes.objects(None, SH.targetObjectsOf)),
        )

    def shapes_reach(self, node: Node, data: Graph) -> bool:
        """Whether some shape targets `node` in `data`: a shape of its class, or, for a part of
        another thing (a quote's selector, a date's derivation), a shape of the properties it
        has or is reached by. A shape that targets the subjects of a property (a date's, a
        status's) checks that property's values only: a thing of its own, part of nothing,
        that states one would be in reach of no shape that asks for its evidence."""
        if any(t in self.target_classes for t in data.objects(node, RDF.type)):
            return True
        if not any(s != node for s in data.subjects(None, node)):
            return False  # a thing of its own, not a part
        return any(p in self.target_subjects_of for p in data.predicates(node)) or any(
            p in self.target_objects_of for p in data.predicates(None, node)
        )


def _subclasses(ontology: Graph, cls: Node) -> set[Node]:
    """`cls` and every class below it."""
    return {c for c in ontology.transitive_subjects(RDFS.subClassOf, cls) if c is not None}


def check_statements(
    new: Graph,
    data: Graph,
    vocabulary: Vocabulary,
    *,
    foreign: bool = False,
    building: bool = False,
    said: Iterable[tuple[Node, Node, Node]] | None = None,
) -> list[Result]:
    """A violation for each subject of `new` no shape reaches in `data` (the stored graph with
    `new`), each property and class outside the vocabulary, and each ill-typed literal. With
    `foreign` (``FOREIGN_STATEMENTS``), other vocabularies' terms and subjects no shape reaches
    are taken; an unknown term of the ontology's own namespace (a misspelling) still is not.
    A stored subject of which `said` (the statements the stored graph did not hold; all of
    `new` by default) says something needs evidence of its own in `new`, unless `building`
    (then `new` is every curated statement of the data files, and nothing was stored)."""
    results = []
    saying = {s for s, _, _ in (new if said is None else said)}
    for subject in sorted(set(new.subjects()), key=str):
        if not foreign and not vocabulary.shapes_reach(subject, data):
            results.append(_unshaped(subject, data))
        # with FOREIGN_STATEMENTS, other vocabularies' things carry no evidence of ours
        ours = not foreign or _ours(str(subject))
        stored = not building and ours and subject in saying and _stored_before(subject, new, data)
        if stored and (subject, KG.evidence, None) not in new:
            results.append(_without_own_evidence(subject))
        if (span := _span(subject, data)) > MAX_SPAN_YEARS:
            results.append(_too_long(subject, span))
    results += _addresses(new, data)
    results += _lookalikes(new, data, vocabulary.place_classes)
    for s, p, o in sorted(new, key=lambda t: (str(t[0]), str(t[1]), str(t[2]))):
        if p not in vocabulary.properties and _checked(p, foreign):
            results.append(_result(s, p, None, f"{_short(p)} is not a property of the vocabulary"))
        elif p == RDF.type and o not in vocabulary.classes and _checked(o, foreign):
            results.append(_result(s, p, o, f"{_short(o)} is not a class of the vocabulary"))
        elif (
            p == RDF.type
            and o in VOCABULARY_CLASSES
            and not str(s).startswith(VOCABULARY_NAMESPACE)
        ):
            results.append(_outside_the_lists(s, o))
        if isinstance(o, Literal) and o.ill_typed:
            results.append(_ill_typed(s, p, o))
        if (problem := _unknown_identifier(p, o)) is not None:
            results.append(_violation(s, problem, IDENTIFIER_CHECK, value=o))
    return results


#: The names a place goes by.
_NAMES = (RDFS.label, SKOS.altLabel)


def _lookalikes(new: Graph, data: Graph, classes: frozenset[Node]) -> list[Result]:
    """A violation for each place of `new` named as another place of its class in `data` is,
    letters read as their ASCII lookalikes and case aside ("Khіva" with a Cyrillic і, "XIVA"):
    a second Khiva no reader tells from the first, each with a quote of its own."""
    results = []
    named: dict[Node, dict[str, set[Node]]] = {}  # class → folded name → the places so named
    places = {(s, c) for s, c in new.subject_objects(RDF.type) if c in classes}
    for subject, cls in sorted(places, key=lambda pair: (str(pair[0]), str(pair[1]))):
        if cls not in named:
            named[cls] = _names_of(data, cls)
        clash = next(
            (
                (name, min(others, key=str))
                for name in (n for p in _NAMES for n in new.objects(subject, p))
                if (others := named[cls].get(_folded(name), set()) - {subject})
            ),
            None,
        )
        if clash is not None:
            name, other = clash
            message = (
                f"another {_short(cls)}, {_short(other)}, is named so ({name}): a place is "
                "described once; link to it, or name this one apart"
            )
            results.append(_violation(subject, message, DISTINCT_NAME_CHECK, value=name))
    return results


def _names_of(data: Graph, cls: Node) -> dict[str, set[Node]]:
    """The members of `cls` in `data` by their folded names."""
    found: dict[str, set[Node]] = {}
    for member in data.subjects(RDF.type, cls):
        for name in (n for p in _NAMES for n in data.objects(member, p)):
            found.setdefault(_folded(name), set()).add(member)
    return found


def _folded(name: Node) -> str:
    """A name as a reader may take it: in ASCII (anyascii), case and punctuation aside."""
    return re.sub(r"[^a-z0-9]", "", anyascii(str(name)).casefold())


def _addresses(new: Graph, data: Graph) -> list[Result]:
    """A violation for each IRI of ours in `new` (subject, object or datatype; the
    vocabulary's own terms aside) that is not written as our base IRI writes it, that our
    pages cannot serve at its own address, or, linked to, that nothing in `data` describes:
    each would be a page of ours answering 404."""
    results = []
    seen: set[tuple[Node, str]] = set()
    for s, _, o in sorted(new, key=lambda t: (str(t[0]), str(t[1]), str(t[2]))):
        linked = [o.datatype] if isinstance(o, Literal) and o.datatype else [o]
        for iri, link in ((s, False), *((term, True) for term in linked)):
            problem = _address_problem(iri, data, link)
            if problem and (s, problem) not in seen:
                seen.add((s, problem))
                results.append(_violation(s, problem, DEREFERENCEABLE_CHECK, value=iri))
    return results


def _address_problem(iri: Node, data: Graph, link: bool) -> str | None:
    if not isinstance(iri, URIRef) or not _ours(iri) or str(iri).startswith(_VOCABULARY_TERMS):
        return None
    if not iri.startswith(BASE):
        return f"write the IRIs of this graph exactly as {BASE}…: the same scheme, host and case"
    if not served(iri):
        return (
            "this IRI cannot be dereferenced at its own address, or is not minted as ours "
            f"are: mint IRIs as {BASE}<kind>/<slug> (kind one of "
            f"{', '.join(sorted(MINTED))}), the slug of ASCII letters, digits, '-' and '_', "
            f"with no '%', '?', '#' or file extension such as .ttl, and under {MAX_IRI_LENGTH} "
            "characters"
        )
    if link and (iri, None, None) not in data:
        return f"nothing in the graph describes {iri}: a link to a thing of ours names one it has"
    return None


def _ours(iri: str) -> bool:
    """Whether an IRI is under our base IRI, however its scheme, host and port are written."""
    try:
        parts = urlsplit(iri)
        return (
            parts.scheme.lower() in ("http", "https")
            and parts.hostname == _BASE.hostname
            and parts.path.lower().startswith(_BASE.path)
        )
    except ValueError:
        return False


def served(iri: str) -> bool:
    """Whether the linked-data pages serve an IRI of ours at its own address: a path in one
    of our namespaces that a request gives back as written (no percent-escape, which the
    server decodes; no query or fragment, which are no part of a path) and that does not end
    in a format's extension, which would be read as the format (``event/fest.ttl``): ASCII
    slugs with no "." say all of that."""
    path = iri[len(BASE) :]
    if len(iri) > MAX_IRI_LENGTH:  # past what a request line holds: 431
        return False
    first, _, rest = path.partition("/")
    # ASCII slugs only, as the modelling guide mints them: a Cyrillic "і" in "khіva" made a
    # second Khiva that no reader tells from the first
    return first in MINTED and bool(_SLUGS.fullmatch(rest))


#: The path of an IRI of ours after its namespace: slugs of ASCII letters, digits, "-" and "_"
#: (no "%", "?", "#" or ".", so no escape, query, fragment, dot segment or file extension).
_SLUGS = re.compile(r"[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*")


def _violation(
    subject: Node, message: str, check: URIRef, path: Node | None = None, value: Node | None = None
) -> Result:
    return Result(
        "Violation",
        node_text(subject),
        str(path) if path is not None else None,
        node_text(value) if value is not None else None,
        message,
        None,
        str(check),
    )


def _unknown_identifier(p: Node, o: Node) -> str | None:
    """Why an identifier that grounds a place names no real one, if it does not."""
    if p == KG.iso3166Code and isinstance(o, Literal) and not iso_code_known(str(o)):
        return f'{o} is no ISO 3166 code of a country or subdivision ("UZ", "UZ-SA")'
    if p == KG.geonamesId and isinstance(o, Literal) and not geonames_id_known(str(o)):
        return (
            f"GeoNames id {o} is not in the GeoNames data this server has (countries, and "
            "cities over 15,000 people): ground the place by kg:evidence quoting a document "
            "that names it instead"
        )
    return None


def _stored_before(subject: Node, new: Graph, data: Graph) -> bool:
    """Whether the stored data said something about `subject` before this addition."""
    return isinstance(subject, URIRef) and any(
        t not in new for t in data.triples((subject, None, None))
    )


def _without_own_evidence(subject: Node) -> Result:
    # evidence is given per thing, not per statement: a statement added to a stored thing
    # without evidence of its own rode on the quotes of the documents that describe it
    return _violation(
        subject,
        "this is in the stored graph already: what a submission says of it needs evidence of "
        "its own in the submission (kg:evidence [ a kg:Evidence ; kg:source doc:… ; kg:quote "
        '"…" ] quoting the document that says it), or the statements ride on the quotes of '
        "other documents",
        OWN_EVIDENCE_CHECK,
    )


def _span(subject: Node, data: Graph) -> int:
    years = [
        year
        for prop in DATE_PROPERTIES
        for value in data.objects(subject, prop)
        if isinstance(value, Literal) and (year := years_of(value)) is not None
    ]
    return max(years) - min(years) if years else 0


def _too_long(subject: Node, span: int) -> Result:
    return _violation(
        subject,
        f"its dates span {span} years, more than the {MAX_SPAN_YEARS} years a dated thing may "
        "cover (each year of it is derived as a kg:year): check the dates",
        SPAN_CHECK,
    )


def _outside_the_lists(subject: Node, cls: Node) -> Result:
    return _violation(
        subject,
        f"a {_short(cls)} belongs to a controlled list, and the controlled lists are written "
        f"under {VOCABULARY_NAMESPACE} in the data files, not added by a submission: use a "
        "concept of the list, or ask for one to be added",
        RESERVED_CLASS_CHECK,
        path=RDF.type,
        value=cls,
    )


def _checked(term: Node, foreign: bool) -> bool:
    return not foreign or str(term).startswith(str(KG))


def _unshaped(subject: Node, data: Graph) -> Result:
    types = sorted(_short(t) for t in data.objects(subject, RDF.type))
    if not types:
        message = (
            "say what this is: give it a type of the ontology (a kg:CulturalEvent, kg:Plan, "
            "kg:Person, …) so that the shapes check it and its evidence"
        )
    else:
        message = (
            f"no shape checks a {', '.join(types)}: give it a type of the ontology the shapes "
            "check (a kg:CulturalEvent, kg:Plan, kg:City, …); the ontology's own terms are not "
            "changed by a submission"
        )
    return Result(
        "Violation", node_text(subject), None, None, message, None, str(SHAPED_SUBJECT_CHECK)
    )


def _ill_typed(s: Node, p: Node, o: Literal) -> Result:
    return Result(
        "Violation",
        node_text(s),
        str(p),
        str(o),
        f"“{o}” is not a valid {_short(o.datatype)}; write the value in that type's form "
        "(e.g. true or false, 2024-05, 2024-05-01)",
        None,
        str(WELL_TYPED_CHECK),
    )


def _result(s: Node, p: Node, value: Node | None, message: str) -> Result:
    check = KNOWN_CLASS_CHECK if p == RDF.type else KNOWN_PROPERTY_CHECK
    return Result(
        "Violation",
        node_text(s),
        str(p),
        str(value) if value is not None else None,
        message + ": check its spelling, or say it with the terms of the ontology",
        None,
        str(check),
    )


_short = shortener(PREFIXES)
