"""Validating only what a change can affect gives the report a validation of everything gives.

:mod:`kg.graph.reach` reads from the shapes which statements a focus node's validation can
read; an addition or a removal is then judged on the nodes it can affect alone. These tests
compare that report with the full one: on every example of ``tests/shapes`` added to its
context (each violating example's results, some on nodes of the context), and on statements
taken out of and put into the built graph.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg.errors import ShapeLoadError
from kg.graph.parsing import parse_file
from kg.graph.reach import Reach
from kg.graph.report import Report
from kg.graph.validate import validate
from kg.namespaces import KG

EXAMPLES = Path(__file__).parent / "shapes"
SH = "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .\n"
EX = "https://example.org/"


def results(report: Report) -> set[tuple[str | None, ...]]:
    return {(r.severity, r.focus_node, r.path, r.value, r.message, r.shape) for r in report.results}


def same_report(graph: Graph, changed: list[Any], shapes: Graph, folder: Path) -> set[Any]:
    """Assert that the focused report is the full one; return its results."""
    reach = Reach.of(shapes)
    assert reach is not None
    full = results(validate(graph, shapes, folder))
    focused = results(validate(graph, shapes, folder, changed=(reach, changed)))
    assert focused == full, (
        f"only in the full report: {full - focused}; only in the focused one: {focused - full}"
    )
    return full


@pytest.fixture(scope="module")
def context(settings: dict[str, Any]) -> Graph:
    """What the shapes' examples are validated with (as in test_shapes)."""
    graph = Graph()
    for folder, name in (
        ("ONTOLOGY_DIR", "cakg.ttl"),
        ("DATA_DIR", "places.ttl"),
        ("DATA_DIR", "documents.ttl"),
    ):
        graph += parse_file(settings[folder] / name)
    return graph


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.ttl")))
def test_every_example_of_the_shapes_gets_the_same_report(
    example: str, context: Graph, shapes: Graph, settings: dict[str, Any]
) -> None:
    addition = parse_file(EXAMPLES / example)
    found = same_report(context + addition, list(addition), shapes, settings["DATA_DIR"])
    assert bool(found) == example.endswith("_XFAIL.ttl")


@pytest.fixture(scope="module")
def document(context: Graph, settings: dict[str, Any]) -> Graph:
    """The facts of the first document, in their context: a graph that conforms, small
    enough to validate whole a few times."""
    return context + parse_file(settings["DATA_DIR"] / "000_74681c818d2b02ab.ttl")


def test_statements_taken_from_and_put_into_a_document(
    document: Graph, shapes: Graph, settings: dict[str, Any]
) -> None:
    """Single statements taken out (a quote, a type, a participation's link to its owner),
    and statements put in that break a node stored before: a second English label, and a
    sub-event chain that comes back to where it started."""
    graph = document
    assert not validate(graph, shapes, settings["DATA_DIR"]).results
    rng = random.Random(7)
    statements = sorted(graph)
    taken = rng.sample(statements, 4)
    taken += [next(iter(graph.triples((None, KG.participation, None))))]
    taken += [next(iter(graph.triples((None, KG.quote, None))))]
    broke = 0
    for triple in taken:
        smaller = Graph()
        for t in graph:
            if t != triple:
                smaller.add(t)
        broke += bool(same_report(smaller, [triple], shapes, settings["DATA_DIR"]))
    event, other = sorted(graph.subjects(RDF.type, KG.CulturalEvent))[:2]
    put = [
        [(event, RDFS.label, Literal("once more", lang="en"))],
        [(event, KG.subEventOf, other), (other, KG.subEventOf, event)],
    ]
    for added in put:
        larger = Graph()
        for t in (*graph, *added):
            larger.add(t)
        assert same_report(larger, added, shapes, settings["DATA_DIR"])
    assert broke >= 2  # the participation and the quote, at least


def test_a_stored_quote_is_judged_with_its_node_only(
    document: Graph, shapes: Graph, settings: dict[str, Any]
) -> None:
    """The quote checks read the whole graph on every write: a stored quote whose document's
    text had gone (its file removed by an operator) was reported on every curator's addition,
    about a node the addition could not affect. Now, as the shapes' results, the quote checks
    count on the nodes the change can affect; the change that touches that node still sees it."""
    reach = Reach.of(shapes)
    assert reach is not None
    event = sorted(document.subjects(RDF.type, KG.CulturalEvent))[0]
    ghost = URIRef("https://w3id.org/cakg/doc/ghost")
    evidence = next(document.objects(event, KG.evidence))
    graph = Graph()
    for t in document:
        graph.add((t[0], t[1], ghost) if t == (evidence, KG.source, t[2]) else t)
    graph += [(ghost, RDF.type, KG.Document), (ghost, KG.fileName, Literal("ghost.txt"))]
    whole = validate(graph, shapes, settings["DATA_DIR"])
    assert any("ghost" in r.message for r in whole.results)
    other = next(e for e in sorted(document.subjects(RDF.type, KG.CulturalEvent)) if e != event)
    label = (other, RDFS.label, Literal("noch einmal", lang="de"))
    graph.add(label)
    elsewhere = validate(graph, shapes, settings["DATA_DIR"], changed=(reach, [label]))
    assert not any("ghost" in r.message for r in elsewhere.results)
    graph.remove(label)
    label = (event, RDFS.label, Literal("noch einmal", lang="de"))
    graph.add(label)
    there = validate(graph, shapes, settings["DATA_DIR"], changed=(reach, [label]))
    assert any("ghost" in r.message for r in there.results)


@pytest.mark.parametrize(
    "shape",
    [
        # a SPARQL pattern not joined to $this: it reads statements anywhere
        """ex:s a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select
            "SELECT $this WHERE { ?a <https://example.org/p> ?b }" ] .""",
        # a variable predicate
        """ex:s a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select
            "SELECT $this WHERE { $this ?p ?o }" ] .""",
        # a shape that refers back to itself
        """ex:s a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:p ; sh:node ex:s ] .""",
        # a negated property set
        """ex:s a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select
            "SELECT $this WHERE { $this !<https://example.org/p> ?o }" ] .""",
    ],
)
def test_shapes_whose_reach_is_not_bounded_are_validated_whole(shape: str) -> None:
    assert Reach.of(Graph().parse(data=SH + shape, format="turtle")) is None


def test_the_reach_follows_inverse_and_repeated_paths() -> None:
    shapes = Graph().parse(
        data=SH
        + """ex:s a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path [ sh:inversePath ex:owns ] ; sh:class ex:Owner ] ;
            sh:property [ sh:path [ sh:zeroOrMorePath ex:partOf ] ; sh:minCount 1 ] .""",
        format="turtle",
    )
    reach = Reach.of(shapes)
    assert reach is not None
    ex = "https://example.org/"
    assert (URIRef(ex + "owns"), True) in reach.steps
    assert (URIRef(ex + "partOf"), False) in reach.free
    data = Graph()
    chain = [URIRef(f"{ex}n{i}") for i in range(6)]
    for a, b in zip(chain, chain[1:], strict=False):
        data.add((a, URIRef(ex + "partOf"), b))
    data.add((chain[0], RDF.type, URIRef(ex + "C")))
    changed = [(chain[-1], RDFS.label, Literal("end"))]
    data.add(changed[0])
    nodes, read = reach.focus(data, changed)
    assert chain[0] in nodes  # five free steps away: still reached
    assert (chain[0], RDF.type, URIRef(ex + "C")) in read


def _changed_far_away(shapes: str, data: str, change: str, tmp_path: Path) -> None:
    """A change far from the node whose verdict it changes: the focused report must find
    that node's violation, as the full one does."""
    shapes_graph = Graph().parse(data=SH + shapes, format="turtle")
    graph = Graph().parse(data=SH + data, format="turtle")
    changed = list(Graph().parse(data=SH + change, format="turtle"))
    assert not same_report(graph, [], shapes_graph, tmp_path)  # it conformed
    for triple in changed:
        graph.remove(triple)
    found = same_report(graph, changed, shapes_graph, tmp_path)
    assert {f for _, f, *_ in found} == {EX + "f"}


def test_a_change_read_through_an_inverse_path_reaches_its_focus_node(tmp_path: Path) -> None:
    """`f` needs its value to be owned by someone: taking away the owner's statement (whose
    subject is the owner, not f or its value) breaks f."""
    _changed_far_away(
        """ex:s a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:has ;
            sh:node [ sh:property [ sh:path [ sh:inversePath ex:owns ] ; sh:minCount 1 ] ] ] .""",
        "ex:f a ex:C ; ex:has ex:v . ex:owner ex:owns ex:v .",
        "ex:owner ex:owns ex:v .",
        tmp_path,
    )


def test_a_change_at_the_end_of_a_long_path_reaches_its_focus_node(tmp_path: Path) -> None:
    """Three steps and a class check away: the type of the last node is taken away."""
    _changed_far_away(
        """ex:s a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ( ex:a ex:b ex:c ) ; sh:class ex:End ] .""",
        "ex:f a ex:C ; ex:a ex:x . ex:x ex:b ex:y . ex:y ex:c ex:z . ex:z a ex:End .",
        "ex:z a ex:End .",
        tmp_path,
    )


def test_a_change_read_by_a_sparql_constraint_reaches_its_focus_node(tmp_path: Path) -> None:
    _changed_far_away(
        """ex:s a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select \"\"\"
            SELECT $this WHERE { $this <https://example.org/a> ?x . ?x <https://example.org/b> ?y .
                FILTER NOT EXISTS { ?y <https://example.org/ok> true } }\"\"\" ] .""",
        "ex:f a ex:C ; ex:a ex:x . ex:x ex:b ex:y . ex:y ex:ok true .",
        "ex:y ex:ok true .",
        tmp_path,
    )


# A review of the analysis (an attacker's reading): each case below gave a focused report
# other than the full one, or made Reach.of raise. Each shapes graph conforms before the
# change; the reports must agree (or Reach.of must decline, and every node is judged).
U = "https://example.org/"
REVIEW_CASES = {
    "a duplicate reached through a literal": (
        f"""ex:s a sh:NodeShape ; sh:targetClass ex:Doc ; sh:sparql [ sh:select
        '''SELECT $this ?other WHERE {{ $this <{U}name> ?n . ?other <{U}name> ?n .
            FILTER (?other != $this) }}''' ] .""",
        'ex:d1 a ex:Doc ; ex:name "a.txt" . ex:d2 a ex:Doc ; ex:name "b.txt" .',
        'ex:d3 a ex:Doc ; ex:name "a.txt" .',
        False,
    ),
    "a duplicate reached through a path back from a literal": (
        """ex:s a sh:NodeShape ; sh:targetClass ex:Doc ;
        sh:property [ sh:path ( ex:name [ sh:inversePath ex:name ] ) ; sh:maxCount 1 ] .""",
        'ex:d1 a ex:Doc ; ex:name "a.txt" . ex:d2 a ex:Doc ; ex:name "b.txt" .',
        'ex:d3 a ex:Doc ; ex:name "a.txt" .',
        False,
    ),
    "a SPARQL chain through blank nodes": (
        f"""ex:s a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select
        '''SELECT $this WHERE {{ FILTER NOT EXISTS {{ $this <{U}a> [ <{U}b> [ <{U}c> <{U}Ok> ] ]
            }} }}''' ] .""",
        "ex:f a ex:C ; ex:a ex:x . ex:x ex:b ex:y . ex:y ex:c ex:Ok .",
        "ex:y ex:c ex:Ok .",
        True,
    ),
    "a UNION branch not joined to $this": (
        f"""ex:s a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select
        '''SELECT $this WHERE {{ {{ $this <{U}location> ?place }} UNION
            {{ ?org <{U}inCity> ?place }} ?place <{U}closed> true }}''' ] .""",
        "ex:f a ex:C ; ex:location ex:p1 . ex:o ex:inCity ex:p2 .",
        "ex:p2 ex:closed true .",
        False,
    ),
    "two FILTER EXISTS that share no variable": (
        f"""ex:s a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select
        '''SELECT $this WHERE {{ FILTER EXISTS {{ $this <{U}p> ?x }}
            FILTER EXISTS {{ ?x <{U}flag> <{U}Bad> }} }}''' ] .""",
        "ex:f a ex:C ; ex:p ex:y .",
        "ex:z ex:flag ex:Bad .",
        False,
    ),
    "a shape that is its class's own": (
        """ex:C a rdfs:Class, sh:NodeShape ; sh:property [ sh:path ex:p ; sh:class ex:D ] .""",
        "ex:f a ex:C ; ex:p ex:v . ex:v a ex:D .",
        "ex:v a ex:D .",
        True,
    ),
    "a SPARQL-based constraint component": (
        f"""ex:Owned a sh:ConstraintComponent ; sh:parameter [ sh:path ex:ownerClass ] ;
        sh:nodeValidator [ a sh:SPARQLSelectValidator ; sh:select
            '''SELECT $this WHERE {{ FILTER NOT EXISTS {{
                ?o <{U}owns> $this . ?o a $ownerClass }} }}'''
        ] .
        ex:s a sh:NodeShape ; sh:targetClass ex:C ; ex:ownerClass ex:Owner .""",
        "ex:f a ex:C . ex:o ex:owns ex:f . ex:o a ex:Owner .",
        "ex:o a ex:Owner .",
        True,
    ),
    "sh:closed on a value node, under sh:not": (
        """ex:s a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:has ;
        sh:not [ sh:closed true ; sh:ignoredProperties ( rdf:type ) ] ] .""",
        'ex:f a ex:C ; ex:has ex:v . ex:v ex:name "v" .',
        'ex:f rdfs:label "f" .',
        False,
    ),
    "a sibling's qualified shape, disjoint": (
        """ex:s a sh:NodeShape ; sh:targetClass ex:C ;
        sh:property [ sh:path ( ex:a ex:b ex:c ) ; sh:qualifiedValueShape [ sh:nodeKind sh:IRI ] ;
            sh:qualifiedMinCount 1 ; sh:qualifiedValueShapesDisjoint true ] ;
        sh:property [ sh:path ex:d ; sh:qualifiedValueShape [ sh:property [
            sh:path ( ex:e ex:f ex:g ) ; sh:minCount 1 ] ] ; sh:qualifiedMaxCount 5 ;
            sh:qualifiedValueShapesDisjoint true ] .""",
        "ex:f a ex:C ; ex:a ex:x ; ex:d ex:v . ex:x ex:b ex:y . ex:y ex:c ex:v . "
        "ex:v ex:e ex:p1 . ex:p1 ex:f ex:q1 .",
        "ex:q1 ex:g ex:r1 .",
        False,
    ),
    "a shape without a path, targeted through a new subclass": (
        "ex:s a sh:NodeShape ; sh:targetClass ex:C ; sh:nodeKind sh:BlankNode .",
        "ex:x a ex:A .",
        "ex:A rdfs:subClassOf ex:C .",
        False,
    ),
}
#: changes that break nothing: the focused report found a violation all the same
HARMLESS = {"sh:closed on a value node, under sh:not"}
PREFIXED = (
    "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .\n"
    "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
)


@pytest.mark.parametrize("case", sorted(REVIEW_CASES))
def test_what_the_review_found_gets_the_full_report(case: str, tmp_path: Path) -> None:
    shapes_ttl, data_ttl, change_ttl, taken = REVIEW_CASES[case]
    shapes = Graph().parse(data=PREFIXED + shapes_ttl, format="turtle")
    graph = Graph().parse(data=PREFIXED + data_ttl, format="turtle")
    changed = list(Graph().parse(data=PREFIXED + change_ttl, format="turtle"))
    assert not results(validate(graph, shapes, tmp_path))  # it conformed
    for triple in changed:
        (graph.remove if taken else graph.add)(triple)
    full = results(validate(graph, shapes, tmp_path))
    assert full or case in HARMLESS  # the change breaks something
    focused = results(validate(graph, shapes, tmp_path, changed=(Reach.of(shapes), changed)))
    assert focused == full


def test_a_query_the_analysis_cannot_read_is_validated_whole() -> None:
    """A prefix pySHACL finds elsewhere (here: none declared) made Reach.of raise."""
    shapes = Graph().parse(
        data=SH + "ex:s a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select "
        '"SELECT $this WHERE { $this ex:a ?x }" ] .',
        format="turtle",
    )
    assert Reach.of(shapes) is None


def test_shapes_pyshacl_cannot_run_are_named_not_a_crash(tmp_path: Path) -> None:
    """pySHACL refuses a SPARQL constraint with MINUS and gives its failure where the report
    would be: validate() failed reading it (AttributeError), a 500 for the curator."""
    shapes = Graph().parse(
        data=SH + "ex:s a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select "
        '"SELECT $this WHERE { $this <https://example.org/p> ?x '
        'MINUS { ?x <https://example.org/q> ?y } }" ] .',
        format="turtle",
    )
    data = Graph().parse(data=SH + "ex:f a ex:C ; ex:p ex:x .", format="turtle")
    with pytest.raises(ShapeLoadError, match="the shapes cannot be run"):
        validate(data, shapes, tmp_path)
