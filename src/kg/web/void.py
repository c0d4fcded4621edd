"""The dataset's description (VoID and DCAT) at /.well-known/void, and its dumps.

https://www.w3.org/TR/void/ and https://www.w3.org/TR/vocab-dcat-3/ — counts come from the
store, dumps are written by Oxigraph from the served data the first time they are asked
for, per version of the data, with their size and SHA-256, by a process of their own
(kg.store.dumps).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, request, send_file
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, XSD

from .. import formats
from ..namespaces import BASE, DATASET, KG, ONTOLOGY, VOID
from ..store.dumps import DUMP_FORMATS, SUMS, Dump, write_dumps_from
from .documents import finish, negotiate, serialize
from .pages import conditional, html, select
from .state import cached, data_version, get_store

bp = Blueprint("void", __name__)

SPDX = Namespace("http://spdx.org/rdf/terms#")
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
DUMPS = {name: media for name, (_, media) in DUMP_FORMATS.items()}
VOCABULARIES = (
    str(KG),
    "https://schema.org/",
    "http://www.w3.org/2004/02/skos/core#",
    "http://purl.org/dc/terms/",
    "http://www.w3.org/ns/prov#",
    "http://www.w3.org/ns/oa#",
    "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "http://www.w3.org/ns/shacl#",
)


#: Where IANA lists media types: https://www.iana.org/assignments/media-types/text/turtle
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"


def dumps(version: str | None = None) -> list[Dump]:
    """The dumps (name, type, size, SHA-256) of `version`, or of the data's version now,
    written if no server has yet, by a process of their own from the store's N-Quads files."""
    version = version if version is not None else data_version()[0]
    return write_dumps_from(Path(current_app.config["VAR_DIR"]), version, get_store().nquads)


@bp.route("/dumps/")
@conditional
def dump_index() -> Response:
    return html("dumps.html", dumps=dumps())


@bp.route("/dumps/<name>")
def dump(name: str) -> Response:
    if name not in DUMPS and name != SUMS:
        abort(404)
    media = DUMPS.get(name, "text/plain")
    folder = dumps()[0].folder
    try:
        response = send_file(folder / name, mimetype=media, conditional=True, etag=True)
    except FileNotFoundError:  # pruned between the listing and the opening: written afresh
        folder = dumps()[0].folder
        response = send_file(folder / name, mimetype=media, conditional=True, etag=True)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def description(root: str) -> Graph:
    """VoID and DCAT for the dataset, with URLs on this server."""
    g = Graph()
    for prefix, ns in (("void", VOID), ("dcat", DCAT), ("dcterms", DCTERMS), ("spdx", SPDX)):
        g.bind(prefix, ns)
    g.add((DATASET, RDF.type, VOID.Dataset))
    g.add((DATASET, RDF.type, DCAT.Dataset))
    g.add(
        (
            DATASET,
            DCTERMS.title,
            Literal("Central Asia – Japan cultural cooperation knowledge graph", lang="en"),
        )
    )
    g.add(
        (
            DATASET,
            DCTERMS.description,
            Literal(
                "Cultural and humanitarian cooperation between Uzbekistan, Kazakhstan, "
                "Kyrgyzstan and Japan, from five source documents; every fact carries a "
                "verbatim quote.",
                lang="en",
            ),
        )
    )
    g.add((DATASET, DCTERMS.license, LICENSE))
    inventory = get_store().inventory()  # one look: on a remote store, a round trip
    g.add((DATASET, OWL.versionInfo, Literal(inventory.version[:16])))
    modified = inventory.modified.isoformat()
    g.add((DATASET, DCTERMS.modified, Literal(modified, datatype=XSD.dateTime)))
    g.add((DATASET, VOID.sparqlEndpoint, URIRef(root + "sparql")))
    g.add((DATASET, VOID.uriSpace, Literal(BASE)))
    g.add((DATASET, VOID.rootResource, ONTOLOGY))
    for vocabulary in VOCABULARIES:
        g.add((DATASET, VOID.vocabulary, URIRef(vocabulary)))
    for row in select("SELECT ?d WHERE { ?d a kg:Document }"):
        g.add((DATASET, DCTERMS.source, URIRef(row["d"])))
    g.add((DATASET, VOID.triples, Literal(inventory.triples)))  # in the merge: each once
    entities = select(
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o "
        f'FILTER STRSTARTS(STR(?s), "{BASE}") }}'
    )
    g.add((DATASET, VOID.entities, Literal(int(entities[0]["n"]))))
    for row in select("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c"):
        part = BNode()
        g.add((DATASET, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(row["c"])))
        g.add((part, VOID.entities, Literal(int(row["n"]))))
    for row in select("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p"):
        part = BNode()
        g.add((DATASET, VOID.propertyPartition, part))
        g.add((part, VOID.property, URIRef(row["p"])))
        g.add((part, VOID.triples, Literal(int(row["n"]))))
    for name in sorted(inventory.graphs):
        g.add((DATASET, VOID.subset, URIRef(name)))
    for item in dumps(inventory.version):
        url = URIRef(root + "dumps/" + item.name)
        g.add((DATASET, VOID.dataDump, url))
        dist = BNode()
        g.add((DATASET, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCAT.downloadURL, url))
        # DCAT's range is dct:MediaType, named by its IANA IRI
        g.add((dist, DCAT.mediaType, URIRef(IANA_MEDIA_TYPES + item.media)))
        g.add((dist, DCAT.byteSize, Literal(item.size, datatype=XSD.nonNegativeInteger)))
        checksum = BNode()
        g.add((dist, SPDX.checksum, checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, Literal(item.sha256, datatype=XSD.hexBinary)))
    service = URIRef(root + "sparql")
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCAT.endpointURL, service))
    g.add((service, DCAT.servesDataset, DATASET))
    return g


@bp.route("/dataset")
def dataset() -> Response:
    """The dataset's own IRI (https://w3id.org/cakg/dataset): 303 to its description, as a
    thing that is not a document is dereferenced (W3C, Cool URIs for the Semantic Web)."""
    # only a format the description has is passed on: any other text of the client's would
    # be echoed in a header (a huge one made waitress close the connection without a word)
    named = request.args.get("format", "")
    known = bool(named) and formats.from_parameters((named,), "resource") is not None
    response = Response(status=303)
    query = f"?{urlencode({'format': named})}" if known else ""
    response.headers["Location"] = "/.well-known/void" + query
    return response


@bp.route("/.well-known/void")
def void() -> Response:
    media = negotiate(".well-known/void", None, text_too=False)
    if media == formats.HTML:
        media = formats.TURTLE  # the dataset is described for machines; people read "/"
    root = request.host_url
    # built once per version of the data (it counts every graph), per host and format
    body = cached(f"void {root} {media}", lambda: serialize(description(root), media))
    response = Response(body, mimetype=media)
    response.headers["Access-Control-Allow-Origin"] = "*"
    # one address, negotiated: there is no /.well-known/void.ttl to name
    return finish(response, ".well-known/void", media, linked=False)
