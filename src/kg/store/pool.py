"""Run queries in a pool of processes that hold the dataset and can be killed at the deadline.

Neither Oxigraph nor rdflib can cancel a running query, so each query runs in one of a pool
of processes that hold the dataset in memory; at the deadline the process is killed and
replaced, and the client gets a 503. Each process keeps its copy of the accepted
submissions in step with the submission folder before it answers.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import queue
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..errors import Busy, HttpError, QueryCrashed, QueryTimeout
from .engine import Answer, QueryJob, evaluate
from .sandbox import NONE, isolate_network
from .submissions import SUFFIX, graph_iri

# Oxigraph 0.5's union default graph yields a triple once per graph that states it (its
# issue #1919), where SPARQL's RDF merge counts it once. So the store keeps the merge itself,
# deduplicated, in its default graph, and queries read that.
MERGE_GRAPH = "INSERT { ?s ?p ?o } WHERE { GRAPH <%s> { ?s ?p ?o } }"
MERGE_ALL = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
ORPHANS = """CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <%s> { ?s ?p ?o }
    FILTER NOT EXISTS { GRAPH ?other { ?s ?p ?o } FILTER (?other != <%s>) } }"""


def load_dump(source: Path) -> ox.Store:
    """Load an N-Quads dump into a new in-memory store, with the merge as its default graph."""
    store = ox.Store()
    store.bulk_load(path=str(source), format=ox.RdfFormat.N_QUADS)
    store.update(MERGE_ALL)
    return store


class DatasetStores:
    """The dataset held twice: whole (named graphs, and the merge as default graph) and the
    merge alone, which queries that never name a graph read.

    Oxigraph's in-memory indexes lead with subject, predicate or object, not with the graph, so
    a default-graph pattern in the whole store also scans every named graph's copy of the
    triple; on the merge alone the same patterns run 1.3-1.9 times faster (bench/README.md).
    """

    def __init__(self, source: Path) -> None:
        self.full = load_dump(source)
        self.merge = ox.Store()
        self.merge.bulk_extend(self.full.quads_for_pattern(None, None, None, ox.DefaultGraph()))

    def for_job(self, job: QueryJob) -> ox.Store:
        """The store that answers this job: the merge alone unless the query may name a graph."""
        if job.names_graphs or job.default_graphs or job.named_graphs:
            return self.full
        return self.merge

    def add_graph(self, name: str, path: Path) -> None:
        self.full.load(path=str(path), format=ox.RdfFormat.N_QUADS)
        self.full.update(MERGE_GRAPH % name)
        graph = ox.NamedNode(name)
        self.merge.extend(
            ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
            for q in self.full.quads_for_pattern(None, None, None, graph)
        )

    def drop_graph(self, name: str) -> None:
        """Remove a graph, and from the merge what no other graph states."""
        orphans = list(self.full.query(ORPHANS % (name, name)))  # type: ignore[arg-type]
        for triple in orphans:
            quad = ox.Quad(triple.subject, triple.predicate, triple.object, ox.DefaultGraph())
            self.full.remove(quad)
            self.merge.remove(quad)
        self.full.remove_graph(ox.NamedNode(name))


SubmissionFiles = dict[str, tuple[int, int]]


def sync_submissions(stores: DatasetStores, folder: Path | None, loaded: SubmissionFiles) -> None:
    """Bring the submission graphs in line with the folder: add new, drop reverted."""
    if folder is None:
        return
    current: SubmissionFiles = {}
    for path in folder.glob(f"*{SUFFIX}"):
        try:
            stat = path.stat()
        except FileNotFoundError:  # reverted while we listed
            continue
        current[path.name[: -len(SUFFIX)]] = (stat.st_size, stat.st_mtime_ns)
    for submission_id in set(loaded) - set(current):
        stores.drop_graph(graph_iri(submission_id))
        del loaded[submission_id]
    for submission_id, stamp in current.items():
        if loaded.get(submission_id) == stamp:
            continue
        if submission_id in loaded:  # replaced (Graph Store PUT): drop the old version
            stores.drop_graph(graph_iri(submission_id))
        try:
            stores.add_graph(graph_iri(submission_id), folder / f"{submission_id}{SUFFIX}")
        except FileNotFoundError:
            continue
        loaded[submission_id] = stamp


def _worker_main(conn: Connection, source: str, submissions: str | None, isolate: bool) -> None:
    """Serve jobs from the parent until the pipe closes."""
    confinement = isolate_network() if isolate else NONE  # first: before any query is read
    stores = DatasetStores(Path(source))
    folder = Path(submissions) if submissions else None
    loaded: SubmissionFiles = {}
    sync_submissions(stores, folder, loaded)
    generation = -1
    conn.send(("ready", confinement))
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job.generation != generation:
            sync_submissions(stores, folder, loaded)
            generation = job.generation
        try:
            conn.send(("ok", evaluate(stores.for_job(job), job)))
        except HttpError as exc:
            conn.send(("error", exc))
        except Exception as exc:  # an engine failure must not take the worker down
            conn.send(("error", HttpError(f"the query engine failed: {type(exc).__name__}: {exc}")))


@dataclass
class _Worker:
    process: Any
    conn: Connection
    generation: int = 0


@dataclass
class PoolStats:
    timeouts: int = 0
    restarts: int = 0
    busy: int = 0
    crashes: deque[float] = field(default_factory=lambda: deque(maxlen=1000))  # when, monotonic


#: How far back /health looks for query processes that died.
CRASH_WINDOW_S = 60.0


class QueryPool:
    """A fixed number of query processes; each job takes an idle one, or waits for it."""

    def __init__(
        self,
        source: Path,
        size: int,
        queue_timeout: float,
        submissions: Path | None = None,
        isolate: bool = True,
    ) -> None:
        self.source = source
        self.submissions = submissions
        self.isolate = isolate  # no network in the query processes (sandbox.py)
        #: what the query processes are confined to, as the first one to start reported it
        self.confinement = NONE
        self.data_generation = 0
        self.size = size
        self.queue_timeout = queue_timeout
        self.stats = PoolStats()
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._closed = False
        self._generation = 0
        self._all: list[_Worker] = []

    def start(self, wait: bool = True) -> None:
        workers = [self._spawn() for _ in range(self.size)]
        for worker in workers:
            if wait:
                self._await_ready(worker)
                self._idle.put(worker)
            else:
                threading.Thread(target=self._ready_then_idle, args=(worker,), daemon=True).start()

    def _spawn(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_worker_main,
            args=(
                child,
                str(self.source),
                str(self.submissions) if self.submissions else None,
                self.isolate,
            ),
            daemon=True,
            name="kg-query-worker",
        )
        process.start()
        child.close()
        worker = _Worker(process, parent, self._generation)
        with self._lock:
            self._all.append(worker)
        return worker

    def _await_ready(self, worker: _Worker) -> None:
        status, confinement = worker.conn.recv()
        if status != "ready":
            raise RuntimeError("query worker failed to start")
        self.confinement = confinement

    def _ready_then_idle(self, worker: _Worker) -> None:
        try:
            self._await_ready(worker)
        except (EOFError, OSError, RuntimeError):
            self._discard(worker)
            if not self._closed:
                self._ready_then_idle(self._spawn())
            return
        if self._closed or worker.generation != self._generation:
            self._discard(worker)
        else:
            self._idle.put(worker)

    def run(self, job: QueryJob, timeout: float) -> Answer:
        """Evaluate a job within `timeout` seconds; raise QueryTimeout or Busy otherwise."""
        started = time.monotonic()
        try:
            worker = self._idle.get(timeout=min(self.queue_timeout, timeout))
        except queue.Empty:
            self.stats.busy += 1
            raise Busy("every query worker is busy; try again shortly", retry_after=1) from None
        if worker.generation != self._generation:  # retired by reload(): its data is old
            self._discard(worker)
            return self.run(job, timeout - (time.monotonic() - started))
        if not worker.process.is_alive():
            self._replace(worker)
            return self.run(job, timeout - (time.monotonic() - started))
        remaining = max(0.0, timeout - (time.monotonic() - started))
        if job.generation != self.data_generation:
            job = dataclasses.replace(job, generation=self.data_generation)
        try:
            worker.conn.send(job)
            if not worker.conn.poll(remaining):
                self.stats.timeouts += 1
                self._replace(worker)
                raise QueryTimeout(
                    f"the query ran longer than {timeout:g} s and was stopped", retry_after=5
                )
            status, payload = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self.stats.crashes.append(time.monotonic())
            self._replace(worker)
            raise QueryCrashed(
                "the query process stopped while answering (the query may be too complex); "
                "it has been replaced",
                retry_after=5,
            ) from None
        self._idle.put(worker)
        if status == "error":
            raise payload
        return payload  # type: ignore[no-any-return]

    def _replace(self, worker: _Worker) -> None:
        self.stats.restarts += 1
        self._discard(worker)
        if not self._closed:
            fresh = self._spawn()
            threading.Thread(target=self._ready_then_idle, args=(fresh,), daemon=True).start()

    def _discard(self, worker: _Worker) -> None:
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)
        worker.conn.close()
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)

    @property
    def recent_crashes(self) -> int:
        """Query processes that died while answering in the last minute."""
        since = time.monotonic() - CRASH_WINDOW_S
        return sum(1 for when in self.stats.crashes if when > since)

    def changed(self) -> None:
        """The submissions changed: every later job makes its worker catch up first."""
        self.data_generation += 1

    def reload(self, source: Path) -> None:
        """Serve a new dump: new workers load it, old ones are retired as they come back."""
        self.source = source
        self._generation += 1
        self.start(wait=False)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
        for worker in workers:
            self._discard(worker)
