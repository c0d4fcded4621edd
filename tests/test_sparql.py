"""The SPARQL 1.1 Protocol against the real server on loopback, with plain HTTP (requests).

https://www.w3.org/TR/sparql11-protocol/ — every case talks to `kg serve` under gunicorn.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from conftest import LiveServer
from rdflib import Graph, URIRef

from kg.graph.parsing import parse_text

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
COUNTRIES = "SELECT ?c WHERE { ?c a kg:Country } ORDER BY ?c"
CITIES = "CONSTRUCT { ?c a kg:City } WHERE { ?c a kg:City }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
FORM = "application/x-www-form-urlencoded"


def assert_error(
    response: requests.Response, status: int, code: str | None = None
) -> dict[str, Any]:
    """The one error shape: JSON with status, error and message; never a traceback."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["status"] == status
    assert isinstance(body["error"], str) and body["message"]
    if code is not None:
        assert body["error"] == code
    assert "Traceback" not in response.text
    return body


def count(server: LiveServer) -> int:
    r = requests.get(server.endpoint, params={"query": COUNT}, timeout=10)
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


# ------------------------------------------------------------------ the three ways to ask


def test_get(server: LiveServer) -> None:
    r = requests.get(server.endpoint, params={"query": COUNTRIES}, timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/sparql-results+json")
    assert len(r.json()["results"]["bindings"]) == 4


def test_post_form(server: LiveServer) -> None:
    r = requests.post(server.endpoint, data={"query": COUNTRIES}, timeout=10)
    assert r.status_code == 200
    assert len(r.json()["results"]["bindings"]) == 4


def test_post_direct(server: LiveServer) -> None:
    r = requests.post(
        server.endpoint,
        data=COUNTRIES.encode(),
        headers={"Content-Type": "application/sparql-query"},
        timeout=10,
    )
    assert r.status_code == 200
    assert len(r.json()["results"]["bindings"]) == 4


def test_head(server: LiveServer) -> None:
    r = requests.head(server.endpoint, params={"query": COUNTRIES}, timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/sparql-results+json")
    assert r.content == b""


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
def test_default_graph_uri(server: LiveServer, graphs: dict[str, Any], expected: int) -> None:
    r = requests.get(server.endpoint, params={"query": COUNTRIES, **graphs}, timeout=10)
    assert r.status_code == 200, r.text
    assert len(r.json()["results"]["bindings"]) == expected


def test_named_graph_uri(server: LiveServer) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    params = {
        "query": query,
        "named-graph-uri": [
            "https://w3id.org/cakg/graph/gazetteer",
            "https://w3id.org/cakg/graph/sources",
        ],
    }
    r = requests.get(server.endpoint, params=params, timeout=10)
    graphs = {b["g"]["value"] for b in r.json()["results"]["bindings"]}
    assert graphs == {
        "https://w3id.org/cakg/graph/gazetteer",
        "https://w3id.org/cakg/graph/sources",
    }


# ------------------------------------------------------------------ protocol errors


def test_query_twice_is_400(server: LiveServer) -> None:
    r = requests.get(server.endpoint, params={"query": [COUNT, COUNT]}, timeout=10)
    assert_error(r, 400, "protocol_error")


def test_query_in_url_and_body_is_400(server: LiveServer) -> None:
    r = requests.post(
        server.endpoint,
        params={"query": COUNT},
        data=COUNT.encode(),
        headers={"Content-Type": "application/sparql-query"},
        timeout=10,
    )
    assert_error(r, 400, "protocol_error")


def test_post_without_query_is_400(server: LiveServer) -> None:
    r = requests.post(server.endpoint, data={"nothing": "here"}, timeout=10)
    assert_error(r, 400, "protocol_error")


def test_other_content_type_is_415(server: LiveServer) -> None:
    r = requests.post(
        server.endpoint, data=b"{}", headers={"Content-Type": "application/json"}, timeout=10
    )
    assert_error(r, 415, "unsupported_media_type")


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405_with_allow(server: LiveServer, method: str) -> None:
    r = requests.request(method, server.endpoint, timeout=10)
    assert_error(r, 405)
    assert set(r.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST", "HEAD"}


def test_syntax_error_names_line_and_column(server: LiveServer) -> None:
    r = requests.get(server.endpoint, params={"query": "SELECT *\nWHERE { ?s ?p }"}, timeout=10)
    body = assert_error(r, 400, "syntax_error")
    assert (body["line"], body["column"]) == (2, 16)  # where Oxigraph stopped


def test_errors_in_plain_text_by_accept(server: LiveServer) -> None:
    r = requests.get(
        server.endpoint,
        params={"query": "SELECT *\nWHERE { ?s ?p }"},
        headers={"Accept": "text/plain"},
        timeout=10,
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
    server: LiveServer, headers: dict[str, str], params: dict[str, str], media: str
) -> None:
    r = requests.get(
        server.endpoint, params={"query": COUNTRIES, **params}, headers=headers, timeout=10
    )
    assert r.status_code == 200
    assert r.headers["Content-Type"].split(";")[0] == media
    assert "Accept" in r.headers["Vary"]
    assert "country/kz" in r.text


def test_tsv_is_real_tsv(server: LiveServer) -> None:
    r = requests.get(server.endpoint, params={"query": COUNTRIES, "format": "tsv"}, timeout=10)
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
def test_construct_formats(server: LiveServer, accept: str, rdflib_format: str) -> None:
    r = requests.get(
        server.endpoint, params={"query": CITIES}, headers={"Accept": accept}, timeout=10
    )
    assert r.status_code == 200
    assert r.headers["Content-Type"].split(";")[0] == accept
    graph = parse_text(r.text, rdflib_format)
    assert len(graph) == 26


@pytest.mark.parametrize("accept", ["application/trig", "application/n-quads"])
def test_construct_as_quads(server: LiveServer, accept: str) -> None:
    r = requests.get(
        server.endpoint, params={"query": CITIES}, headers={"Accept": accept}, timeout=10
    )
    assert r.status_code == 200
    assert r.headers["Content-Type"].split(";")[0] == accept
    assert r.text.count("kg:City" if accept.endswith("trig") else "ontology#City") == 26


def test_describe(server: LiveServer) -> None:
    query = "DESCRIBE <https://w3id.org/cakg/city/khiva>"
    r = requests.get(server.endpoint, params={"query": query, "format": "nt"}, timeout=10)
    graph = Graph().parse(data=r.text, format="nt")
    assert len(graph) >= 5


def test_ask(server: LiveServer) -> None:
    r = requests.get(server.endpoint, params={"query": "ASK { ?c a kg:Country }"}, timeout=10)
    assert r.json()["boolean"] is True


def test_unacceptable_is_406_listing_offers(server: LiveServer) -> None:
    r = requests.get(
        server.endpoint, params={"query": COUNTRIES}, headers={"Accept": "image/png"}, timeout=10
    )
    body = assert_error(r, 406, "not_acceptable")
    assert "text/csv" in body["offered"]
    assert "Accept" in r.headers["Vary"]


# ------------------------------------------------------------------ service description


def test_service_description(server: LiveServer) -> None:
    r = requests.get(server.endpoint, headers={"Accept": "text/turtle"}, timeout=10)
    assert r.status_code == 200
    graph = Graph().parse(data=r.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoint = next(graph.objects(None, URIRef(sd + "endpoint")))
    assert str(endpoint) == server.endpoint
    asked = graph.query(
        f"PREFIX sd: <{sd}> ASK {{ ?s a sd:Service ; sd:resultFormat ?f ; "
        "sd:feature sd:UnionDefaultGraph ; sd:defaultDataset/sd:namedGraph/sd:name "
        "<https://w3id.org/cakg/graph/gazetteer> }"
    )
    assert asked.askAnswer


def test_browser_gets_the_query_page(server: LiveServer) -> None:
    r = requests.get(server.endpoint, headers={"Accept": "text/html,*/*;q=0.8"}, timeout=10)
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
    server: LiveServer, request_kwargs: dict[str, Any]
) -> None:
    before = count(server)
    r = requests.post(server.endpoint, timeout=10, **request_kwargs)
    assert 400 <= r.status_code < 500
    assert_error(r, r.status_code)
    assert count(server) == before


# ------------------------------------------------------------------ limits


def test_client_timeout_stops_the_query(server: LiveServer) -> None:
    started = time.monotonic()
    r = requests.get(server.endpoint, params={"query": RUNAWAY, "timeout": "1"}, timeout=30)
    body = assert_error(r, 503, "timeout")
    assert int(r.headers["Retry-After"]) > 0
    assert "1 s" in body["message"]
    assert time.monotonic() - started < 4  # the client's 1 s, not the server's 4 s


def test_server_deadline_holds_and_client_cannot_raise_it(server: LiveServer) -> None:
    r = requests.get(server.endpoint, params={"query": RUNAWAY, "timeout": "600"}, timeout=60)
    body = assert_error(r, 503, "timeout")
    assert "4 s" in body["message"]


def test_others_are_answered_while_a_query_runs_away(server: LiveServer) -> None:
    runaway: dict[str, Any] = {}

    def run_away() -> None:
        runaway["response"] = requests.get(server.endpoint, params={"query": RUNAWAY}, timeout=60)
        runaway["finished"] = time.monotonic()

    thread = threading.Thread(target=run_away)
    thread.start()
    time.sleep(0.3)
    answered = []
    for _ in range(20):
        conn = http.client.HTTPConnection(
            "127.0.0.1", server.port, timeout=10, source_address=("127.0.0.3", 0)
        )
        conn.request("GET", "/sparql?query=ASK%20%7B%3Fs%20%3Fp%20%3Fo%7D")
        answered.append((conn.getresponse().status, time.monotonic()))
        conn.close()
    thread.join()
    assert all(status == 200 for status, _ in answered)
    assert answered[-1][1] < runaway["finished"], "quick queries waited for the runaway one"
    assert runaway["response"].status_code == 503


def test_result_row_limit_is_an_explicit_error(make_server: Any) -> None:
    small = make_server(MAX_ROWS=100)
    r = requests.get(small.endpoint, params={"query": "SELECT * WHERE { ?s ?p ?o }"}, timeout=30)
    body = assert_error(r, 422, "result_too_large")
    assert "100 rows" in body["message"]
    ok = requests.get(
        small.endpoint, params={"query": "SELECT * { ?s ?p ?o } LIMIT 100"}, timeout=30
    )
    assert len(ok.json()["results"]["bindings"]) == 100


def test_result_byte_limit_is_an_explicit_error(make_server: Any) -> None:
    small = make_server(MAX_RESULT_BYTES=2000)
    r = requests.get(
        small.endpoint, params={"query": "SELECT * { ?s ?p ?o } LIMIT 500"}, timeout=30
    )
    body = assert_error(r, 422, "result_too_large")
    assert "2000 bytes" in body["message"]


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


def test_service_is_refused_and_nothing_is_contacted(server: LiveServer, listener: Any) -> None:
    url, hits = listener
    query = f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}"
    r = requests.get(server.endpoint, params={"query": query}, timeout=10)
    body = assert_error(r, 400, "query_refused")
    assert "SERVICE" in body["message"] and body["line"] == 1
    time.sleep(0.2)
    assert hits == []


def test_remote_from_is_refused(server: LiveServer, listener: Any) -> None:
    url, hits = listener
    r = requests.get(
        server.endpoint, params={"query": f"SELECT * FROM <{url}/d.ttl> {{ ?s ?p ?o }}"}, timeout=10
    )
    assert_error(r, 400, "query_refused")
    r = requests.get(
        server.endpoint, params={"query": COUNT, "default-graph-uri": f"{url}/g"}, timeout=10
    )
    assert_error(r, 400, "protocol_error")
    assert hits == []


def test_operator_can_allow_a_service_prefix(make_server: Any, listener: Any) -> None:
    url, hits = listener
    open_server = make_server(ALLOWED_SERVICE_PREFIXES=url + "/")
    query = f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}"
    r = requests.get(open_server.endpoint, params={"query": query, "timeout": "3"}, timeout=30)
    assert r.status_code != 200  # our listener is no SPARQL endpoint...
    assert hits  # ...but the allowed call was made


@pytest.mark.parametrize("depth", [100, 5000])
def test_deep_nesting_is_4xx(server: LiveServer, depth: int) -> None:
    query = "SELECT * WHERE " + "{" * depth + " ?s ?p ?o " + "}" * depth
    r = requests.post(server.endpoint, data={"query": query}, timeout=10)
    assert_error(r, 400, "query_refused")


def test_megabyte_query_is_413(server: LiveServer) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 1_000_000
    r = requests.post(server.endpoint, data={"query": query}, timeout=10)
    assert_error(r, 413)
    r = requests.post(
        server.endpoint,
        data=query.encode(),
        headers={"Content-Type": "application/sparql-query"},
        timeout=10,
    )
    assert_error(r, 413)


def test_server_survives_hostile_queries(server: LiveServer) -> None:
    assert requests.get(server.url + "/health", timeout=10).json()["status"] == "ok"
    assert count(server) > 4000


# ------------------------------------------------------------------ ecosystem


def test_cors_preflight_for_direct_post(server: LiveServer) -> None:
    r = requests.options(
        server.endpoint,
        headers={
            "Origin": "http://notebook.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
        timeout=10,
    )
    assert r.status_code in (200, 204)
    assert r.headers["Access-Control-Allow-Origin"] in ("*", "http://notebook.example")
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    assert "content-type" in r.headers["Access-Control-Allow-Headers"].lower()
    r = requests.post(
        server.endpoint,
        data=COUNT,
        headers={"Origin": "http://notebook.example", "Content-Type": "application/sparql-query"},
        timeout=10,
    )
    assert r.headers["Access-Control-Allow-Origin"] in ("*", "http://notebook.example")


def test_health(server: LiveServer) -> None:
    body = requests.get(server.url + "/health", timeout=10).json()
    assert body["status"] == "ok" and body["triples"] > 4000 and body["graphs"] == 9


def test_metrics_count_requests_timeouts_and_refusals(server: LiveServer) -> None:
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
    requests.get(server.endpoint, params={"query": COUNTRIES}, timeout=10)
    time.sleep(0.2)
    entries = [json.loads(line) for line in server.query_log.read_text().splitlines()]
    last = next(e for e in reversed(entries) if e["status"] == 200 and e["rows"] == 4)
    assert set(last) >= {"id", "query_sha256", "duration_ms", "status", "rows"}
    assert len(last["query_sha256"]) == 64
    assert any(e["error"] == "query_refused" for e in entries)


def test_startup_prints_the_url(server: LiveServer) -> None:
    assert f"http://127.0.0.1:{server.port}/" in server.banner


def test_default_graph_is_the_rdf_merge(server: LiveServer) -> None:
    """A triple stated by several documents (JICA is typed in three) counts once, as in an
    RDF merge; Oxigraph 0.5's union default graph would repeat it once per graph."""
    query = "SELECT ?org WHERE { ?org a kg:Organization }"
    rows = requests.get(server.endpoint, params={"query": query}, timeout=10).json()
    orgs = [b["org"]["value"] for b in rows["results"]["bindings"]]
    assert len(orgs) == len(set(orgs))
    assert "https://w3id.org/cakg/org/jica" in orgs
    named = requests.get(
        server.endpoint,
        params={
            "query": (
                "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { "
                "<https://w3id.org/cakg/org/jica> a kg:Organization } }"
            )
        },
        timeout=10,
    ).json()["results"]["bindings"][0]["n"]["value"]
    assert int(named) >= 3
