"""Queries that would leave the machine or exhaust the parser are refused before evaluation."""

from __future__ import annotations

import pytest

from kg.errors import QueryRefused
from kg.store.guard import check

LOCAL = ["https://w3id.org/cakg/graph/"]

REFUSED = [
    pytest.param(
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "SERVICE",
        id="service",
    ),
    pytest.param(
        "select * where { service silent <http://x/> { ?s ?p ?o } }",
        "SERVICE",
        id="service-silent-lowercase",
    ),
    pytest.param(
        "PREFIX e: <http://evil/>\nSELECT * { SERVICE e:sparql { ?s ?p ?o } }",
        "SERVICE",
        id="service-prefixed",
    ),
    pytest.param(
        "SELECT * { BIND(<http://x/> AS ?u) SERVICE ?u { ?s ?p ?o } }",
        "SERVICE",
        id="service-variable",
    ),
    pytest.param("SELECT * FROM <http://example.org/data.ttl> { ?s ?p ?o }", "FROM", id="from"),
    pytest.param(
        "SELECT * FROM NAMED <http://example.org/g> { GRAPH ?g { ?s ?p ?o } }",
        "FROM",
        id="from-named",
    ),
    pytest.param("SELECT * WHERE " + "{" * 200 + "?s ?p ?o" + "}" * 200, "nests", id="deep-braces"),
    pytest.param(
        "SELECT * WHERE { FILTER(" + "(" * 500 + "1" + ")" * 500 + ") }",
        "nests",
        id="deep-parentheses",
    ),
]


@pytest.mark.parametrize(("query", "word"), REFUSED)
def test_refused(query: str, word: str) -> None:
    with pytest.raises(QueryRefused, match=word) as info:
        check(query, max_depth=64, local_graph_prefixes=LOCAL)
    assert info.value.line is not None


ALLOWED = [
    pytest.param("SELECT * WHERE { ?s ?p ?o }", id="plain"),
    pytest.param('SELECT * WHERE { ?s ?p "SERVICE <http://x/>" }', id="keyword-in-string"),
    pytest.param("SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/>", id="keyword-in-comment"),
    pytest.param("SELECT * WHERE { ?s <http://x/SERVICE> ?o }", id="keyword-in-iri"),
    pytest.param(
        "SELECT * FROM <https://w3id.org/cakg/graph/gazetteer> { ?s ?p ?o }", id="from-local-graph"
    ),
    pytest.param("SELECT ?service WHERE { ?service ?p ?o }", id="variable-named-service"),
]


@pytest.mark.parametrize("query", ALLOWED)
def test_allowed(query: str) -> None:
    check(query, max_depth=64, local_graph_prefixes=LOCAL)


def test_operator_can_allow_a_service_prefix() -> None:
    query = "SELECT * { SERVICE <http://127.0.0.1:9999/sparql> { ?s ?p ?o } }"
    check(query, max_depth=64, allowed_service_prefixes=["http://127.0.0.1:9999/"])
