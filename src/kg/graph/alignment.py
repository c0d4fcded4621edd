"""Derive the schema.org view of the facts, for clients that have no reasoner.

The ontology aligns its classes and properties with schema.org (https://schema.org/) by
``rdfs:subClassOf`` and ``rdfs:subPropertyOf``. A client that asks for ``schema:Person`` or
``schema:startDate`` would need RDFS entailment (https://www.w3.org/TR/rdf11-mt/#rdfs-entailment)
to find ours; the build states them instead, in a graph of their own
(``graph:schema-org``), as it states ``kg:year``. Only resources with IRIs are derived: a blank
node (a role, a quote) keeps its identity only within its own graph, as when a store loads
graph by graph. Curators' submissions are not derived (see :func:`derive_schema`).
"""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from ..namespaces import ONTOLOGY_GRAPH, SCHEMA_GRAPH, SHAPES_GRAPH, SUBMISSION_GRAPHS

SCHEMA = "https://schema.org/"

__all__ = ["SCHEMA_GRAPH", "derive_schema", "schema_supers"]


def schema_supers(ontology: Graph, relation: URIRef) -> dict[Node, set[URIRef]]:
    """Map each term of the ontology to the schema.org terms above it by ``relation``
    (``rdfs:subClassOf`` or ``rdfs:subPropertyOf``), followed transitively."""
    supers: dict[Node, set[URIRef]] = {}
    for term in set(ontology.subjects(relation, None)):
        if not isinstance(term, URIRef):
            continue
        above = {
            t
            for t in ontology.transitive_objects(term, relation)
            if isinstance(t, URIRef) and str(t).startswith(SCHEMA)
        }
        if above:
            supers[term] = above
    return supers


def derive_schema(dataset: Dataset) -> Iterator[tuple[URIRef, Node, Node]]:
    """Yield ``rdf:type`` and property triples in schema.org terms for every fact with an IRI."""
    ontology = dataset.graph(ONTOLOGY_GRAPH)
    classes = schema_supers(ontology, RDFS.subClassOf)
    properties = schema_supers(ontology, RDFS.subPropertyOf)
    skip = {ONTOLOGY_GRAPH, SHAPES_GRAPH, SCHEMA_GRAPH}
    seen: set[tuple[URIRef, Node, Node]] = set()
    for graph in list(dataset.graphs()):
        # A submission is served as the curator sent it, before any build: rebuilding after
        # `kg export` must give the graph that was served, so submissions are not derived.
        if graph.identifier in skip or str(graph.identifier).startswith(SUBMISSION_GRAPHS):
            continue
        for s, p, o in graph:
            if not isinstance(s, URIRef) or isinstance(o, BNode):
                continue
            derived: list[tuple[URIRef, Node, Node]]
            if p == RDF.type:
                derived = [(s, RDF.type, cls) for cls in classes.get(o, set())]
            else:
                derived = [(s, prop, o) for prop in properties.get(p, set())]
            for triple in derived:
                if triple not in seen:
                    seen.add(triple)
                    yield triple
