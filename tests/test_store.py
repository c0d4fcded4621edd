"""The one typed store interface (kg/store/interface.py): the embedded store and a remote one
answer every helper alike, with plain Python values; opening a store never builds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from helpers import Oxigraph
from rdflib import URIRef
from rdflib.namespace import RDFS

from kg import config
from kg.cli import main
from kg.errors import BuildError
from kg.namespaces import BASE, GRAPH
from kg.store.embedded import EmbeddedStore
from kg.store.factory import open_store
from kg.store.interface import Store
from kg.store.remote import RemoteStore

KHIVA = BASE + "city/khiva"


def _settings(built: Path, tmp: Path, **extra: Any) -> dict[str, Any]:
    return config.load({"BUILD_DIR": built, "VAR_DIR": tmp, "QUERY_WORKERS": 1, **extra})


@pytest.fixture(scope="module", params=["embedded", "remote-oxigraph"])
def store(
    request: pytest.FixtureRequest, built: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """Each kind of store, opened by the one factory the web app uses."""
    tmp = tmp_path_factory.mktemp(request.param)
    if request.param == "embedded":
        opened = open_store(_settings(built, tmp))
        opened.start()
        yield opened
        opened.close()
        return
    oxigraph = Oxigraph(tmp)
    oxigraph.start()
    settings = _settings(built, tmp, **oxigraph.settings())
    remote = open_store(settings)
    assert isinstance(remote, RemoteStore)
    remote.load(list(ox.parse(path=str(built / "cakg.nq"), format=ox.RdfFormat.N_QUADS)))
    remote.start()
    yield remote
    remote.close()
    oxigraph.stop()


def test_the_factory_opens_the_store_the_settings_name(store: Store, request: Any) -> None:
    expected = EmbeddedStore if "embedded" in request.node.callspec.id else RemoteStore
    assert isinstance(store, expected)


def test_select_gives_rows_of_plain_strings(store: Store) -> None:
    rows = store.select(
        "SELECT ?code WHERE { ?c a kg:Country ; kg:iso3166Code ?code } ORDER BY ?code"
    )
    assert rows == [{"code": "JP"}, {"code": "KG"}, {"code": "KZ"}, {"code": "UZ"}]


def test_select_leaves_unbound_variables_out(store: Store) -> None:
    rows = store.select("SELECT ?x ?nothing WHERE { BIND(1 AS ?x) }")
    assert rows == [{"x": "1"}]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param(f"ASK {{ <{KHIVA}> a kg:City }}", True, id="true"),
        pytest.param(f"ASK {{ <{KHIVA}> a kg:Country }}", False, id="false"),
    ],
)
def test_ask_gives_a_boolean(store: Store, query: str, expected: bool) -> None:
    assert store.ask(query) is expected


def test_construct_gives_a_graph_with_our_prefixes(store: Store) -> None:
    graph = store.construct(
        f"CONSTRUCT {{ <{KHIVA}> rdfs:label ?l }} WHERE {{ <{KHIVA}> rdfs:label ?l }}"
    )
    assert [str(o) for o in graph.objects(URIRef(KHIVA), RDFS.label)] == ["Khiva"]
    assert dict(graph.namespaces())["city"] == URIRef(BASE + "city/")


def test_describe_gives_statements_about_and_pointing_to_a_resource(store: Store) -> None:
    graph = store.describe(KHIVA)
    assert (URIRef(KHIVA), RDFS.label, None) in graph
    assert any(True for _ in graph.subjects(None, URIRef(KHIVA)))  # incoming, e.g. a twinning


def test_describe_of_an_unknown_resource_is_empty(store: Store) -> None:
    assert len(store.describe(BASE + "city/atlantis")) == 0


def test_named_graph_gives_one_graph_only(store: Store) -> None:
    ontology = store.named_graph(str(GRAPH.ontology))
    assert (URIRef(BASE + "ontology#City"), None, None) in ontology
    assert (URIRef(KHIVA), None, None) not in ontology


def test_inventory_names_the_graphs_and_counts_triples(store: Store) -> None:
    assert {str(GRAPH.ontology), str(GRAPH.gazetteer), str(GRAPH.shapes)} <= store.graphs
    assert store.triples > 4000
    assert store.version


def test_the_stores_answer_alike(built: Path, store: Store, tmp_path: Path) -> None:
    """The same helper gives the same answer on the embedded store as on this one."""
    reference = open_store(_settings(built, tmp_path))
    reference.start()
    try:
        query = "SELECT ?s ?l WHERE { ?s a kg:City ; rdfs:label ?l } ORDER BY ?s"
        assert store.select(query) == reference.select(query)
        assert store.graphs == reference.graphs
    finally:
        reference.close()


def test_opening_the_embedded_store_never_builds(tmp_path: Path) -> None:
    empty = tmp_path / "build"
    with pytest.raises(BuildError, match="run `kg build` first"):
        open_store(_settings(empty, tmp_path / "var"))
    assert not empty.exists() or not any(empty.iterdir())


def test_kg_query_without_a_build_says_to_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KG_BUILD_DIR", str(tmp_path))
    result = CliRunner().invoke(main, ["query", "ASK {}"])
    assert result.exit_code == 2
    assert result.stderr.strip().endswith("run `kg build` first")
    assert list(tmp_path.iterdir()) == []


def _filled_oxigraph(built: Path, tmp: Path, *options: str) -> tuple[Oxigraph, RemoteStore]:
    oxigraph = Oxigraph(tmp, options=options)
    oxigraph.start()
    remote = open_store(_settings(built, tmp, **oxigraph.settings()))
    assert isinstance(remote, RemoteStore)
    remote.load(list(ox.parse(path=str(built / "cakg.nq"), format=ox.RdfFormat.N_QUADS)))
    return oxigraph, remote


def test_a_store_that_ignores_from_is_refused_at_start(built: Path, tmp_path: Path) -> None:
    """Issue 12, finding 5: `oxigraph serve --union-default-graph` answers over the union
    whatever the query's FROM says; the server says so at start instead of answering wrong."""
    oxigraph, remote = _filled_oxigraph(built, tmp_path, "--union-default-graph")
    try:
        with pytest.raises(config.ConfigError, match="ignores the FROM"):
            remote.start()
    finally:
        remote.close()
        oxigraph.stop()


def test_a_store_loaded_without_the_merge_gets_it_at_start(
    built: Path, tmp_path: Path, store: Store
) -> None:
    """A store filled before the merge graph existed (or by hand) is given it at start."""
    oxigraph, remote = _filled_oxigraph(built, tmp_path)
    try:
        remote.update("DROP GRAPH <https://w3id.org/cakg/graph/merge>")
        remote.start()
        count = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
        assert remote.select(count) == store.select(count)
        assert int(remote.select(count)[0]["n"]) > 4000
    finally:
        remote.close()
        oxigraph.stop()
