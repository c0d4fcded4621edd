"""Evidence anchored in its document, and roles named, by the build (issue 13).

https://www.w3.org/TR/annotation-model/#selectors — each quote becomes
``evidence:<doc>/<start>-<end>`` with a TextQuoteSelector and a TextPositionSelector whose
offsets (code points, end exclusive) select the quote; the IRI dereferences like any other.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from markupsafe import escape
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF

from kg.errors import BuildError
from kg.graph.anchor import locate
from kg.graph.dataset import assemble
from kg.graph.parsing import parse_text
from kg.graph.validate import check_offsets
from kg.namespaces import KG, OA, ROLE

EVIDENCE_IRI = re.compile(r"https://w3id\.org/cakg/evidence/(\d{3}_[0-9a-f]{16})/(\d+)-(\d+)")
LAZGI = URIRef("https://w3id.org/cakg/event/lazgi-festival-2022")


@pytest.mark.parametrize(
    ("text", "quote", "prefix", "suffix", "start"),
    [
        pytest.param("a cat sat", "cat", None, None, 2, id="once"),
        pytest.param("a cat sat", "dog", None, None, -1, id="absent"),
        pytest.param("x — “y”", "“y”", None, None, 4, id="code-points-not-bytes"),
        pytest.param("cat, cat!", "cat", None, "!", 5, id="suffix-decides"),
        pytest.param("a cat, the cat", "cat", "the ", None, 11, id="prefix-decides"),
        pytest.param("cat, cat", "cat", "dog", None, -1, id="prefix-matches-none"),
    ],
)
def test_locate(text: str, quote: str, prefix: str | None, suffix: str | None, start: int) -> None:
    assert locate(text, quote, prefix, suffix) == start


def test_an_ambiguous_quote_names_its_offsets() -> None:
    with pytest.raises(BuildError, match=r"occurs 2 times \(at offsets 0, 5\).*oa:prefix"):
        locate("cat, cat", "cat")


def test_the_build_refuses_an_ambiguous_quote(tmp_path: Path, settings: dict[str, Any]) -> None:
    data = tmp_path / "data"
    shutil.copytree(settings["DATA_DIR"], data)
    facts = data / "003_74272806e3865168.ttl"
    text = facts.read_text("utf-8")
    facts.write_text(re.sub(r' ;\n\s*<http://www.w3.org/ns/oa#suffix> "[^"]*"', "", text), "utf-8")
    with pytest.raises(BuildError, match=r"003_74272806e3865168\.ttl: the quote .* occurs 2 times"):
        assemble(data, settings["ONTOLOGY_DIR"])


def test_every_evidence_node_is_anchored(graph: Graph) -> None:
    nodes = set(graph.objects(None, KG.evidence))
    assert [n for n in nodes if not EVIDENCE_IRI.fullmatch(str(n))] == []
    assert len(nodes) > 250


def test_every_position_selects_the_quote(graph: Graph, settings: dict[str, Any]) -> None:
    """The offsets check, by hand: the document's text sliced at the offsets is the quote."""
    texts = {p.stem: p.read_text("utf-8") for p in settings["DATA_DIR"].glob("*.txt")}
    for evidence in set(graph.objects(None, KG.evidence)):
        doc, start, end = EVIDENCE_IRI.fullmatch(str(evidence)).groups()  # type: ignore[union-attr]
        selectors = list(graph.objects(evidence, OA.hasSelector))
        position = next(s for s in selectors if (s, RDF.type, OA.TextPositionSelector) in graph)
        quote = next(s for s in selectors if (s, RDF.type, OA.TextQuoteSelector) in graph)
        offsets = (graph.value(position, OA.start), graph.value(position, OA.end))
        assert [int(o) for o in offsets] == [int(start), int(end)]  # type: ignore[call-overload]
        exact = texts[doc][int(start) : int(end)]
        assert str(graph.value(evidence, KG.quote)) == exact == str(graph.value(quote, OA.exact))
        assert texts[doc][: int(start)].endswith(str(graph.value(quote, OA.prefix)))
        assert texts[doc][int(end) :].startswith(str(graph.value(quote, OA.suffix)))


def test_the_offsets_check_passes_on_the_built_graph(
    graph: Graph, settings: dict[str, Any]
) -> None:
    assert check_offsets(graph, settings["DATA_DIR"]) == []


def test_every_role_has_an_iri(graph: Graph) -> None:
    roles = set(graph.objects(None, KG.role))
    assert [r for r in roles if isinstance(r, BNode) or not str(r).startswith(ROLE)] == []
    assert URIRef(ROLE + "o-nazarbekov/minister-of-culture-and-tourism-2023-06") in roles


def local(iri: URIRef) -> str:
    return str(iri).replace("https://w3id.org/cakg", "")


def _lazgi_evidence(graph: Graph) -> URIRef:
    return sorted(graph.objects(LAZGI, KG.evidence))[0]  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        pytest.param("text/turtle", "turtle", id="turtle"),
        pytest.param("application/ld+json", "json-ld", id="jsonld"),
    ],
)
def test_evidence_iri_dereferences(
    client: FlaskClient, graph: Graph, accept: str, rdflib_format: str
) -> None:
    evidence = _lazgi_evidence(graph)
    response = client.get(local(evidence), headers={"Accept": accept})
    assert response.status_code == 200
    described = parse_text(response.get_data(as_text=True), rdflib_format)
    assert (evidence, RDF.type, OA.SpecificResource) in described
    assert (evidence, KG.quote, graph.value(evidence, KG.quote)) in described
    assert (LAZGI, KG.evidence, evidence) in described
    assert len(list(described.objects(evidence, OA.hasSelector))) == 2
    assert (None, OA.start, None) in described


def test_evidence_page_shows_the_quote_in_place(client: FlaskClient, graph: Graph) -> None:
    evidence = _lazgi_evidence(graph)
    response = client.get(local(evidence), headers={"Accept": "text/html"})
    assert response.status_code == 200
    selector = next(
        s for s in graph.objects(evidence, OA.hasSelector) if (s, OA.exact, None) in graph
    )
    prefix, exact, suffix = (
        str(graph.value(selector, p)) for p in (OA.prefix, OA.exact, OA.suffix)
    )
    in_place = f"…{escape(prefix)}<mark>{escape(exact)}</mark>{escape(suffix)}…"
    assert in_place in response.get_data(as_text=True)


def test_a_fact_page_links_its_quotes_to_cite(client: FlaskClient, graph: Graph) -> None:
    html = client.get("/event/lazgi-festival-2022", headers={"Accept": "text/html"}).get_data(
        as_text=True
    )
    assert f'href="{local(_lazgi_evidence(graph))}" rel="bookmark">cite this quote' in html


def test_a_fact_still_shows_its_quote(client: FlaskClient, graph: Graph) -> None:
    response = client.get("/event/lazgi-festival-2022", headers={"Accept": "text/turtle"})
    described = parse_text(response.get_data(as_text=True), "turtle")
    evidence = _lazgi_evidence(graph)
    assert (evidence, KG.quote, graph.value(evidence, KG.quote)) in described
    assert (evidence, KG.source, None) in described
