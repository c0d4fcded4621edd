"""Issue 16, memory: a query process holds the named graphs and the merge, not the merge twice.

The merge was also kept as the named graphs' store's default graph, for queries that read a
named graph and the default graph at once: 28% of a process's data (docs/memory.md). Now the
guard's scan tells whether a query that names a graph may read the default graph too; only
such a query puts the merge beside the named graphs, once per process. These tests hold the
routing to the answers of the old layout, where every query read a store holding both.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers import KG
from rdflib import Graph
from rdflib.compare import to_isomorphic

from kg.errors import QueryRefused
from kg.namespaces import BASE
from kg.store.engine import QueryJob, evaluate, own_job
from kg.store.guard import check
from kg.store.pool import DatasetStores, load_whole

SHAPES = "https://w3id.org/cakg/graph/shapes"
ONTOLOGY = "https://w3id.org/cakg/graph/ontology"

#: Queries that read named graphs only: the named graphs' store answers them as it is.
GRAPH_ONLY = {
    "count-per-graph": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "ask": "ASK { GRAPH ?g { ?s a <https://w3id.org/cakg/ontology#City> } }",
    "ontology-classes": "SELECT ?c ?l WHERE { GRAPH graph:ontology { ?c a owl:Class ; "
    "rdfs:label ?l } } ORDER BY ?c ?l",
    "template": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{SHAPES}> {{ ?s ?p ?o }} }}",
    "exists-inside": "SELECT ?g ?s WHERE { GRAPH ?g { ?s a kg:City "
    "FILTER EXISTS { ?s kg:country ?c } } } ORDER BY ?g ?s",
    "subquery": "SELECT * { { SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } "
    "GROUP BY ?g } } ORDER BY ?g",
    "bind-filter": "SELECT ?g ?k WHERE { GRAPH ?g { ?s a kg:City } BIND(STR(?s) AS ?k) "
    "FILTER(CONTAINS(?k, 'khiva')) } ORDER BY ?g",
    "two-graphs": "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?a { ?s ?p ?o } "
    "GRAPH ?b { ?s ?q ?x } FILTER (STR(?a) < STR(?b)) }",
    "graph-union": "SELECT ?g ?s { { GRAPH ?g { ?s a kg:City } } UNION "
    "{ GRAPH ?g { ?s a kg:Country } } } ORDER BY ?g ?s",
    "from": f"SELECT (COUNT(*) AS ?n) FROM <{SHAPES}> {{ ?s ?p ?o }}",
    "from-named": f"SELECT ?g (COUNT(*) AS ?n) FROM NAMED <{SHAPES}> FROM NAMED <{ONTOLOGY}> "
    "{ GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
}

#: Queries that read a named graph and the default graph: the merge goes beside the graphs.
BOTH = {
    "mixed": "SELECT ?g ?s ?l WHERE { GRAPH ?g { ?s a kg:City } ?s rdfs:label ?l } "
    "ORDER BY ?g ?s ?l",
    "exists-outside": "SELECT ?g ?s WHERE { GRAPH ?g { ?s a kg:City } "
    "FILTER EXISTS { ?s kg:country ?c } } ORDER BY ?g ?s",
    "optional": "SELECT ?g ?s ?l WHERE { GRAPH ?g { ?s a kg:Country } "
    "OPTIONAL { ?s rdfs:label ?l } } ORDER BY ?g ?s ?l",
    "union": "SELECT (COUNT(*) AS ?n) { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } }",
    "minus": "SELECT ?g ?s WHERE { GRAPH ?g { ?s a kg:City } "
    "MINUS { ?s kg:country <https://w3id.org/cakg/country/uz> } } ORDER BY ?g ?s",
    "subquery-default": "SELECT ?g ?n { { SELECT (COUNT(*) AS ?n) { ?s ?p ?o } } "
    "GRAPH ?g { <https://w3id.org/cakg/city/khiva> ?p ?o } } ORDER BY ?g",
    "construct": "CONSTRUCT { ?s rdfs:label ?l } WHERE { GRAPH ?g { ?s a kg:Country } "
    "?s rdfs:label ?l }",
    "describe": "DESCRIBE ?s WHERE { GRAPH ?g { ?s a kg:Country } }",
    "values-default": "SELECT ?g ?s { GRAPH ?g { ?s a kg:City } VALUES ?s { "
    "<https://w3id.org/cakg/city/khiva> } } ORDER BY ?g",
    "a-between-brackets": "ASK { GRAPH ?g { } [] a [] }",
    "collection": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { } (()) }",
    "exists-in-select": "SELECT (EXISTS { ?s ?p ?o } AS ?x) WHERE { GRAPH ?g { } }",
    "exists-in-order": "SELECT ?g WHERE { GRAPH ?g { } } ORDER BY (EXISTS { ?s ?p ?o })",
    "exists-in-having": "SELECT ?g WHERE { GRAPH ?g { } } GROUP BY ?g HAVING (EXISTS { ?s ?p ?o })",
    # found by a review that fuzzed the routing: FROM glued to the form, which Oxigraph reads
    "ask-from-glued": "ASKFROM<https://w3id.org/cakg/graph/ontology>{?s ?p ?o}",
    "construct-from-glued": "CONSTRUCTFROM<https://w3id.org/cakg/graph/ontology>WHERE{?s ?p ?o}",
    "blank-node-pattern": "SELECT ?g ?s WHERE { GRAPH ?g { ?s a kg:Country } "
    "[] kg:country ?s } ORDER BY ?g ?s",
}


@pytest.mark.parametrize("name", sorted(GRAPH_ONLY))
def test_the_scan_knows_a_query_that_reads_named_graphs_only(name: str) -> None:
    """(A FROM names the graphs its default graph is made of: the store's is not read.)"""
    shape = check(GRAPH_ONLY[name], max_depth=64, local_graph_prefixes=[BASE])
    assert shape.dataset or not shape.reads_default


@pytest.mark.parametrize("name", sorted(BOTH))
def test_the_scan_knows_a_query_that_reads_the_default_graph_too(name: str) -> None:
    assert check(BOTH[name], max_depth=64, local_graph_prefixes=[BASE]).reads_default


@pytest.fixture(scope="module")
def before(built: Path) -> ox.Store:
    """The old layout: the named graphs with the merge as their default graph."""
    return load_whole(built / "cakg.nq")


def _answer(store: ox.Store, job: QueryJob) -> object:
    body = evaluate(store, job).body.decode()
    if body.startswith("{"):
        data = json.loads(body)
        rows = data.get("results", {}).get("bindings")
        return data["boolean"] if rows is None else sorted(map(repr, rows))
    return to_isomorphic(Graph().parse(data=body, format="nt"))


@pytest.mark.parametrize("name", sorted(GRAPH_ONLY) + sorted(BOTH))
def test_every_query_answers_as_on_the_store_that_held_the_merge_twice(
    built: Path, before: ox.Store, name: str
) -> None:
    query = GRAPH_ONLY.get(name) or BOTH[name]
    stores = DatasetStores(built / "cakg.nq")
    job = own_job(query)
    answer = _answer(stores.for_job(job), job)
    assert answer == _answer(before, QueryJob(query)), name
    assert answer not in ([], False), name  # each asks about something the graph holds
    assert stores.full_has_merge == (job.reads_default and stores.for_job(job) is stores.full)


def test_the_merge_beside_the_named_graphs_follows_the_submissions(
    built: Path, tmp_path: Path
) -> None:
    """Added once a query needed it, the merge takes in a submission added after, and gives
    back what a dropped one alone said."""
    stores = DatasetStores(built / "cakg.nq")
    mixed = own_job(BOTH["union"])
    counted = _answer(stores.for_job(mixed), mixed)
    name = "https://w3id.org/cakg/graph/submission/s1"
    added = tmp_path / "s1.nq"
    added.write_text(
        f'<https://w3id.org/cakg/event/x> <{KG}quote> "only here" <{name}> .\n', "utf-8"
    )
    stores.add_graph(name, added)
    grown = _answer(stores.for_job(mixed), mixed)
    assert grown != counted
    stores.drop_graph(name)
    assert _answer(stores.for_job(mixed), mixed) == counted


def test_a_from_in_one_reading_only_is_refused() -> None:
    """A FROM inside a comment or a string that a \\u escape ends once decoded (SPARQL 1.1)
    but not as written (Oxigraph): the scan took it as the query's own dataset, and the query
    was answered from the named graphs alone, with an empty default graph."""
    for query in (
        "ASK{?s ?p ?o}#\\u000aFROM<https://w3id.org/cakg/>",
        'ASK{?s ?p ?o FILTER(?s!="\\u0022FROM<https://w3id.org/cakg/>\\u0022")}',
    ):
        with pytest.raises(QueryRefused, match="FROM in one reading only"):
            check(query, max_depth=64, local_graph_prefixes=[BASE])


def test_a_query_whose_contexts_the_scan_lost_names_graphs() -> None:
    """e:GRAPHh:g, e: a namespace Oxigraph's IRI parser refuses, is read again as e: GRAPH
    h:g: the scan loses the contexts, and so cannot say the query names no graph."""
    query = (
        "PREFIX e: <http://x:1> PREFIX h: <http://a/> SELECT * { ?a ?b e:GRAPHh:g { ?s ?p ?o } }"
    )
    shape = check(query, max_depth=64, local_graph_prefixes=[BASE])
    assert shape.names_graphs and shape.reads_default
