"""How well the assistant drafts facts from the five source documents (issue #14).

For each document in data/, the drafter (kg.assist.facts) reads its text with mentions made by a
plain exact-label matcher over the built graph (a stand-in for the linker until it is merged; the
sentences come from the drafter's stand-in for kg.assist.text.sentences) and the document's date
from data/documents.ttl; its drafts are compared with the curated facts of data/<document>.ttl.

- A curated fact (a subject with kg:evidence whose class the drafter covers; roles included) is
  found when a draft of its class has evidence overlapping one of its quotes; a draft is right
  when it overlaps a curated fact of its class. Several curated facts share a sentence, so the
  stricter reading, one draft for one fact, is given too.
- Status is counted over every class: a curated fact with a status, cited by drafts of any class,
  is right when one of them has its status; a curated plan cited by a draft of a happened event
  class that no curated event of that class backs is a plan drafted as happened (must be none).
- Dates on found facts: the value, and the value at the curated precision (xsd datatype).
- Time per 1,000 words: the drafting (sentences included), and with the label matching.

    PYTHONPATH=src .venv/bin/python bench/extract_facts.py [--build build/cakg.trig] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kg.assist.facts import Candidate, draft_facts
from kg.assist.model import Mention, Span
from kg.assist.text import sentences
from kg.namespaces import DOC, KG

ROOT = Path(__file__).resolve().parents[1]
DCTERMS_DATE = URIRef("http://purl.org/dc/terms/date")
#: The classes the drafter covers, as the evaluation counts them.
CLASSES = (
    "CulturalEvent",
    "SportsEvent",
    "Plan",
    "Agreement",
    "CityTwinning",
    "Award",
    "Statistic",
    "Role",
)
STATUSED = ("CulturalEvent", "SportsEvent", "Plan", "Agreement", "CityTwinning", "Award")
KINDS = {
    "Country": "country",
    "Region": "region",
    "City": "city",
    "Venue": "venue",
    "Facility": "venue",
    "Person": "person",
    "Organization": "organization",
    "EventSeries": "series",
    "Group": "group",
}


# ---------------------------------------------------------------- a plain label matcher


@dataclass(frozen=True)
class Gazetteer:
    """Every English label and altLabel of the graph's named things, longest first."""

    names: list[tuple[str, str, tuple[str, ...], str]]  # label, kind, IRIs, country of a place

    @classmethod
    def from_graph(cls, graph: Graph) -> Gazetteer:
        found: dict[tuple[str, str], set[str]] = {}
        country: dict[str, str] = {}
        for local, kind in KINDS.items():
            for subject in graph.subjects(RDF.type, KG[local]):
                for prop in (RDFS.label, SKOS.altLabel):
                    for label in graph.objects(subject, prop):
                        if isinstance(label, Literal) and label.language in ("en", None):
                            found.setdefault((str(label), kind), set()).add(str(subject))
                place_country = graph.value(subject, KG.country)
                if place_country is not None:
                    country[str(subject)] = str(place_country)
        names = [
            (label, kind, tuple(sorted(iris)), country.get(sorted(iris)[0], ""))
            for (label, kind), iris in found.items()
        ]
        names.sort(key=lambda n: -len(n[0]))
        return cls(names)

    def mentions(self, text: str) -> list[Mention]:
        """Exact, case-sensitive matches on word boundaries; the longest wins, none overlap."""
        taken: list[Mention] = []
        occupied = bytearray(len(text))
        for label, kind, iris, country in self.names:
            for match in re.finditer(rf"(?<!\w){re.escape(label)}(?!\w)", text):
                if any(occupied[match.start() : match.end()]):
                    continue
                occupied[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
                one = len(iris) == 1
                taken.append(
                    Mention(
                        Span(match.start(), match.end()),
                        match.group(0),
                        kind,
                        iris[0] if one else None,
                        () if one else iris,
                        note="" if one else "several things have this name",
                        extra={"country": country} if country else {},
                    )
                )
        return sorted(taken, key=lambda m: m.span)


# ---------------------------------------------------------------- the curated facts


@dataclass
class Curated:
    iri: str
    cls: str
    quotes: list[Span]
    status: str
    dates: tuple[str | None, str | None]  # (date or start, end)
    datatypes: tuple[str | None, str | None]


def curated_facts(graph: Graph, text: str) -> list[Curated]:
    """The facts of one document's graph, of the classes the drafter covers, with quote offsets."""
    found: list[Curated] = []
    for cls in CLASSES:
        for subject in set(graph.subjects(RDF.type, KG[cls])):
            spans = [s for q in _quotes(graph, subject) for s in _find(text, q)]
            if not spans:
                continue
            found.append(
                Curated(
                    str(subject),
                    cls,
                    spans,
                    str(graph.value(subject, KG.status) or ""),
                    (_date(graph, subject, "date", "startDate"), _date(graph, subject, "endDate")),
                    (
                        _dtype(graph, subject, "date", "startDate"),
                        _dtype(graph, subject, "endDate"),
                    ),
                )
            )
    return found


def _quotes(graph: Graph, subject: Any) -> list[str]:
    return [str(graph.value(e, KG.quote)) for e in graph.objects(subject, KG.evidence)]


def _find(text: str, quote: str) -> list[Span]:
    return [Span(m.start(), m.start() + len(quote)) for m in re.finditer(re.escape(quote), text)]


def _date(graph: Graph, subject: Any, *props: str) -> str | None:
    for prop in props:
        value = graph.value(subject, KG[prop])
        if value is not None:
            return str(value)
    return None


def _dtype(graph: Graph, subject: Any, *props: str) -> str | None:
    for prop in props:
        value = graph.value(subject, KG[prop])
        if isinstance(value, Literal) and value.datatype:
            return str(value.datatype).rsplit("#", 1)[-1]
    return None


# ---------------------------------------------------------------- the evaluation


def _overlap(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def _cites(candidate: Candidate, fact: Curated) -> bool:
    return any(_overlap(candidate.span, quote) for quote in fact.quotes)


Dates = tuple[tuple[str | None, str | None], tuple[str | None, str | None]]


def _draft_dates(candidate: Candidate) -> Dates:
    date = next((d for d in candidate.dates if d.start), None)
    if date is None:
        return (None, None), (None, None)
    end_type = {10: "date", 7: "gYearMonth", 4: "gYear"}.get(len(date.end or ""))
    return (date.start, date.end), (date.datatype, end_type)


def evaluate_document(
    text: str, graph: Graph, gazetteer: Gazetteer, document_date: str | None
) -> dict[str, Any]:
    """Draft one document and compare with its curated facts."""
    started = time.perf_counter()
    mentions = gazetteer.mentions(text)
    linked = time.perf_counter()
    candidates = draft_facts(text, sentences(text), mentions, document_date)
    drafted = time.perf_counter()
    gold = curated_facts(graph, text)
    result: dict[str, Any] = {"words": len(text.split()), "misses": [], "wrong": []}
    result["seconds_linking"], result["seconds_drafting"] = linked - started, drafted - linked
    result["counts"] = _class_counts(gold, candidates, result)
    result["strict"] = _one_to_one(gold, candidates)
    result["status"], result["plans_drafted_as_happened_labels"] = _status(gold, candidates)
    result["plans_drafted_as_happened"] = len(result["plans_drafted_as_happened_labels"])
    result["dates"] = _dates(gold, candidates, result)
    return result


def _class_counts(
    gold: list[Curated], candidates: list[Candidate], result: dict[str, Any]
) -> dict[str, dict[str, int]]:
    """Found: a curated fact cited by a draft of its class; right: a draft citing one."""
    counts: dict[str, Counter[str]] = {cls: Counter() for cls in CLASSES}
    for fact in gold:
        counts[fact.cls]["gold"] += 1
        found = any(c.cls == fact.cls and _cites(c, fact) for c in candidates)
        counts[fact.cls]["found"] += found
        if not found:
            result["misses"].append(f"{fact.cls} {fact.iri.rsplit('/', 1)[-1]}")
    for candidate in candidates:
        if candidate.cls in counts:
            counts[candidate.cls]["drafted"] += 1
            right = any(f.cls == candidate.cls and _cites(candidate, f) for f in gold)
            counts[candidate.cls]["right"] += right
            if not right:
                result["wrong"].append(f"{candidate.cls}: {candidate.label}")
    return {cls: dict(c) for cls, c in counts.items()}


def _one_to_one(gold: list[Curated], candidates: list[Candidate]) -> dict[str, int]:
    """The stricter reading: each draft stands for at most one curated fact (greedy, in order)."""
    used: set[int] = set()
    for fact in gold:
        for index, candidate in enumerate(candidates):
            if index not in used and candidate.cls == fact.cls and _cites(candidate, fact):
                used.add(index)
                break
    drafted = sum(c.cls in CLASSES for c in candidates)
    return {"gold": len(gold), "matched": len(used), "drafted": drafted}


def _status(gold: list[Curated], candidates: list[Candidate]) -> tuple[dict[str, int], list[str]]:
    """Status over every class: a curated fact with a status, cited by drafts of any class
    with a status, is right when one of them has its status. A curated plan cited by a draft
    drafted as a happened event, and by none of that event's own class, is a plan drafted as
    happened."""
    counts = Counter[str]()
    as_happened: list[str] = []
    for fact in gold:
        if fact.cls not in STATUSED:
            continue
        citing = [c for c in candidates if c.status and _cites(c, fact)]
        if citing:
            counts["found"] += 1
            counts["right"] += any(c.status == fact.status for c in citing)
        if fact.cls != "Plan":
            continue
        for candidate in citing:
            events = [f for f in gold if f.cls == candidate.cls and _cites(candidate, f)]
            if candidate.cls in ("CulturalEvent", "SportsEvent") and not events:
                as_happened.append(candidate.label)
    return dict(counts), as_happened


def _dates(
    gold: list[Curated], candidates: list[Candidate], result: dict[str, Any]
) -> dict[str, int]:
    """On found facts with a date: value and precision as curated, by any citing draft."""
    counts = Counter[str]()
    for fact in gold:
        drafts = [_draft_dates(c) for c in candidates if c.cls == fact.cls and _cites(c, fact)]
        if not fact.dates[0] or not drafts:
            continue
        counts["dated"] += 1
        counts["value"] += any(d[0] == fact.dates for d in drafts)
        exact = any(d == (fact.dates, fact.datatypes) for d in drafts)
        counts["value+precision"] += exact
        if not exact:
            iri = fact.iri.rsplit("/", 1)[-1]
            result["misses"].append(f"date {iri}: {fact.dates} {fact.datatypes}, drafted {drafts}")
    return dict(counts)


def evaluate_facts(
    data_dir: Path = ROOT / "data", build: Path = ROOT / "build" / "cakg.trig"
) -> dict[str, Any]:
    """Evaluate the drafting on every document of ``data_dir`` against its curated facts.

    Returns per-document results and the totals: recall and precision per class, status
    accuracy on found facts, plans drafted as happened events, date accuracy, seconds per
    1,000 words (drafting alone, the sentences included; and with the label matching).
    """
    dataset = Dataset()
    dataset.parse(build, format="trig")
    union = Graph()
    for graph in dataset.graphs():
        union += graph
    gazetteer = Gazetteer.from_graph(union)
    sentences("warm up.")  # spaCy's first pipeline is made once, outside the timing
    documents: dict[str, Any] = {}
    for path in sorted(data_dir.glob("0*.txt")):
        graph = Graph().parse(path.with_suffix(".ttl"))
        date = union.value(DOC[path.stem], DCTERMS_DATE)
        documents[path.stem] = evaluate_document(
            path.read_text("utf-8"), graph, gazetteer, str(date) if date is not None else None
        )
    return {"documents": documents, "totals": _totals(documents.values())}


def _totals(results: Any) -> dict[str, Any]:
    results = list(results)
    per_class: dict[str, dict[str, float]] = {}
    for cls in CLASSES:
        c = Counter[str]()
        for r in results:
            c.update(r["counts"][cls])
        per_class[cls] = {k: c[k] for k in ("gold", "found", "drafted", "right")}
        per_class[cls] |= {
            "recall": _ratio(c["found"], c["gold"]),
            "precision": _ratio(c["right"], c["drafted"]),
        }
    status, dates, strict = Counter[str](), Counter[str](), Counter[str]()
    for r in results:
        status.update(r["status"])
        dates.update(r["dates"])
        strict.update(r["strict"])
    words = sum(r["words"] for r in results)
    drafting = sum(r["seconds_drafting"] for r in results)
    linking = sum(r["seconds_linking"] for r in results)
    total = {
        k: sum(v[k] for v in per_class.values()) for k in ("gold", "found", "drafted", "right")
    }
    return {
        "per_class": per_class,
        "recall": _ratio(total["found"], total["gold"]),
        "precision": _ratio(total["right"], total["drafted"]),
        "strict_recall": _ratio(strict["matched"], strict["gold"]),
        "strict_precision": _ratio(strict["matched"], strict["drafted"]),
        "status_found": status["found"],
        "status_accuracy": _ratio(status["right"], status["found"]),
        "plans_drafted_as_happened": sum(r["plans_drafted_as_happened"] for r in results),
        "dated_found": dates["dated"],
        "date_value_accuracy": _ratio(dates["value"], dates["dated"]),
        "date_value_precision_accuracy": _ratio(dates["value+precision"], dates["dated"]),
        "seconds_per_1000_words_drafting": 1000 * drafting / words,
        "seconds_per_1000_words_with_matching": 1000 * (drafting + linking) / words,
    }


def _ratio(a: float, b: float) -> float:
    return round(a / b, 3) if b else 0.0


def report(result: dict[str, Any], verbose: bool = False) -> str:
    """The evaluation as a table and a few lines, for a person."""
    totals = result["totals"]
    head = ("class", "gold", "found", "drafted", "right", "recall", "precision")
    lines = ["{:<14}{:>6}{:>7}{:>9}{:>7}{:>8}{:>10}".format(*head)]
    for cls, v in totals["per_class"].items():
        row = (cls, v["gold"], v["found"], v["drafted"], v["right"], v["recall"], v["precision"])
        lines.append("{:<14}{:>6}{:>7}{:>9}{:>7}{:>8.0%}{:>10.0%}".format(*row))
    lines += [
        f"all: recall {totals['recall']:.0%}, precision {totals['precision']:.0%} "
        f"(one draft for one fact: recall {totals['strict_recall']:.0%}, "
        f"precision {totals['strict_precision']:.0%})",
        f"status right on {totals['status_accuracy']:.1%} of {totals['status_found']} found facts; "
        f"plans drafted as happened events: {totals['plans_drafted_as_happened']}",
        f"dates of {totals['dated_found']} found dated facts: value "
        f"{totals['date_value_accuracy']:.0%}, value and precision "
        f"{totals['date_value_precision_accuracy']:.0%}",
        f"time: {totals['seconds_per_1000_words_drafting'] * 1000:.0f} ms per 1,000 words "
        f"drafting, {totals['seconds_per_1000_words_with_matching'] * 1000:.0f} ms with the "
        "label matching",
    ]
    if verbose:
        for stem, r in result["documents"].items():
            lines.append(f"\n== {stem}")
            lines += [f"  miss   {line}" for line in r["misses"]]
            lines += [f"  wrong  {line}" for line in r["wrong"]]
            lines += [
                f"  PLAN AS HAPPENED  {line}" for line in r["plans_drafted_as_happened_labels"]
            ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--build", type=Path, default=ROOT / "build" / "cakg.trig")
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="list misses and wrong drafts")
    args = parser.parse_args(argv)
    result = evaluate_facts(args.data, args.build)
    print(json.dumps(result, indent=2) if args.json else report(result, args.verbose))
    return 0


if __name__ == "__main__":
    sys.exit(main())
