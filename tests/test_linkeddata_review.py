"""Issue 16, a review of the linked-data layer: what a consumer or an attacker could meet that
nobody had tried. Each test failed before its fix."""

from __future__ import annotations

import re
import sys
import threading

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import XSD, Graph, Literal, URIRef

from kg import formats
from kg.errors import NotAcceptable
from kg.graph.parsing import parse_text
from kg.web.documents import serialize
from kg.web.state import cached

OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
GEO_LAT = "http://www.w3.org/2003/01/geo/wgs84_pos#lat"


@pytest.mark.parametrize("accept", ["text/turtle", "application/ld+json", "application/n-triples"])
def test_every_address_the_dataset_description_names_answers(
    client: FlaskClient, accept: str
) -> None:
    """It named /.well-known/void.jsonld and the like, which were 404: rdflib's JSON-LD
    parser follows that Link and failed."""
    response = client.get("/.well-known/void", headers={"Accept": accept})
    assert response.status_code == 200
    named = re.findall(r"<([^>]+)>", response.headers.get("Link", ""))
    named += (
        [response.headers["Content-Location"]] if "Content-Location" in response.headers else []
    )
    for address in named:
        assert client.get(address).status_code == 200, address


def test_cross_origin_answers_do_not_depend_on_the_origin(client: FlaskClient) -> None:
    """The Origin was echoed without `Vary: Origin`: a shared cache could give one site's
    copy to another's script, which the browser then blocks. The data is public: `*`."""
    for path in ("/city/khiva", "/sparql?query=ASK%7B%7D", "/health"):
        response = client.get(path, headers={"Origin": "http://a.example"})
        assert response.headers["Access-Control-Allow-Origin"] == "*", path


def test_an_unknown_iri_stays_404_when_asked_conditionally(client: FlaskClient) -> None:
    """Preconditions apply to 2xx answers only (RFC 9110, 13.2.1): a 404 became a 304."""
    known = client.get("/city/khiva", headers={"Accept": "text/turtle"})
    for headers in (
        {"If-None-Match": "*"},
        {"If-Modified-Since": known.headers["Last-Modified"]},
    ):
        response = client.get("/city/no-such-city", headers={"Accept": "text/turtle", **headers})
        assert response.status_code == 404
        assert "Link" not in response.headers and "Content-Location" not in response.headers


def test_a_graph_a_format_cannot_hold_is_refused_in_words(app: Flask) -> None:
    """RDF/XML cannot write a predicate it cannot split into a namespace and a name
    (`http://example.org/p/`): one submitted triple made its object's page a 500."""
    graph = Graph()
    graph.add((URIRef("https://w3id.org/cakg/org/x"), URIRef("http://example.org/p/"), Literal(1)))
    with app.test_request_context("/org/x"), pytest.raises(NotAcceptable) as refused:
        serialize(graph, formats.RDFXML)
    assert "RDF/XML" in refused.value.message or "rdf+xml" in refused.value.message
    assert serialize(graph, formats.TURTLE)


def test_the_page_cache_is_safe_across_threads(app: Flask) -> None:
    """Eight threads filling the cache raised `dictionary changed size during iteration`."""
    failures: list[BaseException] = []

    def fill(offset: int) -> None:
        with app.app_context():
            try:
                for n in range(400):
                    assert cached(f"k{offset}-{n}", lambda n=n: n) == n
            except BaseException as exc:  # noqa: BLE001 — any failure is the finding
                failures.append(exc)

    threads = [threading.Thread(target=fill, args=(i,)) for i in range(8)]
    switching = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns as often as they can: races show
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(switching)
    assert failures == []


@pytest.mark.parametrize("path", ["/", "/dumps/", "/timeline", "/map"])
def test_a_page_answers_its_own_validators_with_304(client: FlaskClient, path: str) -> None:
    """The pages sent an ETag and Last-Modified and answered every conditional request in
    full."""
    first = client.get(path, headers={"Accept": "text/html"})
    assert first.status_code == 200 and first.headers.get("ETag")
    again = client.get(
        path, headers={"Accept": "text/html", "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304


def test_the_dataset_iri_dereferences_to_its_description(client: FlaskClient) -> None:
    """The description's subject, https://w3id.org/cakg/dataset, was a 404 in every format."""
    response = client.get("/dataset", headers={"Accept": "text/turtle"}, follow_redirects=True)
    assert response.status_code == 200, response.text
    graph = Graph().parse(data=response.data, format="turtle")
    assert (URIRef("https://w3id.org/cakg/dataset"), None, None) in graph


def test_an_iri_of_ours_with_a_double_slash_is_no_off_site_link() -> None:
    """`https://w3id.org/cakg//evil.example/x` became href="//evil.example/x": a link that
    looks local and leads to another site."""
    from kg.web.describe import link_for

    href = link_for("https://w3id.org/cakg//evil.example/x")
    assert not href.startswith("//")
    assert link_for("https://w3id.org/cakg/city/khiva") == "/city/khiva"


def test_a_distribution_names_its_media_type_as_dcat_asks(client: FlaskClient) -> None:
    """dcat:mediaType was a plain string; DCAT's range is dct:MediaType, named by its IANA IRI."""
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.text, format="turtle")
    types = set(graph.objects(None, URIRef("http://www.w3.org/ns/dcat#mediaType")))
    assert types and all(isinstance(t, URIRef) for t in types), types
    iana = "https://www.iana.org/assignments/media-types/application/n-quads"
    assert URIRef(iana) in types


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        ("/city/khiva", "application/n-triples;q=0, text/plain"),
        ("/sparql?query=ASK%7B%7D", "text/tab-separated-values;q=0, text/plain"),
    ],
)
def test_an_alias_does_not_bring_back_a_type_the_client_refused(
    client: FlaskClient, path: str, accept: str
) -> None:
    """text/plain stands for N-Triples (or TSV); sent beside an explicit q=0 for that very type,
    it overrode the refusal. A client that refuses a type never gets it."""
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == 406, response.headers.get("Content-Type")


@pytest.mark.parametrize("iri", ["geo:41.3,69.2", "doc:weird", "urn:isbn:0451450523"])
def test_an_iri_whose_scheme_is_a_prefix_of_the_context_round_trips(app: Flask, iri: str) -> None:
    """The JSON-LD context's prefixes double as URI schemes: `geo:41.3,69.2` (RFC 5870) was
    written as it is and read back as a wgs84_pos term. A prefix that is the scheme of an IRI
    of the document is left out of its context."""
    city, graph = URIRef("https://w3id.org/cakg/city/x"), Graph()
    graph.add((city, URIRef(OWL_SAME_AS), URIRef(iri)))
    graph.add((city, URIRef(GEO_LAT), Literal("41.3", datatype=XSD.decimal)))
    with app.test_request_context("/city/x"):
        data = serialize(graph, formats.JSONLD)
    back = parse_text(data.decode(), "json-ld")
    assert set(back) == set(graph)


def test_a_named_graphs_page_lists_what_the_graph_says(client: FlaskClient) -> None:
    """A named graph's HTML page showed only the graph's name: a reader could not see what
    the document's graph holds without downloading it. It lists the things the graph
    describes, with their names and classes, linked to their pages, and says how many."""
    page = client.get("/graph/000_74681c818d2b02ab", headers={"Accept": "text/html"})
    assert page.status_code == 200
    html = page.text
    turtle = client.get("/graph/000_74681c818d2b02ab", headers={"Accept": "text/turtle"})
    described = {
        s
        for s in Graph().parse(data=turtle.text, format="turtle").subjects()
        if isinstance(s, URIRef)
    }
    assert f"about {len(described)} things" in html
    base = "https://w3id.org/cakg/"
    for thing in described:
        assert f'href="/{thing[len(base) :]}"' in html, thing
    assert "Cultural event" in html
    # each thing is one line, its name then its classes: a role's "role in / date" box made
    # its class fall to the next line
    listing = html.split('<ul class="contents">', 1)[1].split("</ul>", 1)[0]
    assert '<dl class="nested">' not in listing
