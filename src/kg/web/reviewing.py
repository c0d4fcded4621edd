"""From a reviewed draft to the Turtle of a submission: the facts the curator accepted, with
their edits, and the document's record; and the validation report read back, fact by fact.

The Turtle is built here, on the server, from the draft's own candidates (never from Turtle
the page sends), with the assistant's writer (:mod:`kg.assist.draft`), so an accepted fact is
written exactly as ``kg extract`` writes it. Edits are checked one by one: a label is one line,
a status or an event or agreement type one of the concepts of its scheme, a date ISO at year,
month or day precision, an entity an http(s) IRI.

A value the curator gives that the fact's quote does not name (a date the text never states, a
place it does not mention) is written as hers, not the text's: ``kg:derivation [ kg:rule
rule:curator-reading ]`` (docs/modelling.md, "Derived values"), so the evidence-support check
holds and a reader can tell it from what the quote states.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from ..assist.dates import DateMention
from ..assist.draft import IRI_FIELDS, mint_iris, to_graph
from ..assist.facts import Candidate
from ..assist.model import Mention, Span
from ..errors import ProtocolError
from ..graph.report import Report, Result
from ..graph.support import date_appears, name_variants, normalise
from ..namespaces import ETYPE, KG, PREFIXES, STATUS, bind_prefixes
from ..store.interface import valid_iri
from .drafting import StoredDraft

RULE = Namespace(PREFIXES["rule"])
#: The rule of a value the curator gave on review that no quote of the fact names.
CURATOR_READING = RULE["curator-reading"]
#: A date as the shapes take it: a year, a year and month, or a day.
ISO_DATE = re.compile(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?")
#: The concept-valued fields the form offers, each with the scheme of its concepts (a
#: statistic's measure may be a concept the draft mints, and a unit is a QUDT IRI: both keep
#: the assistant's choice).
CONCEPT_SCHEMES = {
    "status": str(STATUS["scheme"]),
    "eventType": str(ETYPE["scheme"]),
    "agreementType": PREFIXES["atype"] + "scheme",
    "qualifier": PREFIXES["qual"] + "scheme",
}
#: Fields whose values a curator may pick: the entity fields, a role's person, and
#: participations' agents.
CONCEPT_FIELDS = frozenset({"eventType", "agreementType", "measure", "unitOfMeasure", "qualifier"})
ENTITY_FIELDS = (IRI_FIELDS - CONCEPT_FIELDS) | {"person"}
#: The date properties the assistant's writer gives a fact.
DATE_PROPERTIES = (KG.date, KG.startDate, KG.endDate)
#: Longest label a curator may give.
MAX_LABEL = 300


@dataclass(frozen=True)
class Accepted:
    """A fact the curator accepted: its index in the draft and the candidate, edits applied,
    and which values are the curator's rather than the draft's."""

    index: int
    candidate: Candidate
    dated: bool = False  # the dates are the curator's
    picked: dict[str, list[str]] = field(default_factory=dict)  # entity values she added


@dataclass
class Built:
    """The addition to submit, and which fact each minted IRI belongs to."""

    graph: Graph
    iris: dict[int, str]  # fact index -> its IRI (a role: its person's)
    #: IRI -> the indexes of the accepted facts that use it (a new entity, a document)
    users: dict[str, list[int]] = field(default_factory=dict)


# ------------------------------------------------------------------------------ the draft, read


def candidate(fact: Mapping[str, Any]) -> Candidate:
    """A candidate back from its review JSON."""
    return Candidate(
        cls=str(fact["class"]),
        span=Span(int(fact["start"]), int(fact["end"])),
        label=str(fact["label"]),
        status=str(fact.get("status") or ""),
        fields={str(k): [str(v) for v in values] for k, values in fact["fields"].items()},
        dates=[_date(d) for d in fact.get("dates", [])],
        needs=[str(n) for n in fact.get("needs", [])],
        cue=str(fact.get("cue") or ""),
        also=[Span(int(a["start"]), int(a["end"])) for a in fact.get("also", [])],
    )


def _date(date: Mapping[str, Any]) -> DateMention:
    return DateMention(
        span=Span(int(date["start"]), int(date["end"])),
        text=str(date["text"]),
        start=date.get("value"),
        end=date.get("endValue"),
        qualifier=date.get("qualifier"),
        derived=bool(date.get("derived")),
        note=str(date.get("note") or ""),
        rule=str(date.get("rule") or "document-date"),
        year_from=Span(*map(int, date["yearFrom"])) if date.get("yearFrom") else None,
    )


def mentions(review: Mapping[str, Any]) -> list[Mention]:
    return [
        Mention(
            span=Span(int(m["start"]), int(m["end"])),
            text=str(m["text"]),
            kind=str(m["kind"]),
            iri=m.get("iri"),
            candidates=tuple(m.get("candidates") or ()),
            new=bool(m.get("new")),
            note=str(m.get("note") or ""),
            extra={str(k): str(v) for k, v in (m.get("extra") or {}).items()},
        )
        for m in review["mentions"]
    ]


# ------------------------------------------------------------------------------ the decisions


def accepted(
    review: Mapping[str, Any], decisions: Any, concepts: Mapping[str, Collection[str]]
) -> list[Accepted]:
    """The accepted facts with the curator's edits; ProtocolError (400) names the first wrong
    one. `decisions` is the page's JSON: ``{"facts": [{"index": 3, "label": …}, …]}``;
    `concepts` the concepts each concept field may take (by CONCEPT_SCHEMES)."""
    facts = review["facts"]
    sent = decisions.get("facts") if isinstance(decisions, dict) else None
    if not isinstance(sent, list) or not sent:
        raise ProtocolError("accept at least one fact before submitting")
    chosen: list[Accepted] = []
    for entry in sent:
        index = entry.get("index") if isinstance(entry, dict) else None
        if not isinstance(index, int) or not 0 <= index < len(facts):
            raise ProtocolError(f"there is no fact {index!r} in this draft")
        if any(a.index == index for a in chosen):
            raise ProtocolError(f"fact {index + 1} is sent twice")
        chosen.append(edited(candidate(facts[index]), entry, index, concepts))
    return sorted(chosen, key=lambda a: a.index)


def edited(
    fact: Candidate,
    edits: Mapping[str, Any],
    index: int,
    concepts: Mapping[str, Collection[str]],
) -> Accepted:
    """The candidate with the curator's edits applied (each is optional)."""
    where = f"fact {index + 1}"
    label = _one_line(edits.get("label"))
    if label:
        if len(label) > MAX_LABEL:
            raise ProtocolError(f"{where}: the label is longer than {MAX_LABEL} characters")
        fact.label = label
    status = _one_line(edits.get("status"))
    if status:
        fact.status = _concept("status", status, concepts, where)
    dated = _edit_dates(fact, edits, where)
    fields = edits.get("fields") or {}
    if not isinstance(fields, dict):
        raise ProtocolError(f"{where}: fields takes an object of field names and their values")
    picked: dict[str, list[str]] = {}
    for prop, values in fields.items():
        if prop in CONCEPT_SCHEMES:
            fact.fields[prop] = [_concept(prop, _one_line(values), concepts, where)]
            continue
        drafted = fact.fields.get(prop, [])
        fact.fields[prop] = _entities(prop, values, where)
        picked[prop] = [v for v in fact.fields[prop] if v not in drafted]
    return Accepted(index, fact, dated, picked)


def _concept(prop: str, value: str, concepts: Mapping[str, Collection[str]], where: str) -> str:
    """A concept of the field's scheme, or a 400 that says which field."""
    if value not in concepts.get(prop, ()):
        raise ProtocolError(f"{where}: {value!r} is not a concept of the {prop} list")
    return value


def _edit_dates(fact: Candidate, edits: Mapping[str, Any], where: str) -> bool:
    """Apply the curator's dates, if she gave any; whether she did."""
    start, end = _one_line(edits.get("date")), _one_line(edits.get("endDate"))
    if not start and not end:
        return False
    for value in (start, end):
        if value and not ISO_DATE.fullmatch(value):
            raise ProtocolError(f"{where}: the date {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    if not start:
        raise ProtocolError(f"{where}: an end date needs a start date")
    # the curator's date replaces the drafted one (its derivation, if any, goes with it);
    # build() marks it as her reading unless the quote names it
    fact.dates = [DateMention(fact.span, start, start, end or None)]
    return True


def _entities(prop: str, values: Any, where: str) -> list[str]:
    if prop not in ENTITY_FIELDS and not prop.startswith("participation/"):
        raise ProtocolError(f"{where}: {prop!r} is not a field a curator picks here")
    if not isinstance(values, list):
        raise ProtocolError(f"{where}: {prop} takes a list of IRIs")
    chosen = []
    for value in values:
        text = _one_line(value)
        if not text:
            continue  # an emptied picker drops its value
        if valid_iri(text) is None or not text.startswith(("http://", "https://")):
            raise ProtocolError(f"{where}: {prop}: {text!r} is not an http(s) IRI")
        if text not in chosen:
            chosen.append(text)
    return chosen


def _one_line(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


# ------------------------------------------------------------------------------ the Turtle


def build(
    draft: StoredDraft,
    chosen: Sequence[Accepted],
    existing: Collection[str],
    registered: str | None,
    labels: Mapping[str, str],
) -> Built:
    """The addition: the accepted facts, the new entities they use, and the document's record
    unless the graph holds the text already (`registered`, looked up at submit time, since
    another curator may have registered it since the draft was made). `labels` names the
    entities, to tell whether a quote names a value the curator picked."""
    document = registered or draft.record.iri
    candidates = [a.candidate for a in chosen]
    for accepted_fact in chosen:
        if accepted_fact.candidate.cls == "Role" and not accepted_fact.candidate.fields.get(
            "person"
        ):
            raise ProtocolError(f"fact {accepted_fact.index + 1}: choose the role's person first")
    # a new entity stored since (by this curator's earlier submission) is not described again
    fresh = [m for m in mentions(draft.review) if not (m.new and m.iri in existing)]
    graph = bind_prefixes(Graph())
    if registered is None:
        graph += draft.record.graph()
    graph += to_graph(candidates, document, draft.text, mentions=fresh, existing=existing)
    iris = mint_iris(candidates, existing)  # as to_graph minted them: same input, same order
    built = Built(graph, {a.index: iri for a, iri in zip(chosen, iris, strict=True)})
    for accepted_fact, iri in zip(chosen, iris, strict=True):
        _mark_readings(graph, accepted_fact, URIRef(iri), draft.text, labels)
    for accepted_fact in chosen:
        for values in accepted_fact.candidate.fields.values():
            for value in values:
                built.users.setdefault(value, []).append(accepted_fact.index)
        built.users.setdefault(document, []).append(accepted_fact.index)
    return built


def _mark_readings(
    graph: Graph, fact: Accepted, iri: URIRef, text: str, labels: Mapping[str, str]
) -> None:
    """Mark the values the curator gave that the fact's quote does not name as her reading."""
    quote = text[fact.candidate.span.start : fact.candidate.span.end]
    # a role's dates are on its blank kg:Role node, on the person the role's IRI names
    subjects = list(graph.objects(iri, KG.role)) if fact.candidate.cls == "Role" else [iri]
    if fact.dated:
        for subject in subjects:
            for prop in DATE_PROPERTIES:
                dates = [v for v in graph.objects(subject, prop) if isinstance(v, Literal)]
                if any(not date_appears(v, [quote]) for v in dates):
                    _derivation(graph, subject, prop, None)
    folded = normalise(quote)
    for field_name, values in fact.picked.items():
        if field_name.startswith("participation/"):
            continue  # a participation's agent is on its own node: kept as the draft writes it
        for value in values:
            if not _named(value, folded, labels):
                _derivation(graph, iri, KG[field_name], URIRef(value))


def _named(iri: str, folded_quote: str, labels: Mapping[str, str]) -> bool:
    """Whether the quote names the entity by its label, as the evidence-support check reads."""
    label = labels.get(iri)
    return bool(label) and any(v in folded_quote for v in name_variants(str(label)))


def _derivation(graph: Graph, subject: Node, prop: URIRef, value: URIRef | None) -> None:
    node = BNode()
    graph.add((subject, KG.derivation, node))
    graph.add((node, RDF.type, KG.Derivation))
    graph.add((node, KG.derivedProperty, prop))
    graph.add((node, KG.rule, CURATOR_READING))
    if value is not None:
        graph.add((node, KG.derivedValue, value))


def turtle(graph: Graph) -> str:
    return graph.serialize(format="turtle")


# ------------------------------------------------------------------------------ the report


def by_fact(report: Report, built: Built) -> tuple[dict[int, list[dict[str, Any]]], list[Any]]:
    """Each result of the report placed with the fact it is about; those about no one fact
    (the document's record, say) apart. Blank nodes are named afresh when the validation
    process parses the Turtle, so a blank focus node is placed by what points to it (the
    report's label, "kg:evidence of event:…") or by its quote."""
    owners = {iri: [index] for index, iri in built.iris.items()}
    placed: dict[int, list[dict[str, Any]]] = {}
    general: list[dict[str, Any]] = []
    for result in report.results:
        entry = _result_json(result, report.labels.get(result.focus_node))
        indexes = _owners(result, report.labels, owners, built)
        for index in indexes:
            placed.setdefault(index, []).append(entry)
        if not indexes:
            general.append(entry)
    return placed, general


def _owners(
    result: Result, labels: Mapping[str, str], owners: Mapping[str, list[int]], built: Built
) -> list[int]:
    focus = result.focus_node
    if focus in owners:
        return owners[focus]
    if focus.startswith("_:"):
        named = _expand(labels.get(focus, "").rpartition(" of ")[2])
        if named in owners:
            return owners[named]
        return []
    if focus in built.users and focus != _document(built):
        return built.users[focus]  # a new entity: shown with the facts that use it
    return []


def _document(built: Built) -> str | None:
    """The document every fact cites (its problems belong to the submission as a whole)."""
    counts = {iri: len(users) for iri, users in built.users.items()}
    whole = len(built.iris)
    return next((iri for iri, n in counts.items() if n == whole and "/doc/" in iri), None)


def _expand(short: str) -> str:
    prefix, colon, local = short.partition(":")
    if colon and prefix in PREFIXES:
        return PREFIXES[prefix] + local
    return short


def _result_json(result: Result, label: str | None) -> dict[str, Any]:
    return {
        "severity": result.severity,
        "focus": result.focus_node,
        "label": label,
        "path": result.path,
        "value": result.value,
        "message": result.message,
    }
