"""From a reviewed draft to the Turtle of a submission: the facts the curator accepted, with
their edits, and the document's record; and the validation report read back, fact by fact.

The Turtle is built here, on the server, from the draft's own candidates (never from Turtle
the page sends), with the assistant's writer (:mod:`kg.assist.draft`), so an accepted fact is
written exactly as ``kg extract`` writes it. Edits are checked one by one: a label is one line,
a status one of the status concepts, a date ISO at year, month or day precision, an entity an
http(s) IRI.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph

from ..assist.dates import DateMention
from ..assist.draft import IRI_FIELDS, mint_iris, to_graph
from ..assist.facts import Candidate
from ..assist.model import Mention, Span
from ..errors import ProtocolError
from ..graph.validate import Report, Result
from ..namespaces import PREFIXES, STATUS, bind_prefixes
from ..store.interface import valid_iri
from .drafting import StoredDraft

#: The status concepts a curator may choose (docs/modelling.md, "Status").
STATUSES = tuple(str(STATUS[name]) for name in ("happened", "planned", "proposed"))
#: A date as the shapes take it: a year, a year and month, or a day.
ISO_DATE = re.compile(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?")
#: Fields whose values a curator may pick: the entity fields (a concept field such as
#: eventType keeps the assistant's choice), a role's person, and participations' agents.
CONCEPT_FIELDS = frozenset({"eventType", "agreementType", "measure", "unitOfMeasure", "qualifier"})
ENTITY_FIELDS = (IRI_FIELDS - CONCEPT_FIELDS) | {"person"}
#: Longest label a curator may give.
MAX_LABEL = 300


@dataclass(frozen=True)
class Accepted:
    """A fact the curator accepted: its index in the draft and the candidate, edits applied."""

    index: int
    candidate: Candidate


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


def accepted(review: Mapping[str, Any], decisions: Any) -> list[Accepted]:
    """The accepted facts with the curator's edits; ProtocolError (400) names the first wrong
    one. `decisions` is the page's JSON: ``{"facts": [{"index": 3, "label": …}, …]}``."""
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
        chosen.append(Accepted(index, edited(candidate(facts[index]), entry, index)))
    return sorted(chosen, key=lambda a: a.index)


def edited(fact: Candidate, edits: Mapping[str, Any], index: int) -> Candidate:
    """The candidate with the curator's edits applied (each is optional)."""
    where = f"fact {index + 1}"
    label = _one_line(edits.get("label"))
    if label:
        if len(label) > MAX_LABEL:
            raise ProtocolError(f"{where}: the label is longer than {MAX_LABEL} characters")
        fact.label = label
    status = _one_line(edits.get("status"))
    if status:
        if status not in STATUSES:
            raise ProtocolError(f"{where}: {status!r} is not a status concept")
        fact.status = status
    _edit_dates(fact, edits, where)
    for prop, values in (edits.get("fields") or {}).items():
        fact.fields[prop] = _entities(prop, values, where)
    return fact


def _edit_dates(fact: Candidate, edits: Mapping[str, Any], where: str) -> None:
    start, end = _one_line(edits.get("date")), _one_line(edits.get("endDate"))
    if not start and not end:
        return
    for value in (start, end):
        if value and not ISO_DATE.fullmatch(value):
            raise ProtocolError(f"{where}: the date {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    if not start:
        raise ProtocolError(f"{where}: an end date needs a start date")
    # a date the curator states replaces the drafted one: it is no longer derived
    fact.dates = [DateMention(fact.span, start, start, end or None)]


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
) -> Built:
    """The addition: the accepted facts, the new entities they use, and the document's record
    unless the graph holds the text already (`registered`, looked up at submit time, since
    another curator may have registered it since the draft was made)."""
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
    for accepted_fact in chosen:
        for values in accepted_fact.candidate.fields.values():
            for value in values:
                built.users.setdefault(value, []).append(accepted_fact.index)
        built.users.setdefault(document, []).append(accepted_fact.index)
    return built


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
