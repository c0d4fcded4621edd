"""Assemble the ontology and the facts into one dataset, a named graph per source.

Layout (see docs/modelling.md): the ontology, the gazetteer of places (with the names in the
region's languages the build adds, :mod:`.labels`), the description of the sources, one graph
per source document, and the schema.org view the build derives (:mod:`.alignment`). The build
adds ``kg:year`` beside the dates it comes from.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV, XSD
from rdflib.term import Node

from ..errors import BuildError
from ..namespaces import (
    GAZETTEER_GRAPH,
    GRAPH,
    KG,
    ONTOLOGY_GRAPH,
    SHAPES_GRAPH,
    SOURCES_GRAPH,
    bind_prefixes,
)
from .alignment import SCHEMA_GRAPH, derive_schema
from .anchor import anchor_evidence, mint_roles
from .labels import place_labels
from .parsing import parse_file, quiet_rdflib_deprecations

DATE_PROPERTIES = (KG.date, KG.startDate, KG.endDate)
SPECIAL_FILES = {"places.ttl": GAZETTEER_GRAPH, "documents.ttl": SOURCES_GRAPH}


def source_files(
    data_dir: Path, ontology_dir: Path, shapes_dir: Path | None = None
) -> list[tuple[URIRef, Path]]:
    """Return (graph name, file) for every Turtle file the dataset is built from."""
    files = [(ONTOLOGY_GRAPH, path) for path in sorted(ontology_dir.glob("*.ttl"))]
    if shapes_dir is not None:
        files += [(SHAPES_GRAPH, path) for path in sorted(shapes_dir.glob("*.ttl"))]
    # Submissions exported by `kg export` keep their graph names, so a rebuild reproduces them.
    for path in sorted((data_dir / "submissions").glob("*.ttl")):
        files.append((URIRef(f"{GRAPH}submission/{path.stem}"), path))
    for path in sorted(data_dir.glob("*.ttl")):
        graph = SPECIAL_FILES.get(path.name)
        if graph is None:
            if not path.with_suffix(".txt").exists():
                raise BuildError(
                    f"{path}: a document's facts need its text beside them ({path.stem}.txt)"
                )
            graph = GRAPH[path.stem]
        files.append((graph, path))
    if not files:
        raise BuildError(f"no Turtle files in {ontology_dir} or {data_dir}")
    return files


def new_dataset() -> Dataset:
    """Return an empty dataset with the project's prefixes bound."""
    dataset = Dataset()
    bind_prefixes(dataset)
    return dataset


def assemble(data_dir: Path, ontology_dir: Path, shapes_dir: Path | None = None) -> Dataset:
    """Load every source file into its named graph and derive ``kg:year`` in each, the
    places' names in other languages in the gazetteer, and the schema.org view.

    In a document's graph, each quote is anchored in the text and its evidence node and the
    roles get their IRIs (:mod:`kg.graph.anchor`). The shapes, when given, are published too
    (their own graph), so their IRIs resolve.
    """
    dataset = new_dataset()
    texts = document_texts(data_dir)
    for name, path in source_files(data_dir, ontology_dir, shapes_dir):
        target = dataset.graph(name)
        for triple in parse_file(path):
            target.add(triple)
        if path.parent == data_dir and path.name not in SPECIAL_FILES:
            anchor_evidence(target, texts.get, str(path))
            mint_roles(target, str(path))
    # kg:year goes into the graph of the date it comes from: a blank node (a role) keeps its
    # identity only within its own graph, e.g. when a store loads graph by graph.
    for graph in list(dataset.graphs()):
        for triple in list(derive_years(graph)):
            graph.add(triple)
    gazetteer = dataset.graph(GAZETTEER_GRAPH)
    for triple in list(place_labels(gazetteer)):
        gazetteer.add(triple)
    schema = list(derive_schema(dataset))
    if schema:
        target = dataset.graph(SCHEMA_GRAPH)
        for triple in schema:
            target.add(triple)
    return dataset


def text_folders(data_dir: Path) -> tuple[Path, Path]:
    """Where the data's documents' texts are: the source documents' beside their facts, and
    those of documents registered on the review page, which `kg export` writes beside the
    submissions that cite them."""
    return data_dir, data_dir / "submissions"


def document_texts(data_dir: Path) -> dict[str, str]:
    """The text of every source document, by its local name (``001_…``)."""
    return {path.stem: path.read_text("utf-8") for path in sorted(data_dir.glob("*.txt"))}


def union(dataset: Dataset) -> Graph:
    """Return one graph holding the triples of every named graph."""
    graph = Graph()
    bind_prefixes(graph)
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def years_of(value: Literal) -> int | None:
    """Return the calendar year of an xsd:date, xsd:gYearMonth or xsd:gYear literal."""
    text = str(value)
    if value.datatype in (XSD.date, XSD.gYearMonth, XSD.gYear) and text[:4].isdigit():
        return int(text[:4])
    return None


def derive_years(graph: Graph) -> Iterable[tuple[URIRef, URIRef, Literal]]:
    """Yield ``kg:year`` for every year a dated resource touches, whatever the precision.

    A span from 2023 to 2025 touches 2023, 2024 and 2025, so "in year Y" is one triple
    pattern for day ranges, months and years alike.
    """
    spans: dict[URIRef, list[int]] = {}
    for prop in DATE_PROPERTIES:
        for subject, value in graph.subject_objects(prop):
            if isinstance(value, Literal) and (year := years_of(value)) is not None:
                spans.setdefault(subject, []).append(year)  # type: ignore[arg-type]
    for subject, years in spans.items():
        for year in range(min(years), max(years) + 1):
            yield subject, KG.year, Literal(year, datatype=XSD.integer)


def write(dataset: Dataset, build_dir: Path) -> list[Path]:
    """Write the dataset as TriG and N-Quads; return the files written."""
    build_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, fmt in (("cakg.trig", "trig"), ("cakg.nq", "nquads")):
        path = build_dir / name
        tmp = path.with_suffix(path.suffix + ".tmp")
        with quiet_rdflib_deprecations():
            dataset.serialize(destination=tmp, format=fmt, encoding="utf-8")
        tmp.replace(path)  # atomic: a reader never sees half a dump
        written.append(path)
    return written


def load_built(build_dir: Path) -> Dataset | None:
    """Return the dataset last written by `kg build`, or None if there is none."""
    path = build_dir / "cakg.nq"
    if not path.exists():
        return None
    dataset = new_dataset()
    with path.open("rb") as handle, quiet_rdflib_deprecations():
        dataset.parse(handle, format="nquads")
    return dataset


def strip_provenance(name: Node, graph: Graph) -> Graph:
    """The curator's triples of the submission graph `name`, without what the store added
    about it."""
    agent = graph.value(name, PROV.wasAttributedTo)
    out = bind_prefixes(Graph())
    for s, p, o in graph:
        if s != name and s != agent:
            out.add((s, p, o))
    return out
