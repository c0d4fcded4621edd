"""The schema.org view the build derives for clients without a reasoner (issue #13)."""

from __future__ import annotations

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


@pytest.mark.parametrize(
    ("cls", "schema_cls"),
    [
        pytest.param(KG.City, "City", id="city"),
        pytest.param(KG.Country, "Country", id="country"),
        pytest.param(KG.Person, "Person", id="person"),
        pytest.param(KG.Organization, "Organization", id="organization"),
        pytest.param(KG.CulturalEvent, "Event", id="event"),
        pytest.param(KG.Region, "Place", id="region-place-through-kg-place"),
    ],
)
def test_every_instance_gets_its_schema_type(
    graph: Graph, derived: Graph, cls: URIRef, schema_cls: str
) -> None:
    instances = {s for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef)}
    assert instances
    typed = set(derived.subjects(RDF.type, URIRef(SCHEMA + schema_cls)))
    assert instances <= typed, instances - typed


@pytest.mark.parametrize(
    ("prop", "schema_prop"),
    [
        pytest.param(KG.startDate, "startDate", id="startDate"),
        pytest.param(KG.location, "location", id="location"),
        pytest.param(KG.country, "containedInPlace", id="country"),
    ],
)
def test_aligned_properties_are_stated(
    graph: Graph, derived: Graph, prop: URIRef, schema_prop: str
) -> None:
    ours = {(s, o) for s, o in graph.subject_objects(prop) if isinstance(s, URIRef)}
    assert ours
    theirs = set(derived.subject_objects(URIRef(SCHEMA + schema_prop)))
    assert ours <= theirs, ours - theirs


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
