"""Issue 16, a review of the endpoint's request path: what an attacker or an analyst's client
could do that nobody had tried. Each test failed before its fix."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import assert_error

from kg.store.engine import Answer
from kg.web.resultcache import Key, ResultCache
from kg.web.state import EXTENSION

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SPARQL_QUERY = {"Content-Type": "application/sparql-query"}


def test_the_result_cache_counts_its_keys_against_its_cap() -> None:
    """An entry keeps its query: 300 different 100 KB queries with tiny answers held 30 MB
    while the cache counted 7.8 KB, so one client could fill the web process's memory."""
    cache = ResultCache(1_000_000)
    for n in range(300):
        query = f"ASK {{}} # {n} " + "a" * 100_000
        cache.put(
            Key("v1", query, (), (), "application/sparql-results+json", ""),
            Answer("application/sparql-results+json", b'{"boolean":true}', "boolean", 1),
        )
    held = sum(len(key.query) + len(answer.body) for key, answer in cache._answers.items())
    assert held <= cache.max_bytes and cache.bytes == held
    assert len(cache) <= 10


def test_a_client_timeout_below_the_floor_is_raised_to_it(make_app: Callable[..., Flask]) -> None:
    """A query stopped at its deadline costs a query process; timeout=0.001 stopped one on
    every request for next to nothing of the client's query seconds. Below the floor
    (MIN_CLIENT_TIMEOUT_S) a client's timeout is the floor, so each stop costs it that."""
    app = make_app(MIN_CLIENT_TIMEOUT_S=1.0)
    client = app.test_client()
    engine = app.extensions[EXTENSION].store.engine
    before = engine.stats.restarts + engine.stats.timeouts
    for _ in range(3):
        response = client.get("/sparql", query_string={"query": COUNT, "timeout": "0.001"})
        assert response.status_code == 200, response.text
    assert engine.stats.restarts + engine.stats.timeouts == before


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/csv; charset=utf-8", "text/csv"),
        ("application/sparql-results+json; charset=UTF-8", "application/sparql-results+json"),
        ("text/tab-separated-values;charset=utf-8;q=0.9", "text/tab-separated-values"),
    ],
)
def test_media_type_parameters_in_accept_are_no_reason_for_406(
    client: FlaskClient, accept: str, media: str
) -> None:
    response = client.get("/sparql", query_string={"query": COUNT}, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.mimetype == media


def test_a_graph_answer_in_json_ld_with_parameters(client: FlaskClient) -> None:
    accept = 'application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"'
    query = "CONSTRUCT { ?c a kg:City } WHERE { ?c a kg:City }"
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.mimetype == "application/ld+json"


def test_the_query_size_limit_holds_for_get_too(make_app: Callable[..., Flask]) -> None:
    """MAX_QUERY_BYTES was checked on the body only: a query in the URL passed at any size
    the HTTP server allowed (about 3.6 times the limit)."""
    client = make_app(MAX_QUERY_BYTES=2000).test_client()
    query = "ASK {} #" + "x" * 2000
    assert_error(client.get("/sparql", query_string={"query": query}), 413)
    assert_error(client.post("/sparql", data=query.encode(), headers=SPARQL_QUERY), 413)
    assert client.get("/sparql", query_string={"query": "ASK {} #" + "x" * 1900}).status_code == 200


def test_a_triple_term_in_json_ld_is_refused_in_words(client: FlaskClient) -> None:
    """JSON-LD has no RDF 1.2 triple terms: Oxigraph's writer failed and the client got 500."""
    query = "CONSTRUCT { <http://e/a> <http://e/p> <<( <http://e/a> <http://e/p> 1 )>> } WHERE {}"
    response = client.get(
        "/sparql", query_string={"query": query}, headers={"Accept": "application/ld+json"}
    )
    body = assert_error(response, 406, "not_acceptable")
    assert "JSON-LD" in body["message"]
    turtle = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200, turtle.text


@pytest.mark.parametrize("where", ["url", "form"])
def test_text_that_is_not_utf8_is_refused_not_altered(client: FlaskClient, where: str) -> None:
    """Werkzeug reads bytes that are not UTF-8 as U+FFFD: the query ran on altered text and
    found nothing, where the same bytes in a query body were refused."""
    encoded = "query=SELECT%20*%20%7B%20%3Fs%20%3Fp%20%22B%E9ta%22%20%7D"
    if where == "url":
        response = client.get("/sparql?" + encoded)
    else:
        response = client.post(
            "/sparql",
            data=encoded,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    body = assert_error(response, 400, "protocol_error")
    assert "UTF-8" in body["message"]


def test_a_304_is_logged_as_304(make_app: Callable[..., Flask], tmp_path: Path) -> None:
    log = tmp_path / "queries.jsonl"
    client = make_app(QUERY_LOG=str(log)).test_client()
    first = client.get("/sparql", query_string={"query": COUNT})
    again = client.get(
        "/sparql", query_string={"query": COUNT}, headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    entries = {e["id"]: e for e in map(json.loads, log.read_text("utf-8").splitlines())}
    assert entries[first.headers["X-Query-Id"]]["status"] == 200
    assert entries[again.headers["X-Query-Id"]]["status"] == 304


def test_a_query_body_that_starts_with_a_byte_order_mark_is_read(client: FlaskClient) -> None:
    """Editors on Windows save UTF-8 with a BOM; the query began with an invisible character
    and got a syntax error at line 1, column 10."""
    body = "\ufeffASK { ?s ?p ?o }".encode()
    response = client.post("/sparql", data=body, headers=SPARQL_QUERY)
    assert response.status_code == 200, response.text


def test_an_ipv6_client_cannot_rotate_its_address_around_its_limits(
    make_app: Callable[..., Flask],
) -> None:
    """A subscriber's IPv6 network is a /64 of addresses it may use as it likes: the limits
    are kept per /64, or a client would get a fresh share with each address."""
    client = make_app(QUERY_SECONDS_PER_MINUTE=0.000001).test_client()

    def status(address: str) -> int:
        environ = {"REMOTE_ADDR": address}
        return client.get(
            "/sparql", query_string={"query": COUNT}, environ_base=environ
        ).status_code

    assert status("2001:db8:1:2::1") == 200  # spends the share of its network
    assert status("2001:db8:1:2:ffff::9") == 429  # the same /64
    assert status("2001:db8:1:3::1") == 200  # another network
    assert status("192.0.2.1") == 200 and status("192.0.2.2") == 200  # IPv4: per address


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("", "the query is empty"),
        ("   \n", "the query is empty"),
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "SPARQL Update"),
        ("PREFIX ex: <urn:x#>\n# a comment\ndelete where { ?s ex:p ?o }", "SPARQL Update"),
    ],
)
def test_an_empty_query_or_an_update_says_what_it_is(
    client: FlaskClient, query: str, says: str
) -> None:
    """An empty query was refused as "expected [_]", and an update sent as a query as
    "expected CONSTRUCT": Oxigraph's words for what it looked for, not what it was sent."""
    answer = client.get("/sparql", query_string={"query": query})
    assert answer.status_code == 400, answer.text
    assert says in answer.json["message"]
