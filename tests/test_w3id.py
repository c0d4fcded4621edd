"""The redirect rules docs/w3id.md gives for registering https://w3id.org/cakg/ (issue #13):
read from the document, applied to the IRIs the graph mints, and the target resolved on the
server (the test client stands in for the deployed host)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, URIRef

from kg.namespaces import BASE
from kg.web.linkeddata import MINTED

DOC = Path(__file__).parents[1] / "docs" / "w3id.md"
HOST = "https://cakg.example.org/"
BLOCK = re.search(r"```apache\n(.*?)```", DOC.read_text("utf-8"), re.S)
assert BLOCK is not None, "docs/w3id.md has no ```apache block"
HTACCESS = BLOCK[1]
RULES = re.findall(r"^RewriteRule\s+(\S+)\s+(\S+)\s+\[([^\]]*)\]", HTACCESS, re.M)


def rewrite(path: str) -> tuple[int, str]:
    """What Apache answers for a path below cakg/: the status and the Location."""
    for pattern, target, flags in RULES:
        if match := re.search(pattern, path):
            location = re.sub(r"\$(\d)", lambda m: match[int(m[1])], target)
            status = re.search(r"R=(\d{3})", flags)
            assert status is not None and "L" in flags.split(","), flags
            return int(status[1]), location
    raise AssertionError(f"no rule for {path!r}")


#: The first path segments of what we mint (kg.web.linkeddata.MINTED), but for curators,
#: whose IRIs exist only once a submission is accepted, and the graphs and shapes, whose
#: IRIs are named below.
SEGMENTS = sorted(MINTED - {"curator", "graph", "shapes"})


def first_iri(graph: Graph, segment: str) -> str:
    """The first IRI we mint under ``segment`` (``city`` gives a city)."""
    prefix = BASE + segment
    found = sorted(
        str(n)
        for t in graph
        for n in t
        if isinstance(n, URIRef) and re.match(re.escape(prefix) + r"([/#]|$)", str(n))
    )
    assert found, f"no IRI under {prefix}"
    return found[0]


def test_the_rules_turn_on_the_rewrite_engine() -> None:
    assert re.search(r"^RewriteEngine on$", HTACCESS, re.M)
    assert len(RULES) == 2


@pytest.mark.parametrize(
    ("path", "status", "location"),
    [
        pytest.param("city/khiva", 303, HOST + "city/khiva", id="entity"),
        pytest.param("city/khiva.ttl", 303, HOST + "city/khiva.ttl", id="extension"),
        pytest.param("ontology", 303, HOST + "ontology", id="ontology-hash-namespace"),
        pytest.param("", 303, HOST, id="the-base-itself"),
        pytest.param("sparql", 307, HOST + "sparql", id="sparql-keeps-post"),
    ],
)
def test_rewrite(path: str, status: int, location: str) -> None:
    assert rewrite(path) == (status, location)


def resolves(client: FlaskClient, iri: str) -> None:
    path = iri[len(BASE) :].split("#", 1)[0]  # a client never sends the fragment
    status, location = rewrite(path)
    assert (status, location) == (303, HOST + path)
    r = client.get("/" + location[len(HOST) :], headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/turtle")


@pytest.mark.parametrize("segment", SEGMENTS)
def test_every_kind_of_minted_iri_resolves_through_the_rules(
    graph: Graph, client: FlaskClient, segment: str
) -> None:
    resolves(client, first_iri(graph, segment))


@pytest.mark.parametrize(
    "rest",
    ["graph/gazetteer", "graph/schema-org", "graph/000_74681c818d2b02ab", "shapes#CityShape"],
)
def test_graphs_and_shapes_resolve_through_the_rules(client: FlaskClient, rest: str) -> None:
    resolves(client, BASE + rest)


def test_the_endpoint_answers_at_the_redirected_location(client: FlaskClient) -> None:
    _, location = rewrite("sparql")
    r = client.post(
        "/" + location[len(HOST) :],
        data={"query": "ASK { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert r.status_code == 200 and r.json["boolean"] is True


def test_the_readme_links_here() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text("utf-8")
    assert "(docs/w3id.md)" in readme
