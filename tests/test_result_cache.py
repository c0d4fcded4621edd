"""Repeated work is cheap (issue #16): a GET answer of the endpoint carries an ETag tied to the
data version and a Cache-Control of the settings, a conditional request gets 304 without the
query running, and a bounded cache of answers, keyed by (data version, query, dataset, format),
answers a notebook re-running its cells; its size is capped and reported in /metrics. A
submission changes the version: nothing stale is served. On real servers over loopback."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import requests
from helpers import LiveServer, event

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s a kg:CulturalEvent }"
JSON = {"Accept": "application/sparql-results+json"}
CSV = {"Accept": "text/csv"}
ALICE = {"Authorization": "Bearer tok-alice", "Content-Type": "text/turtle"}


@pytest.fixture(scope="module")
def cached(make_server: Callable[..., LiveServer], tmp_path_factory: Any) -> LiveServer:
    return make_server(
        CURATOR_TOKENS="alice=tok-alice",
        VAR_DIR=tmp_path_factory.mktemp("var"),
        SPARQL_MAX_AGE_S=30,
        RESULT_CACHE_BYTES=200_000,
    )


def metric(server: LiveServer, name: str) -> float:
    text = requests.get(server.url + "/metrics", timeout=30).text
    found = re.search(rf"^{name} (\S+)$", text, re.M)
    assert found, name
    return float(found[1])


def get(server: LiveServer, query: str, headers: dict[str, str]) -> requests.Response:
    return requests.get(server.endpoint, params={"query": query}, headers=headers, timeout=30)


def test_a_get_answer_has_an_etag_and_the_configured_cache_control(cached: LiveServer) -> None:
    first = get(cached, COUNT, JSON)
    assert first.status_code == 200
    assert first.headers["ETag"].startswith('W/"')
    assert first.headers["Cache-Control"] == "public, max-age=30"
    assert get(cached, COUNT, JSON).headers["ETag"] == first.headers["ETag"]
    # another format, another query, another dataset: another tag
    assert get(cached, COUNT, CSV).headers["ETag"] != first.headers["ETag"]
    assert get(cached, COUNT + " LIMIT 1", JSON).headers["ETag"] != first.headers["ETag"]
    other = requests.get(
        cached.endpoint,
        params={"query": COUNT, "default-graph-uri": "https://w3id.org/cakg/graph/gazetteer"},
        headers=JSON,
        timeout=30,
    )
    assert other.status_code == 200 and other.headers["ETag"] != first.headers["ETag"]


def test_a_conditional_request_gets_304_without_running_the_query(cached: LiveServer) -> None:
    tag = get(cached, COUNT + " # 304", JSON).headers["ETag"]
    before = metric(cached, "kg_query_runs_total")
    again = get(cached, COUNT + " # 304", {**JSON, "If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == tag and again.headers["Cache-Control"] == "public, max-age=30"
    assert metric(cached, "kg_query_runs_total") == before  # no query process was asked
    assert metric(cached, "kg_not_modified_total") >= 1
    stale = get(cached, COUNT + " # 304", {**JSON, "If-None-Match": 'W/"not-this-one"'})
    assert stale.status_code == 200


def test_if_none_match_star_gets_304_only_for_a_query_that_answers(cached: LiveServer) -> None:
    """`If-None-Match: *` is false where the resource has a current representation (RFC 9110,
    13.1.2): a query that fails when run has none, yet it got 304 without running."""
    heavy = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } # star"
    failed = requests.get(
        cached.endpoint,
        params={"query": heavy, "timeout": "1"},
        headers={**JSON, "If-None-Match": "*"},
        timeout=30,
    )
    assert failed.status_code in (422, 503), failed.status_code
    answered = get(cached, COUNT + " # star", {**JSON, "If-None-Match": "*"})
    assert answered.status_code == 304 and answered.headers["ETag"]


def test_a_repeated_query_is_answered_from_the_cache(cached: LiveServer) -> None:
    query = "SELECT ?e ?label WHERE { ?e a kg:CulturalEvent ; rdfs:label ?label } ORDER BY ?e"
    first = get(cached, query, JSON)
    assert first.headers["X-Cache"] == "miss"
    hits, runs = metric(cached, "kg_result_cache_hits_total"), metric(cached, "kg_query_runs_total")
    second = requests.post(cached.endpoint, data={"query": query}, headers=JSON, timeout=30)
    assert second.headers["X-Cache"] == "hit"  # a POST of the same query too
    assert second.content == first.content
    assert metric(cached, "kg_result_cache_hits_total") == hits + 1
    assert metric(cached, "kg_query_runs_total") == runs
    assert get(cached, query, CSV).headers["X-Cache"] == "miss"  # never another format's
    assert 0 < metric(cached, "kg_result_cache_bytes") <= 200_000
    assert metric(cached, "kg_result_cache_max_bytes") == 200_000


def test_the_cache_stays_under_its_cap(cached: LiveServer) -> None:
    big = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 3000"
    answer = get(cached, big, JSON)
    assert len(answer.content) > 200_000  # larger than the whole cache: never kept
    assert get(cached, big, JSON).headers["X-Cache"] == "miss"
    for i in range(40):  # more answers than fit: the oldest go
        get(cached, f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT {100 + i}", JSON)
    assert metric(cached, "kg_result_cache_bytes") <= 200_000


def test_a_submission_changes_the_tag_and_nothing_stale_is_served(cached: LiveServer) -> None:
    query = "SELECT ?e WHERE { ?e a kg:CulturalEvent } ORDER BY ?e"
    first = get(cached, query, JSON)
    assert get(cached, query, JSON).headers["X-Cache"] == "hit"
    r = requests.post(
        cached.url + "/submissions", data=event("cache-fresh").encode(), headers=ALICE, timeout=60
    )
    assert r.status_code == 201, r.text
    after = get(cached, query, {**JSON, "If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200 and after.headers["X-Cache"] == "miss"
    assert after.headers["ETag"] != first.headers["ETag"]
    assert "cache-fresh" in after.text and "cache-fresh" not in first.text


def test_an_error_is_never_cached(cached: LiveServer) -> None:
    for _ in range(2):
        bad = get(cached, "SELECT * WHERE { ?s ?p }", JSON)
        assert bad.status_code == 400 and "ETag" not in bad.headers


def test_the_cache_can_be_switched_off(make_server: Callable[..., LiveServer]) -> None:
    server = make_server(RESULT_CACHE_BYTES=0)
    for _ in range(2):
        answer = get(server, COUNT, JSON)
        assert answer.headers["X-Cache"] == "miss"
        assert answer.headers["Cache-Control"] == "public, max-age=0"  # the default
    assert metric(server, "kg_result_cache_hits_total") == 0


def test_a_cached_answer_costs_the_client_nothing(make_server: Callable[..., LiveServer]) -> None:
    """A cache hit (or a 304) charges no query seconds: it once charged the thread's previous
    query again, so a reader repeating a cheap query got 429 once the cache answered it."""
    server = make_server(HTTP_THREADS=1, QUERY_SECONDS_PER_MINUTE=2)
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a a ?c . ?d a ?f }"
    first = get(server, heavy, JSON)
    assert first.status_code == 200 and first.headers["X-Cache"] == "miss"
    statuses = [get(server, heavy, JSON).status_code for _ in range(20)]
    assert statuses == [200] * 20
    tag = first.headers["ETag"]
    conditional = [get(server, heavy, {**JSON, "If-None-Match": tag}).status_code for _ in range(5)]
    assert conditional == [304] * 5
