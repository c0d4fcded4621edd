"""The embedded store: the built dataset, served by a pool of query processes.

flaskr's ``db.py`` shape: :func:`init_app` wires the store into an app, :func:`get_pool`
gives views the query pool. Views never open files themselves.
"""

from __future__ import annotations

import atexit
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from . import formats
from .dataset import assemble, union, write
from .engine import QueryJob, QueryPool
from .errors import BuildError
from .validate import load_shapes, validate


def dump_path(config: Any) -> Path:
    """The N-Quads dump the store serves, built from the sources if it is missing."""
    path = Path(config["BUILD_DIR"]) / "cakg.nq"
    if not path.exists():
        dataset = assemble(
            Path(config["DATA_DIR"]), Path(config["ONTOLOGY_DIR"]), Path(config["SHAPES_DIR"])
        )
        report = validate(
            union(dataset), load_shapes(Path(config["SHAPES_DIR"])), Path(config["DATA_DIR"])
        )
        if not report.conforms:
            raise BuildError("the graph does not conform; run `kg build` to see the report")
        write(dataset, Path(config["BUILD_DIR"]))
    return path


def init_app(app: Flask) -> None:
    """Start the query pool for this app and stop it when the process exits."""
    pool = QueryPool(
        dump_path(app.config),
        size=int(app.config["QUERY_WORKERS"]),
        queue_timeout=float(app.config["QUEUE_TIMEOUT_S"]),
    )
    pool.start(wait=True)  # warm: the first query finds the data loaded
    app.extensions["kg.pool"] = pool
    app.extensions["kg.graphs"], app.extensions["kg.triples"] = _inventory(pool)
    _stamp(app, pool.source)
    atexit.register(pool.close)


def _stamp(app: Flask, source: Path) -> None:
    """Record the version of the served data, for ETag and Last-Modified."""
    digest = hashlib.sha256()
    with source.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    app.extensions["kg.version"] = digest.hexdigest()
    app.extensions["kg.modified"] = datetime.fromtimestamp(source.stat().st_mtime, tz=UTC)


def data_version() -> tuple[str, datetime]:
    """The SHA-256 of the served dump, and when it was written."""
    return current_app.extensions["kg.version"], current_app.extensions["kg.modified"]


def _inventory(pool: QueryPool) -> tuple[frozenset[str], int]:
    """Ask the store which named graphs it holds and how many triples."""
    job = QueryJob(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        accept={"solutions": formats.SPARQL_JSON, "graph": formats.TURTLE},
    )
    rows = json.loads(pool.run(job, timeout=60).body)["results"]["bindings"]
    graphs = frozenset(row["g"]["value"] for row in rows)
    return graphs, sum(int(row["n"]["value"]) for row in rows)


def get_pool() -> QueryPool:
    pool: QueryPool = current_app.extensions["kg.pool"]
    return pool


def graph_names() -> frozenset[str]:
    """The named graphs of the served dataset."""
    names: frozenset[str] = current_app.extensions["kg.graphs"]
    return names


def get_pool_of(app: Flask) -> QueryPool:
    pool: QueryPool = app.extensions["kg.pool"]
    return pool
