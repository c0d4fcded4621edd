"""The schema.org view the build derives for clients without a reasoner (issue #13)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.graph.alignment import derive_schema
from kg.namespaces import KG, ONTOLOGY_GRAPH, SCHEMA_GRAPH, SUBMISSION_GRAPHS

SCHEMA = "https://schema.org/"


@pytest.fixture(scope="module")
def derived(dataset: Dataset) -> Graph:
    return dataset.graph(SCHEMA_GRAPH)


@pytest.mark.parametrize("name", ["Person", "Organization", "City", "Country"])
def test_classes_are_subclasses_not_equivalents(dataset: Dataset, name: str) -> None:
    """Any schema:Person is not a person named in these documents."""
    ontology = dataset.graph(ONTOLOGY_GRAPH)
    assert (KG[name], RDFS.subClassOf, URIRef(SCHEMA + name)) in ontology
    assert (KG[name], OWL.equivalentClass, URIRef(SCHEMA + name)) not in ontology


#: Our classes, and the schema.org class the build gives each instance, by test id.
CLASSES = {
    "city": (KG.City, "City"),
    "country": (KG.Country, "Country"),
    "person": (KG.Person, "Person"),
    "organization": (KG.Organization, "Organization"),
    "event": (KG.CulturalEvent, "Event"),
    "region-place-through-kg-place": (KG.Region, "Place"),
}
#: Our properties, and the schema.org property the build states each statement with, by test id.
PROPERTIES = {
    "startDate": (KG.startDate, "startDate"),
    "location": (KG.location, "location"),
    "country": (KG.country, "containedInPlace"),
}


def aligned(table: dict[str, tuple[URIRef, str]]) -> list[Any]:
    return [
        pytest.param(ours, URIRef(SCHEMA + theirs), id=name)
        for name, (ours, theirs) in table.items()
    ]


def assert_derived(ours: set[Any], theirs: set[Any]) -> None:
    """Every fact of ours, of which there are some, is in the derived graph too."""
    assert ours
    assert ours <= theirs, ours - theirs


@pytest.mark.parametrize(("cls", "schema_cls"), aligned(CLASSES))
def test_every_instance_gets_its_schema_type(
    graph: Graph, derived: Graph, cls: URIRef, schema_cls: URIRef
) -> None:
    instances = {s for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef)}
    assert_derived(instances, set(derived.subjects(RDF.type, schema_cls)))


@pytest.mark.parametrize(("prop", "schema_prop"), aligned(PROPERTIES))
def test_aligned_properties_are_stated(
    graph: Graph, derived: Graph, prop: URIRef, schema_prop: URIRef
) -> None:
    ours = {(s, o) for s, o in graph.subject_objects(prop) if isinstance(s, URIRef)}
    assert_derived(ours, set(derived.subject_objects(schema_prop)))


def test_only_schema_terms_and_no_blank_nodes(derived: Graph) -> None:
    for s, p, o in derived:
        assert not isinstance(s, BNode) and not isinstance(o, BNode)
        assert str(p).startswith(SCHEMA) or (p == RDF.type and str(o).startswith(SCHEMA))


def test_the_derived_graph_is_served(client: FlaskClient) -> None:
    r = client.get("/graph/schema-org", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    served = Graph().parse(data=r.text, format="turtle")
    tokyo = URIRef("https://w3id.org/cakg/city/tokyo")
    assert (tokyo, RDF.type, URIRef(SCHEMA + "City")) in served


def test_submissions_are_not_derived(dataset: Dataset) -> None:
    """A rebuild after `kg export` must give the graph that was served (test_export)."""
    copy = Dataset()
    ontology = copy.graph(ONTOLOGY_GRAPH)
    for triple in dataset.graph(ONTOLOGY_GRAPH):
        ontology.add(triple)
    event = URIRef("https://w3id.org/cakg/event/submitted")
    copy.graph(URIRef(SUBMISSION_GRAPHS + "x")).add((event, RDF.type, KG.CulturalEvent))
    assert list(derive_schema(copy)) == []
