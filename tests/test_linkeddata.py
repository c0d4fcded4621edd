"""Every IRI the graph mints dereferences, for machines (rdflib, HTTP).

Strategy: content negotiation at the IRI itself (https://www.w3.org/TR/cooluris/), with
file extensions and ?format= as overrides. The canonical base https://w3id.org/cakg/ maps
onto whatever host serves the request. HTTP is asked of the app in process (`client`);
rdflib fetching IRIs by itself, and the time a page takes, of the real server.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from helpers import LiveServer, event
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg.graph.parsing import parse_text, quiet_rdflib_deprecations
from kg.namespaces import DATASET, KG
from kg.store.dumps import PRUNE_AFTER_S
from kg.web.documents import header_path
from kg.web.state import MAX_CACHED

BASE = "https://w3id.org/cakg/"
FORMATS = [
    pytest.param("text/turtle", "turtle", id="turtle"),
    pytest.param("application/ld+json", "json-ld", id="jsonld"),
    pytest.param("application/n-triples", "nt", id="ntriples"),
    pytest.param("application/rdf+xml", "xml", id="rdfxml"),
]
PATHS = [
    pytest.param("city/khiva", id="city"),
    pytest.param("event/lazgi-festival-2022", id="event"),
    pytest.param("person/o-nazarbekov", id="person"),
    pytest.param("twinning/tashkent-nagoya", id="twinning"),
    pytest.param("doc/000_74681c818d2b02ab", id="document"),
    pytest.param("vocab/status/planned", id="status-concept"),
    pytest.param("country/kz", id="country"),
]


def fetch(client: FlaskClient, path: str, accept: str | None = None, **params: str) -> Any:
    """GET a path of the app; buffered, so that files it sends are read and closed."""
    headers = {"Accept": accept} if accept else {}
    return client.get(f"/{path}", headers=headers, query_string=params, buffered=True)


@pytest.mark.parametrize(("media", "rdflib_format"), FORMATS)
@pytest.mark.parametrize("path", PATHS)
def test_rdflib_parses_every_format(
    server: LiveServer, path: str, media: str, rdflib_format: str
) -> None:
    graph = Graph()
    with quiet_rdflib_deprecations():
        # rdflib sends the Accept header of the format it is told to read
        graph.parse(f"{server.url}/{path}", format=rdflib_format)
    assert (URIRef(BASE + path), None, None) in graph
    assert media


def test_ontology_term_iri_fetches_the_ontology(server: LiveServer) -> None:
    graph = Graph()
    with quiet_rdflib_deprecations():
        graph.parse(str(KG.CityTwinning).replace(BASE, server.url + "/"), format="turtle")
    assert (KG.CityTwinning, RDFS.label, None) in graph


def test_rdflib_parse_negotiates_by_itself(server: LiveServer) -> None:
    """rdflib's own Accept header (no format given) gets a document it can read."""
    graph = Graph()
    with quiet_rdflib_deprecations():
        graph.parse(f"{server.url}/city/khiva")
    assert (URIRef(BASE + "city/khiva"), RDF.type, KG.City) in graph


def test_description_is_useful_on_its_own(client: FlaskClient) -> None:
    graph = parse_text(fetch(client, "event/lazgi-festival-2022", "text/turtle").text, "turtle")
    event = URIRef(BASE + "event/lazgi-festival-2022")
    khiva = URIRef(BASE + "city/khiva")
    assert (event, KG.location, khiva) in graph
    assert (khiva, RDFS.label, Literal("Khiva", lang="en")) in graph  # labels of neighbours
    evidence = graph.value(event, KG.evidence)
    assert graph.value(evidence, KG.quote) is not None  # blank nodes resolved
    assert str(graph.value(evidence, KG.source)).startswith(BASE + "doc/")
    series = URIRef(BASE + "series/lazgi-festival")
    assert (event, KG.partOfSeries, series) in graph


def test_statements_pointing_to_the_resource_are_included(client: FlaskClient) -> None:
    graph = parse_text(fetch(client, "city/khiva", "text/turtle").text, "turtle")
    khiva = URIRef(BASE + "city/khiva")
    incoming = set(graph.subjects(KG.location, khiva))
    assert URIRef(BASE + "event/lazgi-festival-2024") in incoming


@pytest.mark.parametrize(
    ("path", "accept", "media"),
    [
        pytest.param("city/khiva.ttl", None, "text/turtle", id="ext-ttl"),
        pytest.param("city/khiva.jsonld", None, "application/ld+json", id="ext-jsonld"),
        pytest.param("city/khiva.nt", None, "application/n-triples", id="ext-nt"),
        pytest.param("city/khiva.rdf", None, "application/rdf+xml", id="ext-rdf"),
        pytest.param("city/khiva.html", None, "text/html", id="ext-html"),
        pytest.param("city/khiva", None, "text/turtle", id="default"),
        pytest.param("city/khiva", "*/*", "text/turtle", id="any"),
        pytest.param(
            "city/khiva",
            "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8",
            "text/html",
            id="browser",
        ),
        pytest.param(
            "city/khiva",
            "application/rdf+xml;q=0.5, application/ld+json",
            "application/ld+json",
            id="q-values",
        ),
        pytest.param("city/khiva.ttl", "application/ld+json", "text/turtle", id="extension-wins"),
        pytest.param(
            "doc/000_74681c818d2b02ab",
            "text/plain",
            "application/n-triples",
            id="text-plain-is-ntriples",
        ),
        pytest.param("doc/000_74681c818d2b02ab.txt", None, "text/plain", id="document-text-ext"),
    ],
)
def test_negotiation(client: FlaskClient, path: str, accept: str | None, media: str) -> None:
    r = fetch(client, path, accept)
    assert r.status_code == 200
    assert r.headers["Content-Type"].split(";")[0] == media
    assert "Accept" in r.headers["Vary"]


def test_format_parameter_overrides_accept(client: FlaskClient) -> None:
    r = fetch(client, "city/khiva", "text/turtle", format="json-ld")
    assert r.headers["Content-Type"].split(";")[0] == "application/ld+json"


def test_document_text_is_the_source_file(client: FlaskClient, settings: dict) -> None:  # type: ignore[type-arg]
    r = fetch(client, "doc/001_827a15a1c1169bd2.txt")
    original = (settings["DATA_DIR"] / "001_827a15a1c1169bd2.txt").read_bytes()
    assert r.data == original


def test_jsonld_has_an_inline_context(client: FlaskClient) -> None:
    body = fetch(client, "city/khiva", "application/ld+json").json
    assert isinstance(body["@context"], dict)
    assert body["@context"]["kg"] == "https://w3id.org/cakg/ontology#"
    ctx = client.get("/context.jsonld").json
    assert ctx["@context"]["city"] == "https://w3id.org/cakg/city/"


def test_link_headers_name_every_format(client: FlaskClient) -> None:
    r = fetch(client, "city/khiva", "text/turtle")
    for media in (
        "text/turtle",
        "application/ld+json",
        "application/n-triples",
        "application/rdf+xml",
        "text/html",
    ):
        assert f'type="{media}"' in r.headers["Link"]
    assert r.headers["Content-Location"] == "/city/khiva.ttl"


@pytest.mark.parametrize(("media", "rdflib_format"), FORMATS)
def test_namespace_iri_returns_the_whole_ontology(
    client: FlaskClient, media: str, rdflib_format: str
) -> None:
    graph = parse_text(fetch(client, "ontology", media).text, rdflib_format)
    assert (KG.CityTwinning, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")) in graph
    assert (KG.twinnedPlace, RDFS.label, None) in graph
    assert len(graph) > 400


def test_shapes_resolve(client: FlaskClient) -> None:
    graph = parse_text(fetch(client, "shapes", "text/turtle").text, "turtle")
    sh = "http://www.w3.org/ns/shacl#"
    assert (
        URIRef(BASE + "shapes#CityTwinningShape"),
        URIRef(sh + "targetClass"),
        KG.CityTwinning,
    ) in graph


def test_named_graph_iri_resolves(client: FlaskClient) -> None:
    r = fetch(client, "graph/gazetteer", "text/turtle")
    assert r.status_code == 200


# ----------------------------------------------------------------- 404, 406, 304


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        pytest.param("text/turtle", "text/turtle", id="turtle"),
        pytest.param("application/ld+json", "application/ld+json", id="jsonld"),
        pytest.param("text/html", "text/html", id="html"),
    ],
)
def test_unknown_iri_is_404_in_the_negotiated_format(
    client: FlaskClient, accept: str, media: str
) -> None:
    r = fetch(client, "city/atlantis", accept)
    assert r.status_code == 404
    assert r.headers["Content-Type"].split(";")[0] == media


def test_unacceptable_is_406_with_alternatives(client: FlaskClient) -> None:
    r = fetch(client, "city/khiva", "image/png")
    assert r.status_code == 406
    body = r.json
    assert "text/turtle" in body["offered"] and "text/html" in body["offered"]


def test_etag_and_304(client: FlaskClient) -> None:
    first = fetch(client, "city/khiva", "text/turtle")
    etag = first.headers["ETag"]
    assert first.headers["Last-Modified"]
    again = client.get("/city/khiva", headers={"Accept": "text/turtle", "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    since = client.get(
        "/city/khiva",
        headers={"Accept": "text/turtle", "If-Modified-Since": first.headers["Last-Modified"]},
    )
    assert since.status_code == 304
    other = fetch(client, "city/khiva", "application/ld+json")
    assert other.headers["ETag"] != etag  # one validator per representation


# ----------------------------------------------------------------- dumps and VoID


def test_dumps_are_listed_with_size_and_checksum(client: FlaskClient) -> None:
    page = fetch(client, "dumps/").text
    for name in ("cakg.ttl", "cakg.nt", "cakg.nq", "cakg.trig", "cakg.jsonld"):
        assert f'href="/dumps/{name}"' in page
    sums = fetch(client, "dumps/SHA256SUMS").text
    for line in sums.splitlines():
        digest, name = line.split("  ")
        body = fetch(client, f"dumps/{name}").data
        assert hashlib.sha256(body).hexdigest() == digest
        assert digest in page


@pytest.mark.parametrize(
    ("name", "rdflib_format"),
    [
        pytest.param("cakg.ttl", "turtle", id="turtle"),
        pytest.param("cakg.nt", "nt", id="ntriples"),
    ],
)
def test_dumps_parse(client: FlaskClient, name: str, rdflib_format: str) -> None:
    body = fetch(client, f"dumps/{name}").text
    graph = parse_text(body, rdflib_format)
    assert (URIRef(BASE + "city/khiva"), RDF.type, KG.City) in graph
    assert len(graph) > 4000


@pytest.mark.parametrize(
    ("name", "rdflib_format"),
    [("cakg.nq", "nquads"), ("cakg.trig", "trig"), ("cakg.jsonld", "json-ld")],
)
def test_quad_dumps_keep_the_named_graphs(
    client: FlaskClient, name: str, rdflib_format: str
) -> None:
    body = fetch(client, f"dumps/{name}").data
    dataset = Dataset()
    with quiet_rdflib_deprecations():
        dataset.parse(data=body, format=rdflib_format)
    names = {str(g.identifier) for g in dataset.graphs() if len(g)}
    assert BASE + "graph/001_827a15a1c1169bd2" in names


def test_void_describes_the_dataset(client: FlaskClient) -> None:
    r = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    graph = parse_text(r.text, "turtle")
    void = "http://rdfs.org/ns/void#"
    asked = graph.query(f"""PREFIX void: <{void}> PREFIX dcat: <http://www.w3.org/ns/dcat#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX iana: <https://www.iana.org/assignments/media-types/application/>
        ASK {{ ?d a void:Dataset, dcat:Dataset ; void:triples ?t ; void:entities ?e ;
              void:sparqlEndpoint <http://localhost/sparql> ; void:uriSpace "{BASE}" ;
              void:dataDump <http://localhost/dumps/cakg.nq> ; void:vocabulary ?v ;
              dcterms:source <{BASE}doc/003_74272806e3865168> ; dcterms:license ?l ;
              void:classPartition [ void:class <{KG.CityTwinning}> ; void:entities 4 ] ;
              void:propertyPartition [ void:property <{KG.twinnedPlace}> ; void:triples 8 ] ;
              dcat:distribution [ dcat:byteSize ?size ; dcat:mediaType iana:n-quads ] .
              FILTER(?t > 4000 && ?e > 300) }}""")
    assert asked.askAnswer


def test_void_in_jsonld(client: FlaskClient) -> None:
    r = client.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert r.headers["Content-Type"].startswith("application/ld+json")
    assert len(parse_text(r.text, "json-ld")) > 50


def test_descriptions_are_quick_enough_to_browse(server: LiveServer) -> None:
    """Not a benchmark: just that a page does not take seconds (bench/ measures)."""
    started = time.monotonic()
    for _ in range(5):
        page = requests.get(server.url + "/country/uz", headers={"Accept": "text/html"}, timeout=30)
        assert page.status_code == 200
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("media", ["text/turtle", "application/n-triples"])
@pytest.mark.parametrize("end", ["%0D", "%0A", "%0D%0A"])
def test_a_404_carries_no_triples_from_its_path(client: FlaskClient, media: str, end: str) -> None:
    """The 404 names the IRI in a comment; a line end in the path once ended the comment, and
    the rest of the path became triples in our answer (found by the hostile sweep)."""
    injected = "%3Chttp://e/s%3E%20%3Chttp://e/p%3E%20%3Chttp://e/o%3E%20.%20%23"
    r = client.get(f"/city/a{end}{injected}", headers={"Accept": media})
    assert r.status_code == 404
    if r.mimetype == media:  # else the service's JSON 404, which no RDF parser reads
        fmt = "nt" if "n-triples" in media else "turtle"
        assert len(Graph().parse(data=r.data, format=fmt)) == 0


def test_document_text_of_an_unknown_or_impossible_name_is_404(client: FlaskClient) -> None:
    for name in ("a" * 4000, "%E5%B8%82" * 500, "..%2F..%2Fetc%2Fpasswd", "missing"):
        assert client.get(f"/doc/{name}.txt").status_code == 404


def test_a_hash_in_the_path_stays_encoded_in_the_headers(client: FlaskClient) -> None:
    """`/city/a%23b` is the path `/city/a#b`: a bare `#` in Content-Location made `.ttl` a
    fragment, so the alternates named the wrong resource (found by the hostile sweep)."""
    r = client.get("/city/a%23b", headers={"Accept": "text/turtle"})
    # a 404 names no alternates now (the linked-data review); a document's path is encoded
    assert r.status_code == 404 and "Content-Location" not in r.headers
    assert "#" not in r.headers.get("Link", "")
    assert header_path("city/a#b") == "city/a%23b"


def test_the_void_description_is_built_once_and_the_cache_stays_bounded(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app()
    client = app.test_client()
    first = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    again = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert first.data == again.data and len(Graph().parse(data=first.data, format="turtle"))
    # a description per Host header: the cache must not grow with them (past its bound, not
    # 300 times: each description counts every graph, 47 s of CI)
    for i in range(MAX_CACHED + 16):
        client.get("/.well-known/void", headers={"Accept": "text/turtle", "Host": f"h{i}.example"})
    assert len(app.extensions["kg"].page_cache) <= MAX_CACHED


def test_only_the_current_versions_dumps_are_kept(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    """Issue 12, finding 7: a folder of dumps was written per data version and never removed.
    Another version's folder goes once it is a minute old (PRUNE_AFTER_S), not at once, since a
    server sharing the folder may still be sending it: tests/test_dumps.py shows that grace."""
    app = make_app(VAR_DIR=tmp_path, CURATOR_TOKENS="alice=tok-alice")
    client = app.test_client()
    turtle = {"Content-Type": "text/turtle", "Authorization": "Bearer tok-alice"}
    assert client.get("/dumps/cakg.nq", buffered=True).status_code == 200
    first = sorted((tmp_path / "dumps").iterdir())
    assert len(first) == 1
    old = time.time() - PRUNE_AFTER_S - 1
    os.utime(first[0], (old, old))
    assert (
        client.post("/submissions", data=event("dumped").encode(), headers=turtle).status_code
        == 201
    )
    assert b"event/dumped" in client.get("/dumps/cakg.nq", buffered=True).data
    second = sorted((tmp_path / "dumps").iterdir())
    assert len(second) == 1 and first != second


def test_every_kind_of_iri_the_graph_mints_dereferences(graph: Graph, client: FlaskClient) -> None:
    """Each namespace the data mints IRIs in answers at its IRIs: `/group/…` was once 404 (a
    hand-kept list of path segments had missed it) though pages linked to it."""
    base = "https://w3id.org/cakg/"
    first: dict[str, URIRef] = {}
    for subject in sorted(set(graph.subjects())):
        if isinstance(subject, URIRef) and str(subject).startswith(base):
            first.setdefault(str(subject)[len(base) :].split("/", 1)[0].split("#")[0], subject)
    assert "group" in first
    for segment, iri in first.items():
        path = "/" + str(iri)[len(base) :]
        for accept in ("text/turtle", "text/html"):
            r = client.get(path, headers={"Accept": accept})
            assert r.status_code == 200, (segment, path, accept, r.status_code)


def test_the_home_page_counts_the_triples_void_counts(client: FlaskClient) -> None:
    """The home page said 10,560 triples (the store's count per graph, a triple stated by two
    graphs counted twice) and VoID 10,537: two numbers for one thing. Both give the merge's."""
    void = Graph().parse(
        data=client.get("/.well-known/void", headers={"Accept": "text/turtle"}).data
    )
    declared = int(void.value(DATASET, URIRef("http://rdfs.org/ns/void#triples")))
    home = client.get("/", headers={"Accept": "text/html"}).text
    assert f"{declared} distinct triples in" in home
