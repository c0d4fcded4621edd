"""A large description as RDF (the benchmark's generated data, where /country/jp has hundreds
of links to it): each format says exactly what the store's DESCRIBE does, and a named graph
as Turtle exactly what the graph holds. JSON-LD is compacted with our context up to
JSONLD_COMPACT_TRIPLES triples, and beyond it is expanded JSON-LD of the same triples."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
import pytest
import requests
from flask import Flask
from helpers import LiveServer

from kg import formats
from kg.config import SETTINGS
from kg.errors import NotAcceptable
from kg.namespaces import BASE, PREFIXES
from kg.store.interface import DESCRIBE, sparql_iri
from kg.web.documents import serialize_ntriples

JAPAN = BASE + "country/jp"
JSONLD_COMPACT_TRIPLES = next(s.default for s in SETTINGS if s.name == "JSONLD_COMPACT_TRIPLES")
RDF_FORMATS = [
    pytest.param(formats.TURTLE, ox.RdfFormat.TURTLE, id="turtle"),
    pytest.param(formats.NTRIPLES, ox.RdfFormat.N_TRIPLES, id="ntriples"),
    pytest.param(formats.RDFXML, ox.RdfFormat.RDF_XML, id="rdfxml"),
    pytest.param(formats.JSONLD, ox.RdfFormat.JSON_LD, id="jsonld"),
]


def construct(server: LiveServer, query: str) -> list[ox.Triple]:
    """The triples a CONSTRUCT answers at the endpoint, our prefixes declared."""
    declared = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())
    answer = requests.post(
        server.endpoint,
        data={"query": declared + query},
        headers={"Accept": formats.NTRIPLES},
        timeout=60,
    )
    answer.raise_for_status()
    return list(ox.parse(answer.content, format=ox.RdfFormat.N_TRIPLES))


def canonical(triples: Any) -> set[ox.Quad]:
    """The triples with their blank nodes named canonically: two answers of the same graph
    name their blank nodes apart."""
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


def fetch(server: LiveServer, path: str, media: str) -> requests.Response:
    response = requests.get(f"{server.url}/{path}", headers={"Accept": media}, timeout=60)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["Content-Type"].split(";")[0] == media
    return response


@pytest.fixture(scope="module")
def described(large_server: LiveServer) -> list[ox.Triple]:
    return construct(large_server, DESCRIBE.replace("?x", sparql_iri(JAPAN)))


@pytest.mark.parametrize(("media", "syntax"), RDF_FORMATS)
def test_a_large_description_says_what_describe_does_in_every_format(
    large_server: LiveServer, described: list[ox.Triple], media: str, syntax: ox.RdfFormat
) -> None:
    """Written with pyoxigraph from the store's N-Triples: the same triples, none lost."""
    response = fetch(large_server, "country/jp", media)
    triples = list(ox.parse(response.content, format=syntax))
    assert len(triples) == len(described)
    assert canonical(triples) == canonical(described)


def test_a_large_description_as_turtle_declares_only_the_prefixes_it_uses(
    large_server: LiveServer,
) -> None:
    """Turtle names things by our prefixes, and declares none it does not use (issue 15)."""
    text = fetch(large_server, "country/jp", formats.TURTLE).text
    declared = [line.split()[1] for line in text.splitlines() if line.startswith("@prefix")]
    assert "country:" in declared and "kg:" in declared
    body = "\n".join(line for line in text.splitlines() if not line.startswith("@prefix"))
    assert "country:jp" in body
    for name in declared:
        assert name in body, name


def test_a_large_description_as_rdf_xml_declares_only_the_namespaces_it_uses(
    large_server: LiveServer,
) -> None:
    text = fetch(large_server, "country/jp", formats.RDFXML).text
    root = text[text.index("<rdf:RDF") : text.index(">", text.index("<rdf:RDF"))]
    declared = [name for name in PREFIXES if f" xmlns:{name}=" in root]
    assert "kg" in declared and "rdfs" in declared
    assert "shape" not in declared and "sh" not in declared
    body = text[len(root) :]
    for name in declared:
        assert f"{name}:" in body, name


def test_json_ld_beyond_the_threshold_is_expanded(
    large_server: LiveServer, described: list[ox.Triple]
) -> None:
    """Compacting 2,000 triples and more with rdflib held the web process for seconds (8.7 s
    at 1M quads): beyond JSONLD_COMPACT_TRIPLES the answer is expanded JSON-LD, no context."""
    assert len(described) > JSONLD_COMPACT_TRIPLES  # what the test is about
    body = fetch(large_server, "country/jp", formats.JSONLD).json()
    assert isinstance(body, list)
    assert all("@context" not in node for node in body)
    assert any(node.get("@id") == JAPAN for node in body)


def test_json_ld_up_to_the_threshold_is_compacted_with_our_context(
    large_server: LiveServer,
) -> None:
    """A description of a few triples stays compacted with our prefixes, as before."""
    person = BASE + "person/pe-000042"
    small = construct(large_server, DESCRIBE.replace("?x", sparql_iri(person)))
    assert 0 < len(small) <= JSONLD_COMPACT_TRIPLES
    response = fetch(large_server, "person/pe-000042", formats.JSONLD)
    body = response.json()
    assert isinstance(body, dict) and body["@context"]["kg"] == PREFIXES["kg"]
    back = ox.parse(response.content, format=ox.RdfFormat.JSON_LD)
    assert canonical(back) == canonical(small)


def test_a_named_graph_as_turtle_is_what_the_graph_holds(large_server: LiveServer) -> None:
    rows = requests.post(
        large_server.endpoint,
        data={
            "query": 'SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER STRSTARTS(STR(?g), "'
            + BASE
            + 'graph/") } ORDER BY ?g LIMIT 1'
        },
        headers={"Accept": formats.SPARQL_JSON},
        timeout=60,
    ).json()["results"]["bindings"]
    name = rows[0]["g"]["value"]
    held = construct(
        large_server, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"
    )
    response = fetch(large_server, name[len(BASE) :], formats.TURTLE)
    assert canonical(ox.parse(response.content, format=ox.RdfFormat.TURTLE)) == canonical(held)


def test_rdf_xml_refuses_a_predicate_it_cannot_write(app: Flask) -> None:
    """RDF/XML cannot split `http://example.org/p/` into a namespace and a name: pyoxigraph
    wrote `<oxprefix:>`, which no XML parser reads. The answer is a 406 naming other formats."""
    data = b'<https://w3id.org/cakg/org/x> <http://example.org/p/> "1" .\n'
    with app.test_request_context("/org/x"), pytest.raises(NotAcceptable) as refused:
        serialize_ntriples(data, formats.RDFXML)
    assert "rdf+xml" in refused.value.message
    with app.test_request_context("/org/x"):
        assert serialize_ntriples(data, formats.TURTLE)
        written = serialize_ntriples(data.replace(b"/p/", b"/p/name"), formats.RDFXML)
    assert [t.predicate.value for t in ox.parse(written, format=ox.RdfFormat.RDF_XML)] == [
        "http://example.org/p/name"
    ]


def test_turtle_keeps_every_prefix_its_names_use(app: Flask) -> None:
    """Unused @prefix lines are dropped by looking for names in the text: a datatype after
    `^^` (xsd:gYear) was missed once, and the Turtle did not parse."""
    kg, xsd = PREFIXES["kg"], PREFIXES["xsd"]
    data = (
        f'<{BASE}event/e> <{kg}year> "2022"^^<{xsd}gYear> .\n'
        f"<{BASE}event/e> <{kg}evidence> _:b .\n"
        f"_:b <{kg}source> <{BASE}doc/d> .\n"
        f"<{BASE}event/e> <{kg}location> <{BASE}city/a> , <{BASE}city/b> .\n"
    ).encode()
    data = data.replace(b" , ", b" .\n<" + f"{BASE}event/e> <{kg}location> ".encode())
    with app.test_request_context("/event/e"):
        turtle = serialize_ntriples(data, formats.TURTLE)
    triples = ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
    assert canonical(ox.parse(turtle, format=ox.RdfFormat.TURTLE)) == canonical(triples)
    declared = {line.split()[1] for line in turtle.decode().splitlines() if "@prefix" in line}
    assert declared == {"kg:", "xsd:", "event:", "doc:", "city:"}
