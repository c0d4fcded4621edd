"""``kg build``: assemble the sources, validate them, and write the dataset the stores serve."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph

from ..namespaces import ONTOLOGY_GRAPH, SCHEMA_GRAPH, SHAPES_GRAPH, SUBMISSION_GRAPHS
from .dataset import assemble, strip_provenance, text_folders, union, write
from .report import Report
from .support import Unsupported, check_dataset
from .validate import load_shapes, validate
from .vocabulary import Vocabulary

DUMP_NAME = "cakg.nq"


def dump_file(settings: Mapping[str, Any]) -> Path:
    """Where the build writes the N-Quads dump that the embedded store loads."""
    return Path(settings["BUILD_DIR"]) / DUMP_NAME


@dataclass
class Build:
    """The outcome of a build: the dataset, its report, and the files written (if it conforms)."""

    dataset: Dataset
    report: Report
    written: list[Path] = field(default_factory=list)
    #: Values no quote of their fact names: derived by a stated rule, or unexplained.
    support: list[Unsupported] = field(default_factory=list)

    @property
    def statements(self) -> int:
        """Graph by graph: a triple two graphs state counts twice."""
        return sum(1 for _ in self.dataset.quads((None, None, None, None)))

    @property
    def triples(self) -> int:
        """In the merge, as VoID and /health count them."""
        return len({(s, p, o) for s, p, o, _ in self.dataset.quads((None, None, None, None))})

    @property
    def graphs(self) -> int:
        return sum(1 for g in self.dataset.graphs() if len(g))


def assemble_and_check(settings: Mapping[str, Any]) -> tuple[Dataset, Report]:
    """Assemble the dataset from its files and validate it: what `kg build` does before writing."""
    dataset = assemble(
        Path(settings["DATA_DIR"]), Path(settings["ONTOLOGY_DIR"]), Path(settings["SHAPES_DIR"])
    )
    shapes = load_shapes(Path(settings["SHAPES_DIR"]))
    report = validate(
        union(dataset),
        shapes,
        *text_folders(Path(settings["DATA_DIR"])),
        new=curated(dataset),
        vocabulary=Vocabulary.of(dataset.graph(ONTOLOGY_GRAPH), shapes),
        building=True,
    )
    return dataset, report


def curated(dataset: Dataset) -> Graph:
    """The statements curators wrote: every graph but the ontology, the shapes and what the
    build derives from them, without the provenance the store adds to a submission."""
    skip = {ONTOLOGY_GRAPH, SHAPES_GRAPH, SCHEMA_GRAPH}
    statements = Graph()
    for graph in dataset.graphs():
        name = graph.identifier
        if name in skip:
            continue
        if str(name).startswith(SUBMISSION_GRAPHS):
            graph = strip_provenance(name, graph)
        for triple in graph:
            statements.add(triple)
    return statements


def build(settings: Mapping[str, Any]) -> Build:
    """Assemble and validate; write TriG and N-Quads only if the graph conforms."""
    dataset, report = assemble_and_check(settings)
    outcome = Build(dataset, report, support=check_dataset(dataset))
    if report.conforms:
        outcome.written = write(dataset, Path(settings["BUILD_DIR"]))
    return outcome
