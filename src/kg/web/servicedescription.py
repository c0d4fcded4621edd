"""The SPARQL 1.1 Service Description of the endpoint: https://www.w3.org/TR/sparql11-service-description/"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from .. import formats
from ..namespaces import PREFIXES, VOID

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")

RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
    "TriG",
    "N-Quads",
)
RDFLIB_FORMAT = formats.RDFLIB_FORMAT


def service_description(endpoint: str, graphs: list[str], media_type: str) -> bytes:
    """Describe the endpoint at its real URL, with its formats, features and graphs."""
    g = Graph()
    g.bind("sd", SD)
    g.bind("void", VOID)
    g.bind("graph", PREFIXES["graph"])
    service = URIRef(endpoint)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    for name in RESULT_FORMATS:
        g.add((service, SD.resultFormat, FORMATS[name]))
    dataset = BNode()
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    default = BNode()
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    for name in graphs:
        named = BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(name)))
    g.add(
        (
            service,
            URIRef("http://purl.org/dc/terms/title"),
            Literal("Central Asia – Japan cultural cooperation knowledge graph", lang="en"),
        )
    )
    data = g.serialize(format=RDFLIB_FORMAT[media_type], encoding="utf-8")
    return data if isinstance(data, bytes) else data.encode("utf-8")
