"""The namespaces and graph names of the knowledge graph."""

from rdflib import Graph, Namespace, URIRef

BASE = "https://w3id.org/cakg/"
KG = Namespace(BASE + "ontology#")
ONTOLOGY = URIRef(BASE + "ontology")
DOC = Namespace(BASE + "doc/")
GRAPH = Namespace(BASE + "graph/")
STATUS = Namespace(BASE + "vocab/status/")
ETYPE = Namespace(BASE + "vocab/event-type/")
SH = Namespace("http://www.w3.org/ns/shacl#")
#: The W3C Web Annotation vocabulary: https://www.w3.org/TR/annotation-vocab/
OA = Namespace("http://www.w3.org/ns/oa#")
#: Evidence nodes, minted by the build from document and offsets (docs/modelling.md).
EVIDENCE = Namespace(BASE + "evidence/")
#: Roles of persons, minted by the build from person, role name and date.
ROLE = Namespace(BASE + "role/")
VOID = Namespace("http://rdfs.org/ns/void#")
#: The schema.org terms the build derives from ours (graph:schema-org, for clients without a
#: reasoner): pages show ours only, as the derived ones would repeat them.
SCHEMA = "https://schema.org/"

#: The dataset as a whole (VoID, DCAT, and the version a remote store keeps).
DATASET = URIRef(BASE + "dataset")

ONTOLOGY_GRAPH = GRAPH.ontology
GAZETTEER_GRAPH = GRAPH.gazetteer
SOURCES_GRAPH = GRAPH.sources
SHAPES_GRAPH = GRAPH.shapes
#: The schema.org types and properties the build derives from the ontology's alignment.
SCHEMA_GRAPH = GRAPH["schema-org"]
#: The service's own bookkeeping in a remote store (the data version), never served as data.
SERVICE_GRAPH = GRAPH.service
#: In a remote store, the RDF merge of the data graphs (each triple once), kept by every
#: write: the default graph of queries, as the embedded store keeps it in its default graph.
MERGE_GRAPH = GRAPH.merge
SUBMISSION_GRAPHS = BASE + "graph/submission/"

PREFIXES: dict[str, str] = {
    "kg": str(KG),
    "country": BASE + "country/",
    "region": BASE + "region/",
    "city": BASE + "city/",
    "venue": BASE + "venue/",
    "person": BASE + "person/",
    "group": BASE + "group/",
    "org": BASE + "org/",
    "event": BASE + "event/",
    "series": BASE + "series/",
    "plan": BASE + "plan/",
    "agreement": BASE + "agreement/",
    "twinning": BASE + "twinning/",
    "award": BASE + "award/",
    "stat": BASE + "stat/",
    "work": BASE + "work/",
    "doc": str(DOC),
    "evidence": str(EVIDENCE),
    "role": str(ROLE),
    "rule": BASE + "vocab/derivation-rule/",
    "measure": BASE + "vocab/measure/",
    "status": str(STATUS),
    "etype": str(ETYPE),
    "atype": BASE + "vocab/agreement-type/",
    "qual": BASE + "vocab/qualifier/",
    "graph": str(GRAPH),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "prov": "http://www.w3.org/ns/prov#",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "sh": str(SH),
    "oa": str(OA),
    "shape": BASE + "shapes#",
}

#: The first path segment of every IRI the data mints: its namespaces under BASE.
MINTED: frozenset[str] = frozenset(
    iri[len(BASE) :].split("/", 1)[0]
    for iri in PREFIXES.values()
    if iri.startswith(BASE) and iri[len(BASE) :].endswith("/")
)


def bind_prefixes(graph: Graph) -> Graph:
    """Bind our prefixes, replacing rdflib's defaults (rdflib binds ``geo`` to GeoSPARQL)."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph
