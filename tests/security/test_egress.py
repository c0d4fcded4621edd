"""Issue 11, findings 1 and 2: queries that slip past the guard reach nothing, because the query
processes have no network at all; a query process that dies is the server's 503, not a 400."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from helpers import LiveServer, contacts

from kg import config
from kg.errors import HttpError
from kg.store.engine import QueryJob
from kg.store.pool import QueryPool
from kg.store.sandbox import NETWORK_NAMESPACE

SPARQL_QUERY = {"Content-Type": "application/sparql-query"}


def bypasses(target: str) -> list[Any]:
    """Queries that once made a query process connect to `target` (issue 11, finding 1)."""
    return [
        pytest.param(f"SELECT ?x WHERE {{ #x\rSERVICE <{target}/x> {{ ?x ?p ?o }} }}", id="cr"),
        pytest.param(
            f"PREFIX e:<{target}/> SELECT ?x {{ FILTER(1<2)SERVICE#>\ne:x {{ ?x ?p ?o }} }}",
            id="lt-iri",
        ),
    ]


@pytest.fixture(scope="module", params=[False, True], ids=["spawned", "forked"])
def pool(built: Path, request: pytest.FixtureRequest) -> Iterator[QueryPool]:
    """A query pool as `kg serve` starts it, with nothing in front of it: no guard at all;
    its processes spawned, or forked from a fork server (QUERY_FORK, issue 16)."""
    started = QueryPool(built / "cakg.nq", size=1, queue_timeout=5, fork=request.param)
    started.start()
    yield started
    started.close()


def test_query_processes_live_in_an_empty_network_namespace(pool: QueryPool) -> None:
    assert pool.confinement == NETWORK_NAMESPACE


@pytest.mark.parametrize("kind", ["cr", "lt-iri"])
def test_a_query_process_cannot_connect_even_with_no_guard(
    pool: QueryPool, listener: Any, kind: str
) -> None:
    query = {p.id: p.values[0] for p in bypasses(listener[0])}[kind]
    with pytest.raises(HttpError):
        pool.run(QueryJob(query), timeout=10)
    assert contacts(listener) == []
    assert pool.run(QueryJob("ASK {}"), timeout=10).body  # and the process still answers


@pytest.mark.parametrize("kind", ["cr", "lt-iri"])
def test_guard_bypasses_reach_nothing_through_the_endpoint(
    server: LiveServer, listener: Any, kind: str
) -> None:
    query = {p.id: p.values[0] for p in bypasses(listener[0])}[kind]
    answer = requests.post(server.endpoint, data=query.encode(), headers=SPARQL_QUERY, timeout=30)
    assert 400 <= answer.status_code < 500, answer.text
    assert contacts(listener) == []


def test_a_comment_ends_at_a_carriage_return_for_the_guard(server: LiveServer) -> None:
    query = "SELECT ?x WHERE { #x\rSERVICE <http://127.0.0.1:9/x> { ?x ?p ?o } }"
    answer = requests.post(server.endpoint, data=query.encode(), headers=SPARQL_QUERY, timeout=30)
    assert answer.status_code == 400
    assert answer.json()["error"] == "query_refused"


def test_health_says_the_query_processes_have_no_network(server: LiveServer) -> None:
    assert requests.get(server.url + "/health", timeout=10).json()["query_network"] == (
        NETWORK_NAMESPACE
    )


def test_brackets_after_a_carriage_return_count_for_the_depth_limit(server: LiveServer) -> None:
    query = "SELECT * WHERE { #\rFILTER(" + "(" * 6000 + "1" + ")" * 6000 + ")\n}"
    answer = requests.post(server.endpoint, data=query.encode(), headers=SPARQL_QUERY, timeout=30)
    assert answer.status_code == 400
    assert answer.json()["error"] == "query_refused"


def test_a_query_process_that_dies_is_a_503_and_is_replaced(
    make_app: Callable[..., Flask],
) -> None:
    """With the depth limit lifted, a deeply nested query crashes the engine's parser."""
    client = make_app(MAX_QUERY_DEPTH=100_000, QUERY_WORKERS=1).test_client()
    query = "SELECT * WHERE { FILTER(" + "(" * 6000 + "1" + ")" * 6000 + ") }"
    crashed = client.post("/sparql", data=query, content_type="application/sparql-query")
    assert crashed.status_code == 503, crashed.get_data(as_text=True)
    assert crashed.json["error"] == "query_crashed"
    assert int(crashed.headers["Retry-After"]) > 0
    if not config.load({})["QUERY_FORK"]:  # forked (issue 16), it may be ready already
        assert client.get("/health").json["query_workers_ready"] == 0  # the new one is loading
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
    assert client.get("/health").json["query_workers_ready"] == 1


def test_health_says_when_query_processes_keep_dying(make_app: Callable[..., Flask]) -> None:
    client = make_app(MAX_QUERY_DEPTH=100_000, QUERY_WORKERS=1).test_client()
    assert client.get("/health").json["status"] == "ok"
    query = "SELECT * WHERE { FILTER(" + "(" * 6000 + "1" + ")" * 6000 + ") }"
    for _ in range(3):
        crashed = client.post("/sparql", data=query, content_type="application/sparql-query")
        assert crashed.status_code == 503
    health = client.get("/health").json
    assert health["query_crashes_last_minute"] == 3
    assert health["status"] == "degraded"
