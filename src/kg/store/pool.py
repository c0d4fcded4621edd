"""Run queries in a pool of processes that hold the dataset and can be killed at the deadline.

Neither Oxigraph nor rdflib can cancel a running query, so each query runs in one of a pool
of processes that hold the dataset in memory; at the deadline the process is killed and
replaced, and the client gets a 503. Each process keeps its copy of the accepted
submissions in step with the submission folder before it answers.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import logging
import multiprocessing
import queue
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..errors import (
    Busy,
    KgError,
    OverMemory,
    QueryCrashed,
    QueryTimeout,
    WorkFailed,
)
from .engine import Answer, QueryJob, evaluate
from .sandbox import NONE, isolate_network, limit_memory
from .submissions import SUFFIX, graph_iri

log = logging.getLogger(__name__)

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


#: Handles one job in a worker process; returns the answer or raises HttpError.
Handler = Callable[[Any], Any]
#: What sets up a worker's handler: a function, or its name, ``"package.module:function"``.
#: A name is imported only in the worker process, so that what the handler needs (spaCy, for
#: the drafting process) is never loaded by the process that starts the pool.
MakeHandler = Callable[..., Handler] | str
HANDLER_NAME = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*")


def check_name(make_handler: MakeHandler) -> None:
    """Refuse a handler's name that is malformed or names no module, in the starting process:
    a worker that cannot import it would die at start, and be replaced, again and again. The
    module is found, not imported (only its parent packages are)."""
    if not isinstance(make_handler, str):
        return
    if not HANDLER_NAME.fullmatch(make_handler):
        raise ValueError(f"{make_handler!r} is not a handler's name (package.module:function)")
    module = make_handler.partition(":")[0]
    if importlib.util.find_spec(module) is None:
        raise ValueError(f"{make_handler!r}: there is no module {module}")


def resolve(make_handler: MakeHandler) -> Callable[..., Handler]:
    """The function a handler's name names (a function is itself)."""
    if not isinstance(make_handler, str):
        return make_handler
    check_name(make_handler)
    module, _, name = make_handler.partition(":")
    found: Callable[..., Handler] = getattr(importlib.import_module(module), name)
    return found


def _worker_main(
    conn: Connection,
    isolate: bool,
    memory_mb: int,
    make_handler: MakeHandler,
    args: tuple[Any, ...],
) -> None:
    """Confine this process, set up its handler, then serve jobs until the pipe closes."""
    confinement = isolate_network() if isolate else NONE  # first: before any job is read
    limit_memory(memory_mb)
    handle = resolve(make_handler)(*args)  # imported after the limits: they count it too
    conn.send(("ready", confinement))
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        try:
            conn.send(("ok", handle(job)))
        except KgError as exc:  # the user's error (HttpError, InputError): theirs to read
            conn.send(("error", exc))
        except MemoryError:
            conn.send(("error", OverMemory(f"the work needed more than {memory_mb} MB")))
        except Exception:  # a failure of the work must not take the worker down
            # ours, not the client's: the details (paths among them) go to the log only
            log.exception("a %s job failed", type(job).__name__)
            conn.send(("error", WorkFailed("the work failed on the server; the error was logged")))


def query_handler(source: str, submissions: str | None) -> Handler:
    """Hold the dataset; before each job, catch up with the submission folder if it changed."""
    stores = DatasetStores(Path(source))
    folder = Path(submissions) if submissions else None
    loaded: SubmissionFiles = {}
    sync_submissions(stores, folder, loaded)
    generation = -1

    def handle(job: QueryJob) -> Answer:
        nonlocal generation
        if job.generation != generation:
            sync_submissions(stores, folder, loaded)
            generation = job.generation
        return evaluate(stores.for_job(job), job)

    return handle


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


#: What a worker's reply is when its process died before giving one.
_DIED = ("died", None)

#: How far back /health looks for query processes that died.
CRASH_WINDOW_S = 60.0


class WorkerPool:
    """A fixed number of killable worker processes; each job takes an idle one, or waits.

    Work that may run long or take memory without bound (a query, a validation) runs in a
    process of its own: at the deadline it is killed and replaced, and a process that dies
    (a crash, the memory limit) costs its job, not the service.
    """

    #: what the workers do, for messages: "query", "validation"
    work = "work"

    def __init__(
        self,
        size: int,
        queue_timeout: float,
        isolate: bool = True,
        memory_mb: int = 0,
        max_waiting: int = 0,
    ) -> None:
        self.size = size
        self.queue_timeout = queue_timeout
        self.isolate = isolate  # no network in the worker processes (sandbox.py)
        self.memory_mb = memory_mb  # address space of each worker; 0: unlimited
        #: what the workers are confined to, as the first one to start reported it
        self.confinement = NONE
        self.stats = PoolStats()
        # jobs that may wait for a worker at once (0: no bound); more are refused at once,
        # so that a burst holds no more of the web server's threads than this
        self._waiting = threading.BoundedSemaphore(max_waiting) if max_waiting else None
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._closed = False
        self._generation = 0
        self._all: list[_Worker] = []
        self._ready: set[int] = set()  # ids of the workers that finished starting
        self._work = threading.local()

    def work_seconds(self) -> float:
        """How long this thread's last job was worked on, not counting the wait for a worker."""
        return float(getattr(self._work, "seconds", 0.0))

    def handler(self) -> tuple[MakeHandler, tuple[Any, ...]]:
        """The function that sets up a worker's handler (or its name, imported only in the
        worker: see MakeHandler), and its arguments."""
        raise NotImplementedError

    def prepare(self, job: Any) -> Any:
        """The job as a worker should see it (a subclass may stamp it)."""
        return job

    def start(self, wait: bool = True) -> None:
        workers = [self._spawn() for _ in range(self.size)]
        for worker in workers:
            if wait:
                self._await_ready(worker)
                self._idle.put(worker)
            else:
                threading.Thread(target=self._ready_then_idle, args=(worker,), daemon=True).start()

    def _spawn(self) -> _Worker:
        make_handler, args = self.handler()
        check_name(make_handler)
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_worker_main,
            args=(child, self.isolate, self.memory_mb, make_handler, args),
            daemon=True,
            name=f"kg-{self.work}-worker",
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
            raise RuntimeError(f"{self.work} worker failed to start")
        self.confinement = confinement
        with self._lock:
            self._ready.add(id(worker))

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

    def run(self, job: Any, timeout: float) -> Any:
        """Do a job within `timeout` seconds; raise QueryTimeout, Busy or QueryCrashed."""
        self._work.seconds = 0.0  # a job refused or left waiting costs its client nothing
        if self._waiting is not None and not self._waiting.acquire(blocking=False):
            self.stats.busy += 1
            raise Busy(
                f"too many {self.work} requests wait already; try again shortly", retry_after=1
            )
        try:
            return self._run(job, timeout)
        finally:
            if self._waiting is not None:
                self._waiting.release()

    def _run(self, job: Any, timeout: float) -> Any:
        try:
            worker = self._idle.get(timeout=min(self.queue_timeout, timeout))
        except queue.Empty:
            self.stats.busy += 1
            raise Busy(
                f"every {self.work} worker is busy; try again shortly", retry_after=1
            ) from None
        if worker.generation != self._generation:  # retired by reload(): its data is old
            self._discard(worker)
            return self._run(job, timeout)
        if not worker.process.is_alive():
            self._replace(worker)
            return self._run(job, timeout)
        handed = time.monotonic()
        try:
            worker.conn.send(self.prepare(job))
            # the deadline counts the work, not the wait for a worker (QUEUE_TIMEOUT_S)
            reply = worker.conn.recv() if worker.conn.poll(timeout) else None
        except (EOFError, OSError):  # the process died: BrokenPipeError is an OSError
            reply = _DIED
        finally:
            self._work.seconds = time.monotonic() - handed
        if reply is None:
            self.stats.timeouts += 1
            self._replace(worker)
            raise QueryTimeout(
                f"the {self.work} ran longer than {timeout:g} s and was stopped", retry_after=5
            )
        if reply is _DIED:
            self.stats.crashes.append(time.monotonic())
            self._replace(worker)
            raise QueryCrashed(
                f"the {self.work} process stopped while working (the {self.work} may be too "
                "complex, or need more memory than a process may have); it has been replaced",
                retry_after=5,
            )
        status, payload = reply
        self._idle.put(worker)
        if status == "error":
            raise payload
        return payload

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
            self._ready.discard(id(worker))
            if worker in self._all:
                self._all.remove(worker)

    @property
    def ready(self) -> int:
        """Worker processes started and able to take a job (a replaced one is not, yet)."""
        with self._lock:
            return len(self._ready)

    @property
    def recent_crashes(self) -> int:
        """Worker processes that died while working in the last minute."""
        since = time.monotonic() - CRASH_WINDOW_S
        return sum(1 for when in self.stats.crashes if when > since)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
        for worker in workers:
            self._discard(worker)


class QueryPool(WorkerPool):
    """Query processes that hold the dataset and follow the submission folder."""

    work = "query"

    def __init__(
        self,
        source: Path,
        size: int,
        queue_timeout: float,
        submissions: Path | None = None,
        isolate: bool = True,
        memory_mb: int = 0,
    ) -> None:
        super().__init__(size, queue_timeout, isolate=isolate, memory_mb=memory_mb)
        self.source = source
        self.submissions = submissions
        self.data_generation = 0

    def handler(self) -> tuple[MakeHandler, tuple[Any, ...]]:
        folder = str(self.submissions) if self.submissions else None
        return query_handler, (str(self.source), folder)

    def prepare(self, job: QueryJob) -> QueryJob:
        if job.generation != self.data_generation:
            return dataclasses.replace(job, generation=self.data_generation)
        return job

    def run(self, job: QueryJob, timeout: float) -> Answer:
        answer: Answer = super().run(job, timeout)
        return answer

    def changed(self) -> None:
        """The submissions changed: every later job makes its worker catch up first."""
        self.data_generation += 1

    def reload(self, source: Path) -> None:
        """Serve a new dump: new workers load it, old ones are retired as they come back."""
        self.source = source
        self._generation += 1
        self.start(wait=False)
