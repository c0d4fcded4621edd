"""The query processes' two copies of the dataset: the whole store and the merge alone.

Queries that never name a graph read the merge alone (faster); these tests show both copies
give the same answers and stay equal as submission graphs come and go.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.cli.tables import ACCEPT, solutions
from kg.store import guard
from kg.store.engine import QueryJob
from kg.store.pool import DatasetStores

CQ_DIR = Path(__file__).parent / "cq"
EX = "https://example.org/"
DEFAULT = ox.DefaultGraph()


@pytest.fixture(scope="module")
def stores(built: Path) -> DatasetStores:
    return DatasetStores(built / "cakg.nq")


def default_graph(store: ox.Store) -> set[ox.Triple]:
    return {q.triple for q in store.quads_for_pattern(None, None, None, DEFAULT)}


def job(query: str, **graphs: tuple[str, ...]) -> QueryJob:
    shape = guard.check(query, max_depth=100, local_graph_prefixes=["https://w3id.org/cakg/"])
    return QueryJob(query, accept=ACCEPT["json"], names_graphs=shape.names_graphs, **graphs)


def test_the_merge_alone_is_the_whole_stores_default_graph(stores: DatasetStores) -> None:
    merge = default_graph(stores.merge)
    assert merge == default_graph(stores.full)
    assert len(stores.merge) == len(merge)  # and nothing else: no named graphs
    assert len(stores.full) > len(merge)


@pytest.mark.parametrize("path", sorted(CQ_DIR.glob("*.rq")), ids=lambda p: p.stem)
def test_both_copies_answer_alike(path: Path, stores: DatasetStores) -> None:
    query = path.read_text("utf-8")
    assert stores.for_job(job(query)) is stores.merge  # no question names a graph
    names, rows = solutions(stores.full, query)
    merge_names, merge_rows = solutions(stores.merge, query)
    assert merge_names == names
    assert sorted(map(repr, merge_rows)) == sorted(map(repr, rows))


@pytest.mark.parametrize(
    ("query", "graphs", "whole"),
    [
        ("SELECT * { ?s ?p ?o } LIMIT 1", {}, False),
        ("SELECT ?g { GRAPH ?g { ?s ?p ?o } } LIMIT 1", {}, True),
        ("select * from <https://w3id.org/cakg/graph/gazetteer> { ?s ?p ?o }", {}, True),
        ("SELECT * { ?s ?p ?o }", {"default_graphs": (f"{EX}g",)}, True),
        ("SELECT * { ?s ?p ?o }", {"named_graphs": (f"{EX}g",)}, True),
        ("SELECT * { ?s ?p 'GRAPH' } # FROM", {}, False),  # strings and comments do not count
        ("ASK { graph ?g { } }", {}, True),
    ],
)
def test_only_queries_that_name_graphs_read_the_whole_store(
    stores: DatasetStores, query: str, graphs: dict[str, tuple[str, ...]], whole: bool
) -> None:
    chosen = stores.for_job(job(query, **graphs))
    assert chosen is (stores.full if whole else stores.merge)


def test_graphs_added_and_dropped_keep_both_copies_equal(
    stores: DatasetStores, tmp_path: Path
) -> None:
    before = default_graph(stores.merge)
    # a triple some document graph states too; without blank nodes, which a load renames
    shared = min((t for t in before if not any(isinstance(x, ox.BlankNode) for x in t)), key=str)
    own = ox.Triple(ox.NamedNode(f"{EX}s"), ox.NamedNode(f"{EX}p"), ox.Literal("only here"))
    name = f"{EX}submission"
    path = tmp_path / "submission.nq"
    graph = ox.NamedNode(name)
    path.write_bytes(
        ox.serialize([ox.Quad(*t, graph) for t in (shared, own)], format=ox.RdfFormat.N_QUADS)
        or b""
    )
    stores.add_graph(name, path)
    assert default_graph(stores.merge) == default_graph(stores.full) == before | {own}
    stores.drop_graph(name)
    assert default_graph(stores.merge) == default_graph(stores.full) == before
    assert not list(stores.full.quads_for_pattern(None, None, None, graph))
