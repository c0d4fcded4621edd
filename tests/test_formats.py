"""Content negotiation as a table: (Accept or format parameter, kind) -> media type or None."""

from __future__ import annotations

import pytest

from kg import formats as f

ACCEPT_CASES = [
    pytest.param(None, "solutions", f.SPARQL_JSON, id="no-accept-solutions"),
    pytest.param(None, "graph", f.TURTLE, id="no-accept-graph"),
    pytest.param("*/*", "solutions", f.SPARQL_JSON, id="any"),
    pytest.param("text/csv", "solutions", f.CSV, id="csv"),
    pytest.param("text/tab-separated-values", "solutions", f.TSV, id="tsv"),
    pytest.param("application/sparql-results+xml", "solutions", f.SPARQL_XML, id="xml"),
    pytest.param("application/json", "solutions", f.SPARQL_JSON, id="plain-json-alias"),
    pytest.param(
        "application/sparql-results+json,application/json,text/javascript,application/javascript",
        "solutions",
        f.SPARQL_JSON,
        id="sparqlwrapper-select",
    ),
    pytest.param(
        "text/csv;q=0.5, application/sparql-results+xml;q=0.9",
        "solutions",
        f.SPARQL_XML,
        id="q-values",
    ),
    pytest.param("text/csv;q=0.9, */*;q=0.1", "solutions", f.CSV, id="q-with-wildcard"),
    pytest.param("text/*", "solutions", f.CSV, id="text-wildcard"),
    pytest.param("image/png", "solutions", None, id="nothing-fits"),
    pytest.param("text/turtle", "solutions", None, id="turtle-for-select"),
    pytest.param("application/n-triples", "graph", f.NTRIPLES, id="ntriples"),
    pytest.param("application/ld+json", "graph", f.JSONLD, id="jsonld"),
    pytest.param("application/rdf+xml", "graph", f.RDFXML, id="rdfxml"),
    pytest.param("application/trig", "graph", f.TRIG, id="trig"),
    pytest.param("application/n-quads", "graph", f.NQUADS, id="nquads"),
    pytest.param("application/json", "graph", f.JSONLD, id="json-for-graph"),
    pytest.param(
        "text/turtle;q=0.2, application/ld+json;q=0.8", "graph", f.JSONLD, id="graph-q-values"
    ),
    pytest.param("text/csv", "graph", None, id="csv-for-graph"),
]


@pytest.mark.parametrize(("accept", "kind", "expected"), ACCEPT_CASES)
def test_choose(accept: str | None, kind: str, expected: str | None) -> None:
    assert f.choose(accept, kind) == expected


def test_html_is_chosen_only_when_offered() -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert f.choose(browser, "graph", extra=(f.HTML,)) == f.HTML
    assert f.choose(browser, "solutions") == f.SPARQL_XML


PARAM_CASES = [
    pytest.param(["json"], "solutions", f.SPARQL_JSON, id="json"),
    pytest.param(["csv"], "solutions", f.CSV, id="csv"),
    pytest.param(["tsv"], "solutions", f.TSV, id="tsv"),
    pytest.param(["xml"], "solutions", f.SPARQL_XML, id="xml"),
    pytest.param(["json", "json"], "solutions", f.SPARQL_JSON, id="repeated"),
    pytest.param(["unknown", "csv"], "solutions", f.CSV, id="skip-unknown"),
    pytest.param(["text/csv"], "solutions", f.CSV, id="mime"),
    pytest.param(["turtle"], "graph", f.TURTLE, id="turtle"),
    pytest.param(["json-ld"], "graph", f.JSONLD, id="json-ld"),
    pytest.param(["json"], "graph", f.JSONLD, id="json-means-json-ld-for-graphs"),
    pytest.param(["xml"], "graph", f.RDFXML, id="xml-means-rdfxml-for-graphs"),
    pytest.param(["nt"], "graph", f.NTRIPLES, id="nt"),
    pytest.param([], "solutions", None, id="none"),
    pytest.param(["bogus"], "graph", None, id="only-unknown"),
]


@pytest.mark.parametrize(("values", "kind", "expected"), PARAM_CASES)
def test_from_parameters(values: list[str], kind: str, expected: str | None) -> None:
    assert f.from_parameters(values, kind) == expected


def test_long_accept_headers_are_matched_but_not_kept() -> None:
    """Accept headers are matched once per header text (issue 16), but a header may be some
    300 KB: a client sending a thousand different ones must not make the web process keep them."""
    before = f._choose.cache_info().currsize
    padding = ", ".join(f"application/x-{i}" for i in range(2000))  # about 40 KB
    for i in range(50):
        accept = f"text/x-{i}, {padding}, application/sparql-results+json"
        assert f.choose(accept, "solutions") == "application/sparql-results+json"
    assert f._choose.cache_info().currsize - before == 0
    short = "application/sparql-results+xml;q=0.913"  # asked by no other test
    assert f.choose(short, "solutions") == "application/sparql-results+xml"
    assert f._choose.cache_info().currsize - before == 1
