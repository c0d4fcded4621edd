"""How well the assistant drafts facts from the five source documents (issue #14).

For each document in data/, the drafter (kg.assist.facts) reads its text with mentions made by a
plain exact-label matcher over the built graph (a stand-in for the linker until it is merged) and
the document's date from data/documents.ttl; its drafts are compared with the curated facts of
data/<document>.ttl. A curated fact (a subject with kg:evidence whose class is one the drafter
covers) is found when a draft of the same class has evidence overlapping one of its quotes, and
a draft is right when it overlaps a curated fact of its class. Also counted: status on the found
facts (and plans drafted as happened events, which must be none), dates (value and precision),
and time per 1,000 words.

    PYTHONPATH=src .venv/bin/python bench/extract_facts.py [--build build/cakg.trig] [--json]
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

from kg.assist.facts import Candidate, _sentences, draft_facts
from kg.assist.model import Mention, Span
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


def _draft_dates(
    candidate: Candidate,
) -> tuple[tuple[str | None, str | None], tuple[str | None, str | None]]:
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
    sentences = _sentences(text)
    candidates = draft_facts(text, sentences, mentions, document_date)
    drafted = time.perf_counter()
    gold = curated_facts(graph, text)
    counts: dict[str, Counter[str]] = {cls: Counter() for cls in CLASSES}
    status = Counter[str]()
    dates = Counter[str]()
    misses: list[str] = []
    for fact in gold:
        counts[fact.cls]["gold"] += 1
        matches = [
            c
            for c in candidates
            if c.cls == fact.cls and any(_overlap(c.span, q) for q in fact.quotes)
        ]
        if not matches:
            misses.append(f"{fact.cls} {fact.iri.rsplit('/', 1)[-1]}")
            continue
        counts[fact.cls]["found"] += 1
        if fact.cls in STATUSED:
            status["found"] += 1
            status["right"] += any(c.status == fact.status for c in matches)
        if fact.dates[0]:
            dates["dated"] += 1
            drafts = [_draft_dates(c) for c in matches]
            dates["value"] += any(d[0] == fact.dates for d in drafts)
            dates["value+precision"] += any(d == (fact.dates, fact.datatypes) for d in drafts)
            if not any(d == (fact.dates, fact.datatypes) for d in drafts):
                misses.append(
                    f"date {fact.iri.rsplit('/', 1)[-1]}: {fact.dates} {fact.datatypes} drafted {drafts}"
                )
    # plans drafted as events: a draft of an event class overlapping a curated plan
    plans = [f for f in gold if f.cls == "Plan"]
    happened_plans = [
        c
        for c in candidates
        if c.cls in ("CulturalEvent", "SportsEvent")
        and any(_overlap(c.span, q) for p in plans for q in p.quotes)
        and not any(_overlap(c.span, q) for f in gold if f.cls == c.cls for q in f.quotes)
    ]
    wrong: list[str] = []
    for candidate in candidates:
        if candidate.cls not in counts:
            continue
        counts[candidate.cls]["drafted"] += 1
        right = any(
            f.cls == candidate.cls and any(_overlap(candidate.span, q) for q in f.quotes)
            for f in gold
        )
        counts[candidate.cls]["right"] += right
        if not right:
            wrong.append(f"{candidate.cls}: {candidate.label}")
    return {
        "counts": {k: dict(v) for k, v in counts.items()},
        "status": dict(status),
        "dates": dict(dates),
        "plans_drafted_as_happened": len(happened_plans),
        "plans_drafted_as_happened_labels": [c.label for c in happened_plans],
        "words": len(text.split()),
        "seconds_linking": linked - started,
        "seconds_drafting": drafted - linked,
        "misses": misses,
        "wrong": wrong,
    }


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
    for context in dataset.contexts():
        union += context
    gazetteer = Gazetteer.from_graph(union)
    _sentences("warm up.")  # spaCy's first pipeline is made once, outside the timing
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
        per_class[cls] = {
            "gold": c["gold"],
            "found": c["found"],
            "drafted": c["drafted"],
            "right": c["right"],
            "recall": _ratio(c["found"], c["gold"]),
            "precision": _ratio(c["right"], c["drafted"]),
        }
    gold = sum(v["gold"] for v in per_class.values())
    found = sum(v["found"] for v in per_class.values())
    drafted = sum(v["drafted"] for v in per_class.values())
    right = sum(v["right"] for v in per_class.values())
    status, dates = Counter[str](), Counter[str]()
    for r in results:
        status.update(r["status"])
        dates.update(r["dates"])
    words = sum(r["words"] for r in results)
    return {
        "per_class": per_class,
        "recall": _ratio(found, gold),
        "precision": _ratio(right, drafted),
        "status_accuracy": _ratio(status["right"], status["found"]),
        "plans_drafted_as_happened": sum(r["plans_drafted_as_happened"] for r in results),
        "date_value_accuracy": _ratio(dates["value"], dates["dated"]),
        "date_value_precision_accuracy": _ratio(dates["value+precision"], dates["dated"]),
        "dated_found": dates["dated"],
        "seconds_per_1000_words_drafting": 1000
        * sum(r["seconds_drafting"] for r in results)
        / words,
        "seconds_per_1000_words_with_matching": 1000
        * sum(r["seconds_drafting"] + r["seconds_linking"] for r in results)
        / words,
    }


def _ratio(a: float, b: float) -> float:
    return round(a / b, 3) if b else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", type=Path, default=ROOT / "build" / "cakg.trig")
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="list misses and wrong drafts")
    args = parser.parse_args(argv)
    result = evaluate_facts(args.data, args.build)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    totals = result["totals"]
    print(
        f"{'class':<14}{'gold':>6}{'found':>7}{'drafted':>9}{'right':>7}{'recall':>8}{'precision':>10}"
    )
    for cls, v in totals["per_class"].items():
        print(
            f"{cls:<14}{v['gold']:>6}{v['found']:>7}{v['drafted']:>9}{v['right']:>7}{v['recall']:>8.0%}{v['precision']:>10.0%}"
        )
    print(f"all: recall {totals['recall']:.0%}, precision {totals['precision']:.0%}")
    print(
        f"status accuracy on found facts: {totals['status_accuracy']:.1%}; plans drafted as happened events: {totals['plans_drafted_as_happened']}"
    )
    print(
        f"dates ({totals['dated_found']} dated facts found): value {totals['date_value_accuracy']:.0%}, value and precision {totals['date_value_precision_accuracy']:.0%}"
    )
    print(
        f"time: {totals['seconds_per_1000_words_drafting'] * 1000:.0f} ms per 1,000 words drafting, {totals['seconds_per_1000_words_with_matching'] * 1000:.0f} ms with the label matching"
    )
    if args.verbose:
        for stem, r in result["documents"].items():
            print(f"\n== {stem}")
            for line in r["misses"]:
                print("  miss  ", line)
            for line in r["wrong"]:
                print("  wrong ", line)
            for line in r["plans_drafted_as_happened_labels"]:
                print("  PLAN AS HAPPENED ", line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
