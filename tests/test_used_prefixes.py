"""A graph answer in Turtle declares the prefixes it uses and no others (issue 15: a 5-triple
CONSTRUCT began with 33 unused ``@prefix`` lines).

The writer is shared by every store mode (`engine.graph_from_ntriples`); it is tested here on
its own, then through the endpoint of a live server in each mode.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from helpers import LiveServer, in_modes, mode_settings
from rdflib import Graph

from kg import formats
from kg.store.engine import BoundedWriter, QueryJob, graph_from_ntriples

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
KG = "https://w3id.org/cakg/"
_PREFIX_LINE = re.compile(r"^@prefix ([\w-]*): <[^>]*> \.$")


def declared(turtle: str) -> set[str]:
    return {m[1] for line in turtle.splitlines() if (m := _PREFIX_LINE.match(line))}


def used(turtle: str) -> set[str]:
    """The prefixes the body's prefixed names use (strings and IRIs left out)."""
    body = "\n".join(line for line in turtle.splitlines() if not _PREFIX_LINE.match(line))
    body = re.sub(r'"(?:[^"\\]|\\.)*"|<[^>]*>', " ", body)
    return set(re.findall(r"(?:^|[\s,;(\[^])([A-Za-z][\w-]*|):", body))


def write(ntriples: str) -> str:
    sink = BoundedWriter(1000, 1_000_000)
    sink.write(ntriples.encode())
    job = QueryJob(query="", accept={"solutions": formats.SPARQL_JSON, "graph": formats.TURTLE})
    return graph_from_ntriples(sink, job).body.decode()


CASES = [
    pytest.param(
        f"<{KG}country/kz> <{RDF}type> <{KG}ontology#Country> .\n",
        {"country", "kg"},
        id="type-is-written-a",
    ),
    pytest.param(
        f'<{KG}city/khiva> <{KG}ontology#population> "93000"^^<{XSD}integer> .\n'
        f'<{KG}city/khiva> <{KG}ontology#date> "2022"^^<{XSD}gYear> .\n',
        {"city", "kg", "xsd"},
        id="datatype-needs-xsd",
    ),
    pytest.param(
        f'<{KG}city/khiva> <{KG}ontology#population> "93000"^^<{XSD}integer> .\n'
        f'<{KG}city/khiva> <{KG}ontology#ok> "true"^^<{XSD}boolean> .\n'
        f'<{KG}city/khiva> <http://www.w3.org/2000/01/rdf-schema#label> "Khiva"@en .\n',
        {"city", "kg", "rdfs"},
        id="native-literals-need-no-xsd",
    ),
    pytest.param(
        f"<{KG}city/khiva> <{KG}ontology#sameAs> <{RDF}type> .\n",
        {"city", "kg", "rdf"},
        id="type-as-object-needs-rdf",
    ),
    pytest.param(
        f'<{KG}city/khiva> <{KG}ontology#n> "01.0"^^<{XSD}integer> .\n',
        {"city", "kg", "xsd"},
        id="non-native-integer-needs-xsd",
    ),
]


@pytest.mark.parametrize(("ntriples", "expected"), CASES)
def test_turtle_declares_exactly_the_prefixes_it_uses(ntriples: str, expected: set[str]) -> None:
    turtle = write(ntriples)
    assert declared(turtle) == expected, turtle
    assert used(turtle) == expected, turtle
    assert (
        Graph()
        .parse(data=turtle, format="turtle")
        .isomorphic(Graph().parse(data=ntriples, format="nt"))
    )


# ---------------------------------------------------------------- through the endpoint

pytest_generate_tests = in_modes("target", "embedded", "oxigraph")


@pytest.fixture(scope="module")
def target(
    request: pytest.FixtureRequest,
    built: Path,
    make_server: Callable[..., LiveServer],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LiveServer]:
    with mode_settings(str(request.param), built, tmp_path_factory) as store:
        server = make_server(VAR_DIR=tmp_path_factory.mktemp("prefix-var"), **store)
        try:
            yield server
        finally:
            server.stop()


COUNTRIES = "CONSTRUCT { ?c a kg:Country } WHERE { ?c a kg:Country }"


def test_a_construct_in_turtle_declares_only_what_it_uses(target: LiveServer) -> None:
    r = requests.post(
        target.endpoint, data={"query": COUNTRIES}, headers={"Accept": "text/turtle"}, timeout=60
    )
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/turtle")
    assert declared(r.text) == {"country", "kg"}, r.text
    assert len(Graph().parse(data=r.text, format="turtle")) == 4  # the four countries
