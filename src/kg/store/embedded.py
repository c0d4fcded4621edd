"""The embedded store: the built dataset plus accepted submissions, served by a query pool.

The store persists on disk: the build (``BUILD_DIR/cakg.nq``, written by ``kg build``) and
one file per submission (``VAR_DIR/submissions``), so it survives restarts. Opening it never
builds: a missing build is an error that says to run ``kg build``.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from ..errors import BuildError, Busy, QueryCrashed, QueryTimeout, StartFailed
from ..graph.build import dump_file
from .interface import Inventory, StoreQueries, rdflib_merge
from .pool import Budget, QueryPool
from .submissions import SubmissionStore

log = logging.getLogger(__name__)

#: How long the store waits for its own bookkeeping queries (counts, graph names).
INVENTORY_TIMEOUT_S = 60.0
INVENTORY = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
#: The triples of the merge (asked apart: the merge and the named graphs are two stores).
MERGED = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


class EmbeddedStore(StoreQueries):
    """The :class:`~kg.store.interface.Store` on this machine: a query pool over the build."""

    engine: QueryPool

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.dump = dump_file(config)
        if not self.dump.is_file():
            raise BuildError(f"no built dataset at {self.dump}: run `kg build` first")
        self.timeout = float(config["QUERY_TIMEOUT_S"])
        self.submissions = SubmissionStore(Path(config["VAR_DIR"]) / "submissions")
        self.quarantined = self.submissions.quarantined
        self.engine = QueryPool(
            self.dump,
            size=int(config["QUERY_WORKERS"]),
            queue_timeout=float(config["QUEUE_TIMEOUT_S"]),
            submissions=self.submissions.folder,
            # federation allowed by the operator needs the network; otherwise none at all
            isolate=not str(config["ALLOWED_SERVICE_PREFIXES"]).strip(),
            memory_mb=int(config["QUERY_MEMORY_MB"]),
            fork=bool(config["QUERY_FORK"]),
            budget=Budget(int(config["QUERY_PRIVATE_MB"]), float(config["QUERY_PRIVATE_SHARE"])),
            remember=(INVENTORY, MERGED),  # they read every quad: once, as the data loads
            merge=bool(config["QUERY_MEMORY_MERGE"]),
        )
        self.write_lock = threading.Lock()  # one writer at a time: validate, then commit
        self._base_digest = _digest(self.dump)
        self._rdflib: tuple[str, Graph] | None = None  # (version, the merge)
        #: (graphs, triples) as the query processes counted them; None until they are asked
        self._counts: tuple[frozenset[str], int, int] | None = None
        self.version = ""
        self.modified = datetime.now(UTC)

    def start(self) -> None:
        try:
            self.engine.start(wait=True)  # warm: the first query finds the data loaded
        except StartFailed as exc:
            self.engine.close()
            raise BuildError(f"{exc}; run `kg build` again to rebuild {self.dump}") from None
        self.refresh()

    def close(self) -> None:
        self.engine.close()

    def refresh(self) -> None:
        """Re-read what changed: the workers catch up, counts and validators move on."""
        self.engine.changed()
        manifest = self.submissions.manifest()
        self.version = hashlib.sha256((self._base_digest + repr(manifest)).encode()).hexdigest()
        newest = max([m for _, _, m in manifest] + [self.dump.stat().st_mtime_ns])
        self.modified = datetime.fromtimestamp(newest / 1e9, tz=UTC).replace(microsecond=0)
        self._counts = None
        self._count()

    def _count(self) -> tuple[frozenset[str], int, int]:
        """(graphs, triples of the merge, quads)."""
        counts = self._counts
        if counts is None:  # through the query processes: may be 503 busy, for a reader
            rows = self.select(INVENTORY, timeout=INVENTORY_TIMEOUT_S)
            (merged,) = self.select(MERGED, timeout=INVENTORY_TIMEOUT_S)
            quads = sum(int(row["n"]) for row in rows)
            counts = frozenset(row["g"] for row in rows), int(merged["n"]), quads
            self._counts = counts
        return counts

    @property
    def graphs(self) -> frozenset[str]:
        return self._count()[0]

    @property
    def triples(self) -> int:
        return self._count()[1]

    def inventory(self) -> Inventory:
        graphs, triples, quads = self._count()
        return Inventory(self.version, self.modified, graphs, triples, quads)

    def graph(self) -> Graph:
        """The whole dataset as one rdflib graph (the RDF merge), for validating additions in
        context and the Graph Store's default graph: read from what is served, once per
        version, so that nothing a deleted submission said survives in it (issue 12, finding 1:
        subtracting a re-parsed copy kept its blank nodes and took restated base triples)."""
        if self._rdflib is None or self._rdflib[0] != self.version:
            self._rdflib = (self.version, rdflib_merge(self.quads()))
        return self._rdflib[1]

    def quads(self) -> list[ox.Quad]:
        """Every quad served: the build and the submissions (for validation)."""
        quads: list[ox.Quad] = []
        for path in self.nquads():
            quads += ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS)
        return quads

    def nquads(self, scratch: Path | None = None) -> list[Path]:
        """The files that hold every quad served, the build's and each submission's, as they
        are: the dumps' writing process reads them (`scratch` is not needed)."""
        ids = self.submissions.ids()
        return [self.dump, *(self.submissions.path(submission_id) for submission_id in ids)]

    def added(self, submission_id: str) -> None:
        self._refresh_stored()

    def removed(self, content: Graph) -> None:
        self._refresh_stored()

    def _refresh_stored(self) -> None:
        """Move on after a write that is stored: its answer must not depend on the query
        processes being free (a 503 'try again' for a kept write made a retry store it twice),
        so with them busy the counts are left to the next reader."""
        try:
            self.refresh()
        except (Busy, QueryTimeout, QueryCrashed) as exc:
            log.warning("the counts are read later: %s", exc)


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
