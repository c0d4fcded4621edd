"""The SPARQL 1.1 Protocol: https://www.w3.org/TR/sparql11-protocol/

What the protocol says is asked of the app in process (`client`); what needs the real server
(deadlines, concurrency, per-client limits, the query log of `kg serve`, its banner) is asked
of `kg serve` (waitress) on loopback, with plain HTTP (requests).
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from helpers import LiveServer, ask_from, assert_error, contacts, wait_until
from rdflib import Graph, URIRef

from kg.graph.parsing import parse_text

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
COUNTRIES = "SELECT ?c WHERE { ?c a kg:Country } ORDER BY ?c"
CITIES = "CONSTRUCT { ?c a kg:City } WHERE { ?c a kg:City }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
DEEP = "SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000
MEGABYTE = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 1_000_000
SPARQL_QUERY = {"Content-Type": "application/sparql-query"}


def count(client: FlaskClient) -> int:
    r = client.get("/sparql", query_string={"query": COUNT})
    return int(r.json["results"]["bindings"][0]["n"]["value"])


# ------------------------------------------------------------------ the three ways to ask


def test_get(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": COUNTRIES})
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/sparql-results+json")
    assert len(r.json["results"]["bindings"]) == 4


def test_post_form(client: FlaskClient) -> None:
    r = client.post("/sparql", data={"query": COUNTRIES})
    assert r.status_code == 200
    assert len(r.json["results"]["bindings"]) == 4


def test_post_direct(client: FlaskClient) -> None:
    r = client.post("/sparql", data=COUNTRIES.encode(), headers=SPARQL_QUERY)
    assert r.status_code == 200
    assert len(r.json["results"]["bindings"]) == 4


def test_head(client: FlaskClient) -> None:
    r = client.head("/sparql", query_string={"query": COUNTRIES})
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/sparql-results+json")
    assert r.data == b""


@pytest.mark.parametrize(
    ("graphs", "expected"),
    [
        pytest.param(
            {"default-graph-uri": "https://w3id.org/cakg/graph/gazetteer"},
            4,
            id="default-graph-gazetteer",
        ),
        pytest.param(
            {"default-graph-uri": "https://w3id.org/cakg/graph/ontology"},
            0,
            id="default-graph-ontology",
        ),
        pytest.param(
            {
                "default-graph-uri": [
                    "https://w3id.org/cakg/graph/ontology",
                    "https://w3id.org/cakg/graph/gazetteer",
                ]
            },
            4,
            id="repeated-default-graphs",
        ),
    ],
)
def test_default_graph_uri(client: FlaskClient, graphs: dict[str, Any], expected: int) -> None:
    r = client.get("/sparql", query_string={"query": COUNTRIES, **graphs})
    assert r.status_code == 200, r.text
    assert len(r.json["results"]["bindings"]) == expected


def test_named_graph_uri(client: FlaskClient) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    params = {
        "query": query,
        "named-graph-uri": [
            "https://w3id.org/cakg/graph/gazetteer",
            "https://w3id.org/cakg/graph/sources",
        ],
    }
    r = client.get("/sparql", query_string=params)
    graphs = {b["g"]["value"] for b in r.json["results"]["bindings"]}
    assert graphs == {
        "https://w3id.org/cakg/graph/gazetteer",
        "https://w3id.org/cakg/graph/sources",
    }


# ------------------------------------------------------------------ protocol errors


def test_query_twice_is_400(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": [COUNT, COUNT]})
    assert_error(r, 400, "protocol_error")


def test_query_in_url_and_body_is_400(client: FlaskClient) -> None:
    r = client.post(
        "/sparql", query_string={"query": COUNT}, data=COUNT.encode(), headers=SPARQL_QUERY
    )
    assert_error(r, 400, "protocol_error")


def test_post_without_query_is_400(client: FlaskClient) -> None:
    r = client.post("/sparql", data={"nothing": "here"})
    assert_error(r, 400, "protocol_error")


def test_other_content_type_is_415(client: FlaskClient) -> None:
    r = client.post("/sparql", data=b"{}", headers={"Content-Type": "application/json"})
    assert_error(r, 415, "unsupported_media_type")


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405_with_allow(client: FlaskClient, method: str) -> None:
    r = client.open("/sparql", method=method)
    assert_error(r, 405)
    assert set(r.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST", "HEAD"}


def test_syntax_error_names_line_and_column(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": "SELECT *\nWHERE { ?s ?p }"})
    body = assert_error(r, 400, "syntax_error")
    assert (body["line"], body["column"]) == (2, 16)  # where Oxigraph stopped


def test_errors_in_plain_text_by_accept(client: FlaskClient) -> None:
    r = client.get(
        "/sparql",
        query_string={"query": "SELECT *\nWHERE { ?s ?p }"},
        headers={"Accept": "text/plain"},
    )
    assert r.status_code == 400
    assert r.headers["Content-Type"].startswith("text/plain")
    assert r.text.startswith("400 syntax_error:")
    assert "(line 2, column 16)" in r.text


# ------------------------------------------------------------------ formats


SOLUTION_FORMATS = [
    pytest.param(
        {"Accept": "application/sparql-results+json"},
        {},
        "application/sparql-results+json",
        id="json",
    ),
    pytest.param(
        {"Accept": "application/sparql-results+xml"}, {}, "application/sparql-results+xml", id="xml"
    ),
    pytest.param({"Accept": "text/csv"}, {}, "text/csv", id="csv"),
    pytest.param(
        {"Accept": "text/tab-separated-values"}, {}, "text/tab-separated-values", id="tsv"
    ),
    pytest.param({}, {"format": "csv"}, "text/csv", id="format-param"),
    pytest.param({}, {"output": "tsv"}, "text/tab-separated-values", id="output-param"),
    pytest.param({}, {"results": "xml"}, "application/sparql-results+xml", id="results-param"),
    pytest.param(
        {"Accept": "text/csv"},
        {"format": "json"},
        "application/sparql-results+json",
        id="param-beats-accept",
    ),
    pytest.param(
        {"Accept": "text/csv;q=0.2, text/tab-separated-values;q=0.9"},
        {},
        "text/tab-separated-values",
        id="q-values",
    ),
    pytest.param({}, {}, "application/sparql-results+json", id="default"),
]


@pytest.mark.parametrize(("headers", "params", "media"), SOLUTION_FORMATS)
def test_select_formats(
    client: FlaskClient, headers: dict[str, str], params: dict[str, str], media: str
) -> None:
    r = client.get("/sparql", query_string={"query": COUNTRIES, **params}, headers=headers)
    assert r.status_code == 200
    assert r.headers["Content-Type"].split(";")[0] == media
    assert "Accept" in r.headers["Vary"]
    assert "country/kz" in r.text


def test_tsv_is_real_tsv(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": COUNTRIES, "format": "tsv"})
    lines = r.text.strip().split("\n")
    assert lines[0] == "?c"
    assert lines[1] == "<https://w3id.org/cakg/country/jp>"


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        pytest.param("text/turtle", "turtle", id="turtle"),
        pytest.param("application/n-triples", "nt", id="ntriples"),
        pytest.param("application/ld+json", "json-ld", id="jsonld"),
        pytest.param("application/rdf+xml", "xml", id="rdfxml"),
    ],
)
def test_construct_formats(client: FlaskClient, accept: str, rdflib_format: str) -> None:
    r = client.get("/sparql", query_string={"query": CITIES}, headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["Content-Type"].split(";")[0] == accept
    graph = parse_text(r.text, rdflib_format)
    assert len(graph) == 26


@pytest.mark.parametrize("accept", ["application/trig", "application/n-quads"])
def test_construct_as_quads(client: FlaskClient, accept: str) -> None:
    r = client.get("/sparql", query_string={"query": CITIES}, headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["Content-Type"].split(";")[0] == accept
    assert r.text.count("kg:City" if accept.endswith("trig") else "ontology#City") == 26


def test_describe(client: FlaskClient) -> None:
    query = "DESCRIBE <https://w3id.org/cakg/city/khiva>"
    r = client.get("/sparql", query_string={"query": query, "format": "nt"})
    graph = Graph().parse(data=r.text, format="nt")
    assert len(graph) >= 5


def test_ask(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": "ASK { ?c a kg:Country }"})
    assert r.json["boolean"] is True


def test_unacceptable_is_406_listing_offers(client: FlaskClient) -> None:
    r = client.get("/sparql", query_string={"query": COUNTRIES}, headers={"Accept": "image/png"})
    body = assert_error(r, 406, "not_acceptable")
    assert "text/csv" in body["offered"]
    assert "Accept" in r.headers["Vary"]


@pytest.mark.parametrize(
    ("query", "name", "kind"),
    [(COUNTRIES, "turtle", "SELECT"), ("CONSTRUCT WHERE { ?s a kg:City }", "csv", "CONSTRUCT")],
)
def test_a_format_of_the_other_kind_is_406_not_another_format(
    client: FlaskClient, query: str, name: str, kind: str
) -> None:
    """A "Turtle" download of a SELECT once came back as XML (the browser's Accept decided):
    a format named for the other kind of answer is refused, naming what this kind offers."""
    r = client.get("/sparql", query_string={"query": query, "format": name})
    body = assert_error(r, 406, "not_acceptable")
    assert f"format={name}" in body["message"] and kind in body["message"]
    # a name both kinds know (json, xml) still serves each kind its own
    assert client.get("/sparql", query_string={"query": query, "format": "json"}).status_code == 200


# ------------------------------------------------------------------ service description


def test_service_description(client: FlaskClient) -> None:
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    graph = Graph().parse(data=r.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoint = next(graph.objects(None, URIRef(sd + "endpoint")))
    assert str(endpoint) == "http://localhost/sparql"  # the test client's host
    asked = graph.query(
        f"PREFIX sd: <{sd}> ASK {{ ?s a sd:Service ; sd:resultFormat ?f ; "
        "sd:feature sd:UnionDefaultGraph ; sd:defaultDataset/sd:namedGraph/sd:name "
        "<https://w3id.org/cakg/graph/gazetteer> }"
    )
    assert asked.askAnswer


def test_browser_gets_the_query_page(client: FlaskClient) -> None:
    r = client.get("/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/html")
    assert "<textarea" in r.text


# ------------------------------------------------------------------ read-only


@pytest.mark.parametrize(
    "request_kwargs",
    [
        pytest.param(
            {"data": {"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}}, id="form-update"
        ),
        pytest.param(
            {
                "data": b"INSERT DATA { <urn:a> <urn:b> <urn:c> }",
                "headers": {"Content-Type": "application/sparql-update"},
            },
            id="sparql-update",
        ),
        pytest.param(
            {"data": {"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}}, id="update-as-query"
        ),
        pytest.param({"data": {"query": "CLEAR ALL"}}, id="clear"),
        pytest.param({"data": {"query": "LOAD <http://example.org/x.ttl>"}}, id="load"),
    ],
)
def test_updates_are_refused_and_change_nothing(
    client: FlaskClient, request_kwargs: dict[str, Any]
) -> None:
    before = count(client)
    r = client.post("/sparql", **request_kwargs)
    assert 400 <= r.status_code < 500
    assert_error(r, r.status_code)
    assert count(client) == before


# ------------------------------------------------------------------ limits


def test_client_timeout_stops_the_query(server: LiveServer) -> None:
    r = requests.get(server.endpoint, params={"query": RUNAWAY, "timeout": "1"}, timeout=30)
    body = assert_error(r, 503, "timeout")
    assert int(r.headers["Retry-After"]) > 0
    assert "longer than 1 s" in body["message"]  # the client's 1 s, not the server's 4 s


def test_server_deadline_holds_and_client_cannot_raise_it(server: LiveServer) -> None:
    r = requests.get(server.endpoint, params={"query": RUNAWAY, "timeout": "600"}, timeout=60)
    body = assert_error(r, 503, "timeout")
    assert "4 s" in body["message"]


def every_process_ready(server: LiveServer) -> bool:
    health = requests.get(server.url + "/health", timeout=10).json()
    return bool(health["query_workers_ready"] == health["query_workers"])


def test_others_are_answered_while_a_query_runs_away(server: LiveServer) -> None:
    wait_until(lambda: every_process_ready(server))  # earlier tests' deadlines replace some
    with ThreadPoolExecutor(max_workers=1) as pool:
        runaway = pool.submit(requests.get, server.endpoint, params={"query": RUNAWAY}, timeout=60)
        started = time.monotonic()
        answered = []
        while time.monotonic() - started < 2:  # half of the 4 s the runaway query may take
            answered.append(ask_from(server, "127.0.0.3", "ASK {?s ?p ?o}").status)
        assert not runaway.done(), "the runaway query ended before the quick ones did"
        assert runaway.result().status_code == 503
    assert len(answered) > 10 and set(answered) == {200}


def test_result_row_limit_is_an_explicit_error(make_app: Callable[..., Flask]) -> None:
    small = make_app(MAX_ROWS=100, QUERY_WORKERS=1).test_client()
    r = small.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"})
    body = assert_error(r, 422, "result_too_large")
    assert "100 rows" in body["message"]
    ok = small.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o } LIMIT 100"})
    assert len(ok.json["results"]["bindings"]) == 100


def test_result_byte_limit_is_an_explicit_error(make_app: Callable[..., Flask]) -> None:
    small = make_app(MAX_RESULT_BYTES=2000, QUERY_WORKERS=1).test_client()
    r = small.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o } LIMIT 500"})
    body = assert_error(r, 422, "result_too_large")
    assert "2000 bytes" in body["message"]


def test_a_client_that_keeps_its_socket_open_stalls_nobody(server: LiveServer) -> None:
    """A client that asked to close but keeps its end open must not hold up the others.

    gunicorn 26 and 27 linger on such a socket for up to 2 s in the thread worker's event
    loop, where no other connection is accepted meanwhile; rdflib does this when it follows
    a `Link: rel="alternate"` before closing the first response.
    """
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as lingering:
        lingering.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert lingering.recv(65536).startswith(b"HTTP/1.1 200")
        # the lingering client holds its socket open while others ask, one after the other
        for _ in range(5):
            assert requests.get(server.url + "/health", timeout=1).status_code == 200


def test_too_many_concurrent_queries_from_one_client_is_429(server: LiveServer) -> None:
    def slow(_: int) -> requests.Response:
        return requests.get(server.endpoint, params={"query": RUNAWAY, "timeout": "2"}, timeout=30)

    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(pool.map(slow, range(4)))
    statuses = sorted(r.status_code for r in responses)
    assert 429 in statuses
    limited = next(r for r in responses if r.status_code == 429)
    assert_error(limited, 429, "too_many_requests")
    assert limited.headers["Retry-After"] == "1"


# ------------------------------------------------------------------ hostile queries


def test_service_is_refused_and_nothing_is_contacted(client: FlaskClient, listener: Any) -> None:
    url, _ = listener
    query = f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}"
    r = client.get("/sparql", query_string={"query": query})
    body = assert_error(r, 400, "query_refused")
    assert "SERVICE" in body["message"] and body["line"] == 1
    assert contacts(listener) == []


def test_remote_from_is_refused(client: FlaskClient, listener: Any) -> None:
    url, _ = listener
    r = client.get("/sparql", query_string={"query": f"SELECT * FROM <{url}/d.ttl> {{ ?s ?p ?o }}"})
    assert_error(r, 400, "query_refused")
    r = client.get("/sparql", query_string={"query": COUNT, "default-graph-uri": f"{url}/g"})
    assert_error(r, 400, "protocol_error")
    assert contacts(listener) == []


def test_operator_can_allow_a_service_prefix(make_app: Callable[..., Flask], listener: Any) -> None:
    url, hits = listener
    opened = make_app(ALLOWED_SERVICE_PREFIXES=url + "/", QUERY_WORKERS=1).test_client()
    query = f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}"
    r = opened.get("/sparql", query_string={"query": query, "timeout": "3"})
    assert r.status_code != 200  # our listener is no SPARQL endpoint...
    assert hits  # ...but the allowed call was made


@pytest.mark.parametrize("depth", [100, 5000])
def test_deep_nesting_is_4xx(client: FlaskClient, depth: int) -> None:
    query = "SELECT * WHERE " + "{" * depth + " ?s ?p ?o " + "}" * depth
    r = client.post("/sparql", data={"query": query})
    assert_error(r, 400, "query_refused")


@pytest.mark.parametrize(
    "request_kwargs",
    [
        pytest.param({"data": {"query": MEGABYTE}}, id="form"),
        pytest.param({"data": MEGABYTE.encode(), "headers": SPARQL_QUERY}, id="direct"),
    ],
)
def test_megabyte_query_is_413(client: FlaskClient, request_kwargs: dict[str, Any]) -> None:
    assert_error(client.post("/sparql", **request_kwargs), 413)


def test_server_survives_hostile_queries(server: LiveServer) -> None:
    hostile = [DEEP, MEGABYTE, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"]
    statuses = [
        requests.post(server.endpoint, data={"query": query}, timeout=10).status_code
        for query in hostile
    ]
    assert statuses == [400, 413, 400]
    health = requests.get(server.url + "/health", timeout=10).json()
    assert health["status"] == "ok" and health["triples"] > 4000
    r = requests.get(server.endpoint, params={"query": COUNT}, timeout=10)
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) > 4000


# ------------------------------------------------------------------ ecosystem


def test_cors_preflight_for_direct_post(client: FlaskClient) -> None:
    r = client.options(
        "/sparql",
        headers={
            "Origin": "http://notebook.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert r.status_code in (200, 204)
    assert r.headers["Access-Control-Allow-Origin"] in ("*", "http://notebook.example")
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    assert "content-type" in r.headers["Access-Control-Allow-Headers"].lower()
    r = client.post(
        "/sparql",
        data=COUNT,
        headers={"Origin": "http://notebook.example", "Content-Type": "application/sparql-query"},
    )
    assert r.headers["Access-Control-Allow-Origin"] in ("*", "http://notebook.example")


def test_health(client: FlaskClient) -> None:
    body = client.get("/health").json
    assert body["status"] == "ok" and body["triples"] > 4000 and body["graphs"] == 10


def test_metrics_count_requests_timeouts_and_refusals(server: LiveServer) -> None:
    assert requests.get(server.endpoint, params={"query": "ASK {}"}, timeout=10).ok  # its own
    requests.get(server.endpoint, params={"query": RUNAWAY, "timeout": "0.5"}, timeout=30)
    requests.get(
        server.endpoint, params={"query": "SELECT * { SERVICE <http://x/> {} }"}, timeout=10
    )
    text = requests.get(server.url + "/metrics", timeout=10).text
    assert 'kg_http_requests_total{endpoint="sparql.endpoint",status="200"}' in text
    assert "kg_query_seconds_bucket" in text
    timeouts = next(
        line for line in text.splitlines() if line.startswith("kg_query_timeouts_total")
    )
    assert float(timeouts.split()[-1]) >= 1
    assert 'kg_queries_refused_total{reason="query_refused"}' in text


def test_query_log_is_json_lines(server: LiveServer) -> None:
    answered = requests.get(server.endpoint, params={"query": COUNTRIES}, timeout=10)
    refused = requests.get(
        server.endpoint, params={"query": "SELECT * { SERVICE <http://x/> {} }"}, timeout=10
    )
    entries = {
        e["id"]: e for e in map(json.loads, server.query_log.read_text().splitlines())
    }  # each line is written before its answer is sent
    logged = entries[answered.headers["X-Query-Id"]]
    assert set(logged) >= {"id", "query_sha256", "duration_ms", "status", "rows"}
    assert (logged["status"], logged["rows"], len(logged["query_sha256"])) == (200, 4, 64)
    assert entries[refused.headers["X-Query-Id"]]["error"] == "query_refused"


def test_startup_prints_the_url(server: LiveServer) -> None:
    assert f"http://127.0.0.1:{server.port}/" in server.banner


def test_default_graph_is_the_rdf_merge(client: FlaskClient) -> None:
    """A triple stated by several documents (JICA is typed in three) counts once, as in an
    RDF merge; Oxigraph 0.5's union default graph would repeat it once per graph."""
    query = "SELECT ?org WHERE { ?org a kg:Organization }"
    rows = client.get("/sparql", query_string={"query": query}).json
    orgs = [b["org"]["value"] for b in rows["results"]["bindings"]]
    assert len(orgs) == len(set(orgs))
    assert "https://w3id.org/cakg/org/jica" in orgs
    named = client.get(
        "/sparql",
        query_string={
            "query": (
                "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { "
                "<https://w3id.org/cakg/org/jica> a kg:Organization } }"
            )
        },
    ).json["results"]["bindings"][0]["n"]["value"]
    assert int(named) >= 3


def test_relative_iris_resolve_against_the_endpoint(client: FlaskClient) -> None:
    """Issue 12, finding 4 (W3C protocol test query_content_type_construct): no base IRI made
    `CONSTRUCT { <s> <p> 1 } WHERE {}` a 400; the endpoint's own IRI is the base."""
    r = client.get(
        "/sparql",
        query_string={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"},
        headers={"Accept": "application/n-triples"},
    )
    assert r.status_code == 200, r.text
    assert r.text.startswith("<http://localhost/s> <http://localhost/p> ")


def test_a_host_header_that_is_no_iri_gives_no_base(client: FlaskClient) -> None:
    """The base comes from the request's URL, whose Host the client chooses."""
    r = client.get(
        "/sparql",
        query_string={"query": "ASK { FILTER(isIRI(<s>)) }"},
        headers={"Host": "evil> <x"},
    )
    assert r.status_code < 500
