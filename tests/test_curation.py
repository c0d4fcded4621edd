"""Curation against the running server with real HTTP: validate, submit, revert, Graph Store,
authentication, limits and hostile input; nothing half-written, nothing lost.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from conftest import LiveServer

from kg.graph.parsing import parse_text

ALICE = {"Authorization": "Bearer tok-alice"}
BOB = {"Authorization": "Bearer tok-bob"}
TTL = {"Content-Type": "text/turtle"}
PREFIXES = """@prefix kg: <https://w3id.org/cakg/ontology#> .
@prefix doc: <https://w3id.org/cakg/doc/> .
@prefix city: <https://w3id.org/cakg/city/> .
@prefix country: <https://w3id.org/cakg/country/> .
@prefix status: <https://w3id.org/cakg/vocab/status/> .
@prefix etype: <https://w3id.org/cakg/vocab/event-type/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""
QUOTE = "Representatives of Kazakhstan also participated in the “Lazgi” festival"


def event(slug: str, label: str | None = None, status: str = "happened", year: str = "2024") -> str:
    return (
        PREFIXES
        + f"""
<https://w3id.org/cakg/event/{slug}> a kg:CulturalEvent ;
    rdfs:label "{label or slug}"@en ;
    kg:eventType etype:festival ;
    kg:status status:{status} ;
    kg:location city:khiva ;
    kg:date "{year}"^^xsd:gYear ;
    kg:evidence [ a kg:Evidence ; kg:source doc:000_74681c818d2b02ab ; kg:quote "{QUOTE}" ] .
"""
    )


@pytest.fixture(scope="module")
def curated(
    make_server: Callable[..., LiveServer], tmp_path_factory: pytest.TempPathFactory
) -> LiveServer:
    return make_server(
        CURATOR_TOKENS="alice=tok-alice bob=tok-bob",
        VAR_DIR=tmp_path_factory.mktemp("var"),
        WRITE_RATE_PER_MINUTE=1000,
    )


def post(
    server: LiveServer, body: str, headers: dict[str, str] | None = None, **params: str
) -> requests.Response:
    return requests.post(
        server.url + "/submissions",
        data=body.encode(),
        params=params,
        headers={**TTL, **ALICE, **(headers or {})},
        timeout=60,
    )


def ask(server: LiveServer, query: str) -> bool:
    r = requests.get(server.endpoint, params={"query": query}, timeout=30)
    return bool(r.json()["boolean"])


def exists(server: LiveServer, slug: str) -> bool:
    return ask(server, f"ASK {{ <https://w3id.org/cakg/event/{slug}> ?p ?o }}")


# ------------------------------------------------------------------ validate (no writing)


def test_validate_conforming(curated: LiveServer) -> None:
    r = requests.post(
        curated.url + "/validate", data=event("v-ok").encode(), headers=TTL, timeout=60
    )
    assert r.status_code == 200
    assert r.json() == {"conforms": True, "results": []}
    assert not exists(curated, "v-ok")  # nothing written


def test_validate_reports_problems_as_json(curated: LiveServer) -> None:
    r = requests.post(
        curated.url + "/validate",
        data=event("v-bad", status="planned").encode(),
        headers=TTL,
        timeout=60,
    )
    body = r.json()
    assert r.status_code == 200 and body["conforms"] is False
    result = body["results"][0]
    assert set(result) >= {"focus_node", "path", "value", "message", "severity", "shape"}
    assert result["focus_node"] == "https://w3id.org/cakg/event/v-bad"
    assert result["path"] == "https://w3id.org/cakg/ontology#status"


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        pytest.param("text/turtle", "turtle", id="turtle"),
        pytest.param("application/ld+json", "json-ld", id="jsonld"),
    ],
)
def test_validate_report_as_rdf(curated: LiveServer, accept: str, rdflib_format: str) -> None:
    r = requests.post(
        curated.url + "/validate",
        data=event("v-bad", status="planned").encode(),
        headers={**TTL, "Accept": accept},
        timeout=60,
    )
    assert r.headers["Content-Type"].startswith(accept)
    report = parse_text(r.text, rdflib_format)
    asked = report.query(
        "PREFIX sh: <http://www.w3.org/ns/shacl#> ASK { ?r a sh:ValidationReport ;"
        " sh:conforms false ; sh:result [ sh:focusNode ?f ; sh:resultMessage ?m ] }"
    )
    assert asked.askAnswer


def test_validate_report_as_html(curated: LiveServer) -> None:
    r = requests.post(
        curated.url + "/validate",
        data=event("v-bad", status="planned").encode(),
        headers={**TTL, "Accept": "text/html"},
        timeout=60,
    )
    assert r.headers["Content-Type"].startswith("text/html")
    assert "does not conform" in r.text and "status:happened" in r.text


@pytest.mark.parametrize(
    ("content_type", "body", "line"),
    [
        pytest.param("text/turtle", "@prefix a: <http://a/> .\na:b a:c zz:d .\n", 2, id="turtle"),
        pytest.param("application/n-triples", "<http://a> <http://b> .\n", 1, id="ntriples"),
        pytest.param("application/ld+json", '{"@id": }', 1, id="jsonld"),
        pytest.param(
            "application/rdf+xml",
            "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>\n<x>",
            2,
            id="rdfxml",
        ),
    ],
)
def test_syntax_errors_are_400_with_line(
    curated: LiveServer, content_type: str, body: str, line: int
) -> None:
    r = requests.post(
        curated.url + "/validate",
        data=body.encode(),
        headers={"Content-Type": content_type},
        timeout=30,
    )
    assert r.status_code == 400
    assert r.json()["line"] == line and r.json()["column"] >= 1


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        pytest.param(
            "application/n-triples",
            "<https://w3id.org/cakg/event/nt-ok> "
            '<http://www.w3.org/2000/01/rdf-schema#label> "x"@en .\n',
            id="ntriples",
        ),
        pytest.param(
            "application/ld+json",
            json.dumps(
                {
                    "@id": "https://w3id.org/cakg/event/jl-ok",
                    "http://www.w3.org/2000/01/rdf-schema#label": {
                        "@value": "x",
                        "@language": "en",
                    },
                }
            ),
            id="jsonld",
        ),
        pytest.param(
            "application/rdf+xml",
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">'
            '<rdf:Description rdf:about="https://w3id.org/cakg/event/x-ok">'
            '<rdfs:label xml:lang="en">x</rdfs:label></rdf:Description></rdf:RDF>',
            id="rdfxml",
        ),
    ],
)
def test_every_format_is_read(curated: LiveServer, content_type: str, body: str) -> None:
    r = requests.post(
        curated.url + "/validate",
        data=body.encode(),
        headers={"Content-Type": content_type},
        timeout=30,
    )
    assert r.status_code == 200 and r.json()["conforms"] is True


# ------------------------------------------------------------------ authentication


def test_write_without_token_is_401(curated: LiveServer) -> None:
    r = requests.post(
        curated.url + "/submissions", data=event("no-token").encode(), headers=TTL, timeout=30
    )
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
    assert not exists(curated, "no-token")


def test_write_with_wrong_token_is_403(curated: LiveServer) -> None:
    r = post(curated, event("bad-token"), {"Authorization": "Bearer nope"})
    assert r.status_code == 403
    assert not exists(curated, "bad-token")


def test_write_endpoints_are_not_opened_by_cors(curated: LiveServer) -> None:
    r = requests.options(
        curated.url + "/submissions",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
        timeout=10,
    )
    assert "Access-Control-Allow-Origin" not in r.headers


# ------------------------------------------------------------------ accept, show, revert


def test_submit_commit_visible_at_once_and_revert(curated: LiveServer) -> None:
    before_void = requests.get(
        curated.url + "/.well-known/void", headers={"Accept": "text/turtle"}, timeout=60
    )
    etag = requests.get(
        curated.url + "/city/khiva", headers={"Accept": "text/turtle"}, timeout=10
    ).headers["ETag"]
    r = post(
        curated,
        event("committed", "A committed festival"),
        comment="from a test",
        source="https://w3id.org/cakg/doc/000_74681c818d2b02ab",
    )
    assert r.status_code == 201, r.text
    created = r.json()
    assert r.headers["Location"] == f"/submissions/{created['id']}"
    assert created["curator"] == "alice" and created["comment"] == "from a test"
    # queries, pages, dumps, VoID and validators reflect it at once
    assert exists(curated, "committed")
    assert ask(curated, "ASK { <https://w3id.org/cakg/event/committed> kg:year 2024 }")
    page = requests.get(
        curated.url + "/event/committed", headers={"Accept": "text/html"}, timeout=10
    )
    assert page.status_code == 200 and "A committed festival" in page.text
    khiva = requests.get(curated.url + "/city/khiva", headers={"Accept": "text/turtle"}, timeout=10)
    assert khiva.headers["ETag"] != etag and "event:committed" in khiva.text
    dump = requests.get(curated.url + "/dumps/cakg.nt", timeout=60).text
    assert "https://w3id.org/cakg/event/committed" in dump
    after_void = requests.get(
        curated.url + "/.well-known/void", headers={"Accept": "text/turtle"}, timeout=60
    )
    assert after_void.text != before_void.text
    # provenance
    graph = created["graph"]
    assert ask(
        curated,
        f"""ASK {{ GRAPH <{graph}> {{ <{graph}> a kg:Submission ;
        <http://www.w3.org/ns/prov#wasAttributedTo>/rdfs:label "alice" ;
        <http://purl.org/dc/terms/created> ?t ; rdfs:comment "from a test" ;
        <http://purl.org/dc/terms/source> doc:000_74681c818d2b02ab }} }}""",
    )
    # list and show
    listed = requests.get(curated.url + "/submissions", timeout=10).json()["submissions"]
    assert created["id"] in {s["id"] for s in listed}
    shown = requests.get(
        f"{curated.url}/submissions/{created['id']}", headers={"Accept": "text/turtle"}, timeout=10
    )
    assert "A committed festival" in shown.text
    # revert: only the owner
    assert (
        requests.delete(
            f"{curated.url}/submissions/{created['id']}", headers=BOB, timeout=30
        ).status_code
        == 403
    )
    assert (
        requests.delete(
            f"{curated.url}/submissions/{created['id']}", headers=ALICE, timeout=30
        ).status_code
        == 204
    )
    assert not exists(curated, "committed")
    assert requests.get(f"{curated.url}/submissions/{created['id']}", timeout=10).status_code == 404


def test_nonconforming_is_422_and_stores_nothing(curated: LiveServer) -> None:
    before = requests.get(curated.url + "/submissions", timeout=10).json()["submissions"]
    r = post(curated, event("bad-status", status="planned"))
    assert r.status_code == 422
    assert r.json()["conforms"] is False
    assert not exists(curated, "bad-status")
    assert requests.get(curated.url + "/submissions", timeout=10).json()["submissions"] == before


def test_paraphrased_quote_is_refused(curated: LiveServer) -> None:
    r = post(curated, event("paraphrase").replace(QUOTE, "Kazakhs went to the Lazgi festival"))
    assert r.status_code == 422
    assert any("verbatim" in x["message"] for x in r.json()["results"])


def test_addition_that_breaks_existing_nodes_is_refused(curated: LiveServer) -> None:
    """A third place on an existing twinning breaks the twinning's shape."""
    body = (
        "<https://w3id.org/cakg/twinning/tashkent-nagoya> "
        "<https://w3id.org/cakg/ontology#twinnedPlace> <https://w3id.org/cakg/city/osaka> .\n"
    )
    r = post(curated, body, {"Content-Type": "application/n-triples"}, allow_shared="true")
    assert r.status_code == 422
    assert any(x["focus_node"].endswith("twinning/tashkent-nagoya") for x in r.json()["results"])


# ------------------------------------------------------------------ Graph Store protocol


def test_graph_store_put_get_post_delete(curated: LiveServer) -> None:
    graph = "https://w3id.org/cakg/graph/submission/gsp-test"
    url = curated.url + "/rdf-graphs"
    r = requests.put(
        url,
        params={"graph": graph},
        data=event("gsp-one").encode(),
        headers={**TTL, **ALICE},
        timeout=60,
    )
    assert r.status_code == 201
    assert exists(curated, "gsp-one")
    got = requests.get(url, params={"graph": graph}, headers={"Accept": "text/turtle"}, timeout=30)
    assert "event:gsp-one" in got.text
    r = requests.post(
        url,
        params={"graph": graph},
        data=event("gsp-two").encode(),
        headers={**TTL, **ALICE},
        timeout=60,
    )
    assert r.status_code == 204
    assert exists(curated, "gsp-one") and exists(curated, "gsp-two")
    r = requests.put(
        url,
        params={"graph": graph},
        data=event("gsp-three").encode(),
        headers={**TTL, **ALICE},
        timeout=60,
    )
    assert r.status_code == 204
    assert exists(curated, "gsp-three") and not exists(curated, "gsp-one")
    assert (
        requests.put(
            url,
            params={"graph": graph},
            data=event("gsp-bob").encode(),
            headers={**TTL, **BOB},
            timeout=60,
        ).status_code
        == 403
    )
    assert (
        requests.delete(url, params={"graph": graph}, headers=ALICE, timeout=30).status_code == 204
    )
    assert not exists(curated, "gsp-three")


def test_graph_store_refuses_document_graphs(curated: LiveServer) -> None:
    url = curated.url + "/rdf-graphs"
    graph = "https://w3id.org/cakg/graph/000_74681c818d2b02ab"
    assert (
        requests.delete(url, params={"graph": graph}, headers=ALICE, timeout=30).status_code == 403
    )
    assert requests.get(url, params={"graph": graph}, timeout=30).status_code == 200
    assert ask(curated, f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")


# ------------------------------------------------------------------ bad and hostile input


def test_empty_submission(curated: LiveServer) -> None:
    r = post(curated, PREFIXES)
    assert r.status_code == 422 and r.json()["error"] == "empty_submission"


def test_blank_node_only_submission(curated: LiveServer) -> None:
    r = post(curated, PREFIXES + '[] rdfs:label "anonymous"@en .')
    assert r.status_code == 422 and "blank node" in r.json()["message"]


def test_too_large_is_413(curated: LiveServer) -> None:
    body = PREFIXES + "# " + "x" * 2_100_000
    r = post(curated, body)
    assert r.status_code == 413


def test_ontology_iris_are_refused(curated: LiveServer) -> None:
    body = PREFIXES + 'kg:CulturalEvent rdfs:label "Hijacked"@en .'
    r = post(curated, body)
    assert r.status_code == 409 and r.json()["error"] == "iri_collision"
    assert not ask(curated, 'ASK { kg:CulturalEvent rdfs:label "Hijacked"@en }')


def test_other_curators_iris_are_refused_unless_allowed(curated: LiveServer) -> None:
    assert post(curated, event("owned-by-alice")).status_code == 201
    r = post(curated, event("owned-by-alice", "Bob's version"), BOB)
    assert r.status_code == 409 and "alice" in r.json()["message"]
    r = post(curated, event("owned-by-alice"), BOB, allow_shared="true")
    assert r.status_code == 201


def test_remote_jsonld_context_is_not_fetched(curated: LiveServer, listener: Any) -> None:
    url, hits = listener
    body = json.dumps(
        {"@context": f"{url}/ctx.jsonld", "@id": "https://w3id.org/cakg/event/ctx", "name": "x"}
    )
    r = post(curated, body, {"Content-Type": "application/ld+json"})
    assert r.status_code == 400 and "remote" in r.json()["message"]
    assert hits == []


def test_xxe_is_refused(curated: LiveServer, listener: Any, tmp_path: Path) -> None:
    url, hits = listener
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    for target in (f"file://{secret}", f"{url}/x"):
        body = (
            f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY e SYSTEM "{target}">]>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">'
            '<rdf:Description rdf:about="https://w3id.org/cakg/event/xxe"><rdfs:label>&e;</rdfs:label>'
            "</rdf:Description></rdf:RDF>"
        )
        r = post(curated, body, {"Content-Type": "application/rdf+xml"})
        assert r.status_code == 400
        assert "TOP-SECRET" not in r.text
    assert hits == []
    assert not exists(curated, "xxe")


def test_write_rate_limit(make_server: Callable[..., LiveServer], tmp_path: Path) -> None:
    server = make_server(
        CURATOR_TOKENS="alice=tok-alice", VAR_DIR=tmp_path, WRITE_RATE_PER_MINUTE=2
    )
    statuses = [post(server, event(f"rate-{i}")).status_code for i in range(3)]
    assert statuses[:2] == [201, 201]
    assert statuses[2] == 429


# ------------------------------------------------------------------ concurrency and restarts


def test_concurrent_submissions_are_all_kept(curated: LiveServer) -> None:
    def submit(i: int) -> requests.Response:
        headers = ALICE if i % 2 else BOB
        return post(curated, event(f"concurrent-{i}"), headers)

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(submit, range(16)))
    assert [r.status_code for r in responses] == [201] * 16
    for i in range(16):
        assert exists(curated, f"concurrent-{i}")
    ids = {r.json()["id"] for r in responses}
    listed = {
        s["id"]
        for s in requests.get(curated.url + "/submissions", timeout=10).json()["submissions"]
    }
    assert ids <= listed


def test_submissions_survive_a_restart(
    make_server: Callable[..., LiveServer], tmp_path: Path
) -> None:
    first = make_server(CURATOR_TOKENS="alice=tok-alice", VAR_DIR=tmp_path)
    assert post(first, event("durable")).status_code == 201
    first.process.kill()  # no clean shutdown
    first.process.wait()
    second = make_server(CURATOR_TOKENS="alice=tok-alice", VAR_DIR=tmp_path)
    assert exists(second, "durable")


def test_readers_are_served_during_writes(curated: LiveServer) -> None:
    stop = threading.Event()
    failures: list[int] = []

    def read() -> None:
        while not stop.is_set():
            r = requests.get(curated.endpoint, params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
            if r.status_code != 200:
                failures.append(r.status_code)

    thread = threading.Thread(target=read)
    thread.start()
    for i in range(5):
        assert post(curated, event(f"while-reading-{i}")).status_code == 201
    stop.set()
    thread.join()
    assert failures == []
