"""The query processes' two stores: the named graphs, and the merge alone.

Queries that never name a graph read the merge alone (faster); these tests show it answers as
the named graphs with the merge as their default graph did (the layout before), and that the
merge, put beside the named graphs when a query reads both, stays equal to the merge alone as
submission graphs come and go.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.cli.tables import ACCEPT, solutions
from kg.store import guard
from kg.store.engine import QueryJob
from kg.store.pool import DatasetStores, load_whole

CQ_DIR = Path(__file__).parent / "cq"
EX = "https://example.org/"
DEFAULT = ox.DefaultGraph()


@pytest.fixture(scope="module")
def stores(built: Path) -> DatasetStores:
    return DatasetStores(built / "cakg.nq")


def named_only(triples: set[ox.Triple]) -> set[ox.Triple]:
    return {t for t in triples if not any(isinstance(x, ox.BlankNode) for x in t)}


def default_graph(store: ox.Store) -> set[ox.Triple]:
    return {q.triple for q in store.quads_for_pattern(None, None, None, DEFAULT)}


def job(query: str, **graphs: tuple[str, ...]) -> QueryJob:
    shape = guard.check(query, max_depth=100, local_graph_prefixes=["https://w3id.org/cakg/"])
    return QueryJob(
        query,
        accept=ACCEPT["json"],
        names_graphs=shape.names_graphs,
        reads_default=shape.reads_default,
        **graphs,
    )


@pytest.fixture(scope="module")
def before(built: Path) -> ox.Store:
    """The layout before: the named graphs with the merge as their default graph."""
    return load_whole(built / "cakg.nq")


def test_the_merge_alone_is_the_named_graphs_triples_once(
    stores: DatasetStores, before: ox.Store
) -> None:
    merge = default_graph(stores.merge)
    assert merge == {q.triple for q in stores.full.quads_for_pattern(None, None, None)}
    # the same triples as before, a load's blank node labels aside
    assert len(merge) == len(default_graph(before))
    assert named_only(merge) == named_only(default_graph(before))
    assert len(stores.merge) == len(merge)  # and nothing else: no named graphs
    assert not default_graph(stores.full)  # the merge is held once, until a query needs it


@pytest.mark.parametrize("path", sorted(CQ_DIR.glob("*.rq")), ids=lambda p: p.stem)
def test_both_copies_answer_alike(path: Path, stores: DatasetStores, before: ox.Store) -> None:
    query = path.read_text("utf-8")
    assert stores.for_job(job(query)) is stores.merge  # no question names a graph
    names, rows = solutions(before, query)
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


def test_graphs_added_and_dropped_keep_both_copies_equal(built: Path, tmp_path: Path) -> None:
    stores = DatasetStores(built / "cakg.nq")
    both = "SELECT * { GRAPH ?g { ?s ?p ?o } ?s ?p ?o } LIMIT 1"
    assert stores.for_job(job(both)) is stores.full and stores.full_has_merge
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
