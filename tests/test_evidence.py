"""Every fact carries evidence, and every quote occurs verbatim in its document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from kg.graph.parsing import parse_file
from kg.namespaces import KG

ROOT = Path(__file__).resolve().parents[1]
DOCUMENT_FILES = sorted((ROOT / "data").glob("0*.ttl"))
FACT_CLASSES = [
    KG.CulturalEvent,
    KG.HistoricalEvent,
    KG.SportsEvent,
    KG.Plan,
    KG.EventSeries,
    KG.Agreement,
    KG.CityTwinning,
    KG.Award,
    KG.Statistic,
    KG.Person,
    KG.Organization,
    KG.Venue,
    KG.Facility,
    KG.Group,
    KG.Programme,
    KG.Participation,
    KG.CreativeWork,
    KG.Role,
]


def _quotes(path: Path) -> list[pytest.param]:  # type: ignore[valid-type]
    graph = parse_file(path)
    out = []
    for fact, evidence in graph.subject_objects(KG.evidence):
        quote = str(graph.value(evidence, KG.quote))
        source = str(graph.value(evidence, KG.source)).rsplit("/", 1)[-1]
        name = str(fact).rsplit("/", 1)[-1] if isinstance(fact, URIRef) else "role"
        out.append(pytest.param(source, quote, id=f"{path.stem[:3]}-{name}-{quote[:24]}"))
    return out


QUOTES = [q for path in DOCUMENT_FILES for q in _quotes(path)]


def test_there_is_a_facts_file_per_document() -> None:
    texts = sorted(p.stem for p in (ROOT / "data").glob("*.txt"))
    assert [p.stem for p in DOCUMENT_FILES] == texts


@pytest.mark.parametrize(("document", "quote"), QUOTES)
def test_quote_is_verbatim(document: str, quote: str) -> None:
    text = (ROOT / "data" / f"{document}.txt").read_text("utf-8")
    assert quote in text


def test_source_documents_are_unchanged(graph: Graph) -> None:
    import hashlib

    for doc in graph.subjects(RDF.type, KG.Document):
        path = ROOT / "data" / str(graph.value(doc, KG.fileName))
        assert hashlib.sha256(path.read_bytes()).hexdigest() == str(graph.value(doc, KG.sha256))
        shared = ROOT.parent / "shared" / "sources" / path.name
        if shared.exists():
            assert shared.read_bytes() == path.read_bytes()


@pytest.mark.parametrize("cls", FACT_CLASSES, ids=lambda c: str(c).rsplit("#", 1)[-1])
def test_every_fact_has_evidence_from_a_document(graph: Graph, cls: URIRef) -> None:
    missing = [s for s in graph.subjects(RDF.type, cls) if graph.value(s, KG.evidence) is None]
    assert missing == []


def test_evidence_of_a_document_graph_quotes_that_document(dataset: Any) -> None:
    """A document's graph holds only what that document says."""
    from kg.namespaces import GRAPH

    for path in DOCUMENT_FILES:
        named = dataset.graph(GRAPH[path.stem])
        sources = {str(o).rsplit("/", 1)[-1] for o in named.objects(None, KG.source)}
        assert sources == {path.stem}
