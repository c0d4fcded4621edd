"""The embedded store: the built dataset plus accepted submissions, served by a query pool.

flaskr's ``db.py`` shape: :func:`init_app` wires the store into an app and views reach it
through :func:`get_store` (or the helpers below); views never open files themselves. The
store persists on disk: the build (``BUILD_DIR/cakg.nq``) and one file per submission
(``VAR_DIR/submissions``), so it survives restarts.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import Flask, current_app
from rdflib import Graph, URIRef

from . import formats
from .dataset import load_built, union, write
from .engine import QueryJob, QueryPool
from .errors import BuildError
from .submissions import SubmissionStore, graph_iri
from .validate import assemble_and_check


def dump_path(config: Any) -> Path:
    """The N-Quads dump the store serves, built from the sources if it is missing."""
    path = Path(config["BUILD_DIR"]) / "cakg.nq"
    if not path.exists():
        dataset, report = assemble_and_check(config)
        if not report.conforms:
            raise BuildError("the graph does not conform; run `kg build` to see the report")
        write(dataset, Path(config["BUILD_DIR"]))
    return path


class EmbeddedStore:
    """What the web layer reads and writes: the pool, the submissions, and their version."""

    def __init__(self, config: Any) -> None:
        self.config = config
        self.dump = dump_path(config)
        self.submissions = SubmissionStore(Path(config["VAR_DIR"]) / "submissions")
        self.pool = QueryPool(
            self.dump,
            size=int(config["QUERY_WORKERS"]),
            queue_timeout=float(config["QUEUE_TIMEOUT_S"]),
            submissions=self.submissions.folder,
        )
        self.write_lock = threading.Lock()  # one writer at a time: validate, then commit
        self._base_digest = _digest(self.dump)
        self._rdflib: Graph | None = None
        self.graphs: frozenset[str] = frozenset()
        self.triples = 0
        self.version = ""
        self.modified = datetime.now(UTC)

    def start(self) -> None:
        self.pool.start(wait=True)  # warm: the first query finds the data loaded
        self.refresh()

    def refresh(self) -> None:
        """Re-read what changed: the workers catch up, counts and validators move on."""
        self.pool.changed()
        manifest = self.submissions.manifest()
        self.version = hashlib.sha256((self._base_digest + repr(manifest)).encode()).hexdigest()
        newest = max([m for _, _, m in manifest] + [self.dump.stat().st_mtime_ns])
        self.modified = datetime.fromtimestamp(newest / 1e9, tz=UTC).replace(microsecond=0)
        self.graphs, self.triples = _inventory(self.pool)

    def graph(self) -> Graph:
        """The whole dataset as one rdflib graph, for validating additions in context."""
        if self._rdflib is None:
            built = load_built(self.dump.parent)
            graph = union(built) if built is not None else Graph()
            for submission_id in self.submissions.ids():
                graph += union(self.submissions.read(submission_id))
            self._rdflib = graph
        return self._rdflib

    def quads(self) -> list[ox.Quad]:
        """Every quad served: the build and the submissions (for the dumps)."""
        quads = list(ox.parse(path=str(self.dump), format=ox.RdfFormat.N_QUADS))
        for submission_id in self.submissions.ids():
            path = self.submissions.path(submission_id)
            quads += ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS)
        return quads

    def added(self, submission_id: str) -> None:
        if self._rdflib is not None:
            self._rdflib += self.submissions.read(submission_id).graph(
                URIRef(graph_iri(submission_id))
            )
        self.refresh()

    def removed(self, content: Graph) -> None:
        if self._rdflib is not None:
            self._rdflib -= content
        self.refresh()


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _inventory(pool: QueryPool) -> tuple[frozenset[str], int]:
    """Ask the store which named graphs it holds and how many triples."""
    job = QueryJob(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        accept={"solutions": formats.SPARQL_JSON, "graph": formats.TURTLE},
    )
    rows = json.loads(pool.run(job, timeout=60).body)["results"]["bindings"]
    graphs = frozenset(row["g"]["value"] for row in rows)
    return graphs, sum(int(row["n"]["value"]) for row in rows)


def open_store(config: Any) -> Any:
    """The store the settings name: a remote one (STORE_URL) or the embedded default."""
    if config["STORE_URL"]:
        from .remote import RemoteStore

        return RemoteStore(config)
    return EmbeddedStore(config)


def init_app(app: Flask) -> None:
    """Open the store for this app and stop its query processes when the process exits."""
    store = open_store(app.config)
    store.start()
    app.extensions["kg.store"] = store
    app.extensions["kg.pool"] = store.pool
    if isinstance(store, EmbeddedStore):
        atexit.register(store.pool.close)


def get_store() -> Any:
    """The app's store: EmbeddedStore or remote.RemoteStore, which answer alike."""
    return current_app.extensions["kg.store"]


def get_pool() -> Any:
    """What runs queries: the query pool, or the remote endpoint."""
    return get_store().pool


def get_pool_of(app: Flask) -> Any:
    return app.extensions["kg.store"].pool


def graph_names() -> frozenset[str]:
    """The named graphs of the served dataset."""
    graphs: frozenset[str] = get_store().graphs
    return graphs


def data_version() -> tuple[str, datetime]:
    """A hash that changes with the data (build and submissions), and when it last changed."""
    store = get_store()
    return store.version, store.modified
