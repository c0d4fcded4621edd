"""How well the curator's assistant links names, measured leave-one-out on the five documents.

For each document D, the linker is built from the dataset without D's graph (and without the
schema.org view the build derives from every graph), run on D's text, and compared with the
entities D's facts use: every IRI object of D's graph whose subject has ``kg:evidence``, that
is a place, venue, person, organisation, series or group with an ``rdfs:label``. Such an
entity is *in context* when the rest of the dataset types and labels it too, and *only in D*
otherwise; an entity only in D counts as found when a new mention's minted IRI is its IRI or
the mention's text is one of its labels (with or without a title: "Mr. Name" is "Name").

Precision is measured apart for the two kinds of mention:

- a mention linked to an existing resource is right when D's graph uses that IRI;
- a new mention is right when it names (minted IRI, or text = label) a place, person,
  organisation … that D's graph has and the rest lacks; ``names_other_fact`` counts those that
  name another resource of D instead (a festival D models as an event, a planned university),
  which the strict figure counts wrong.

Mentions left ambiguous (``iri`` None) are counted apart.

    PYTHONPATH=src .venv/bin/python bench/extract_linking.py [build/cakg.trig] [data/]
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kg.assist.linking import KINDS, Linker
from kg.assist.model import Mention
from kg.assist.names import fold_name, strip_title
from kg.graph.alignment import SCHEMA_GRAPH
from kg.graph.dataset import union
from kg.namespaces import GRAPH, KG

ROOT = Path(__file__).resolve().parent.parent
#: Links that are a fact's apparatus, not entities the text names.
NOT_NAMED = {RDF.type, KG.evidence, KG.derivation, KG.source, KG.dateDerivedFrom}
MEASURES = ("recall_in_context", "recall_only_in_document", "precision_linked", "precision_new")


def evaluate_linking(
    dataset_path: Path | str, data_dir: Path | str | None = None
) -> dict[str, Any]:
    """Precision and recall of the linker on each document, leaving that document out."""
    dataset = Dataset()
    path = Path(dataset_path)
    dataset.parse(path, format="nquads" if path.suffix == ".nq" else "trig")
    texts = Path(data_dir) if data_dir else path.parent.parent / "data"
    whole = union(dataset)
    documents = {}
    for name in sorted(str(g.identifier) for g in dataset.graphs()):
        stem = name.removeprefix(str(GRAPH))
        if name.startswith(str(GRAPH)) and (texts / f"{stem}.txt").exists():
            text = (texts / f"{stem}.txt").read_text("utf-8")
            documents[stem] = _evaluate_document(dataset, whole, URIRef(name), text)
    return {"documents": documents, "totals": _totals(documents.values())}


def _evaluate_document(dataset: Dataset, whole: Graph, name: URIRef, text: str) -> dict[str, Any]:
    context = Graph()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        if g not in (name, SCHEMA_GRAPH):
            context.add((s, p, o))
    started = time.perf_counter()
    linker = Linker.from_graph(context)
    built = time.perf_counter() - started
    started = time.perf_counter()
    mentions = linker.mentions(text)
    linked = time.perf_counter() - started
    return {
        "words": len(text.split()),
        "build_seconds": round(built, 3),
        "link_seconds": round(linked, 3),
        **reading(dataset.graph(name), context, whole, mentions),
    }


def reading(own: Graph, context: Graph, whole: Graph, mentions: list[Mention]) -> dict[str, Any]:
    """The mentions of a left-out document read against its own graph `own`: recall over the
    entities its facts use, precision of what was linked and what was minted."""
    gold = _gold(own, whole)
    in_context = {iri: kind for iri, kind in gold.items() if _kind(context, iri)}
    only_here = {iri: kind for iri, kind in gold.items() if iri not in in_context}
    # what a new mention may name: resources of D's graph that the rest lacks
    new_here = {str(s) for s in own.subjects(RDFS.label, None) if not _kind(context, str(s))}
    labels = {iri: _labels(own, iri) for iri in new_here}
    entities = {iri for iri in new_here if _kind(whole, iri)}
    used = {str(t) for triple in own for t in triple if isinstance(t, URIRef)}
    return {
        "mentions": len(mentions),
        "recall_in_context": _recall(in_context, mentions, {}),
        "recall_only_in_document": _recall(only_here, mentions, labels),
        "precision_linked": _precision_linked(mentions, used),
        "precision_new": _precision_new(mentions, labels, entities),
        "ambiguous": _ambiguous(mentions, used),
        "spelling_variants": _spelling_variants(mentions, used),
    }


def _gold(own: Graph, whole: Graph) -> dict[str, str]:
    """The entities the document's facts use, with their kinds."""
    gold = {}
    for fact in set(own.subjects(KG.evidence, None)):
        for p, o in own.predicate_objects(fact):
            if isinstance(o, URIRef) and p not in NOT_NAMED:
                kind = _kind(whole, str(o))
                if kind:
                    gold[str(o)] = kind
    return gold


def _kind(graph: Graph, iri: str) -> str | None:
    """The mention kind of a typed and labelled resource of the linker's classes."""
    if (URIRef(iri), RDFS.label, None) not in graph:
        return None
    types = set(graph.objects(URIRef(iri), RDF.type))
    return next((kind for cls, kind in KINDS if cls in types), None)


def _labels(graph: Graph, iri: str) -> set[str]:
    """Its labels, folded, with and without a title ("Mr. Name" is also "Name")."""
    names = [*graph.objects(URIRef(iri), RDFS.label), *graph.objects(URIRef(iri), SKOS.altLabel)]
    folded = {fold_name(str(n)).lower() for n in names}
    return folded | {strip_title(n) for n in folded}


def _names(mention: Mention, labels: dict[str, set[str]]) -> set[str]:
    """The resources only in D that a new mention names."""
    folded = fold_name(mention.text).lower()
    return {iri for iri, names in labels.items() if iri == mention.iri or folded in names}


def _recall(
    gold: dict[str, str], mentions: list[Mention], labels: dict[str, set[str]]
) -> dict[str, Any]:
    by_kind: dict[str, Counter[str]] = {}
    missed = []
    for iri, kind in sorted(gold.items()):
        found = any(m.iri == iri or (m.new and iri in _names(m, labels)) for m in mentions)
        by_kind.setdefault(kind, Counter())["right" if found else "wrong"] += 1
        if not found:
            flagged = any(iri in m.candidates for m in mentions)
            missed.append(f"{iri} (ambiguous, among the candidates)" if flagged else iri)
    return {"by_kind": {k: dict(c) for k, c in sorted(by_kind.items())}, "missed": missed}


def _precision_linked(mentions: list[Mention], used: set[str]) -> dict[str, Any]:
    by_kind: dict[str, Counter[str]] = {}
    wrong = []
    for mention in mentions:
        if mention.iri is None or mention.new:
            continue
        right = mention.iri in used
        by_kind.setdefault(mention.kind, Counter())["right" if right else "wrong"] += 1
        if not right:
            wrong.append(f"{mention.text!r} -> {mention.iri}")
    return {"by_kind": {k: dict(c) for k, c in sorted(by_kind.items())}, "wrong": wrong}


def _precision_new(
    mentions: list[Mention], labels: dict[str, set[str]], entities: set[str]
) -> dict[str, Any]:
    by_kind: dict[str, Counter[str]] = {}
    wrong, other = [], []
    for mention in mentions:
        if mention.iri is None or not mention.new:
            continue
        named = _names(mention, labels)
        right = bool(named & entities)
        by_kind.setdefault(mention.kind, Counter())["right" if right else "wrong"] += 1
        if named and not right:
            other.append(f"{mention.text!r} ({mention.kind}) names {', '.join(sorted(named))}")
        elif not right:
            wrong.append(f"{mention.text!r} -> {mention.iri}")
    kinds = {k: dict(c) for k, c in sorted(by_kind.items())}
    return {"by_kind": kinds, "wrong": wrong, "names_other_fact": other}


def _ambiguous(mentions: list[Mention], used: set[str]) -> dict[str, Any]:
    flagged = [m for m in mentions if m.iri is None]
    useful = [m for m in flagged if set(m.candidates) & used]
    return {"mentions": len(flagged), "with_a_used_candidate": len(useful)}


def _spelling_variants(mentions: list[Mention], used: set[str]) -> dict[str, Any]:
    """The mentions linked by the spelling-blind comparison, and how many D's graph uses."""
    fuzzy = [m for m in mentions if "fuzzy" in m.extra.get("form", "")]
    return {
        "mentions": len(fuzzy),
        "right": sum(1 for m in fuzzy if m.iri in used),
        "list": [f"{m.text!r} -> {m.iri or m.candidates}" for m in fuzzy],
    }


def _totals(documents: Any) -> dict[str, Any]:
    documents = list(documents)
    totals: dict[str, dict[str, Counter[str]]] = {m: {} for m in MEASURES}
    for document in documents:
        for measure in MEASURES:
            for kind, counts in document[measure]["by_kind"].items():
                totals[measure].setdefault(kind, Counter()).update(counts)
    result: dict[str, Any] = {}
    for measure, kinds in totals.items():
        everything = sum(kinds.values(), Counter())
        result[measure] = {
            "all": _rate(everything),
            **{kind: _rate(counts) for kind, counts in sorted(kinds.items())},
        }
    other = sum(len(d["precision_new"]["names_other_fact"]) for d in documents)
    result["precision_new"]["names_other_fact"] = other
    result["spelling_variants"] = {
        key: sum(d["spelling_variants"][key] for d in documents) for key in ("mentions", "right")
    }
    result["ambiguous"] = {
        key: sum(d["ambiguous"][key] for d in documents)
        for key in ("mentions", "with_a_used_candidate")
    }
    result["words"] = sum(d["words"] for d in documents)
    result["link_seconds"] = round(sum(d["link_seconds"] for d in documents), 3)
    result["build_seconds_max"] = max(d["build_seconds"] for d in documents)
    return result


def _rate(counts: Counter[str]) -> str:
    total = sum(counts.values())
    return f"{counts['right']}/{total} = {counts['right'] / total:.1%}" if total else "-"


if __name__ == "__main__":
    dataset_path = sys.argv[1] if len(sys.argv) > 1 else ROOT / "build" / "cakg.trig"
    data = sys.argv[2] if len(sys.argv) > 2 else None
    print(json.dumps(evaluate_linking(dataset_path, data), indent=1, ensure_ascii=False))
