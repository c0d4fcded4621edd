"""Evaluate SPARQL with Oxigraph, inside worker processes that can be killed at the deadline.

Neither Oxigraph nor rdflib can cancel a running query, so each query runs in one of a
pool of processes that hold the dataset in memory; at the deadline the process is killed
and replaced, and the client gets a 503. Results are written in the worker, with the row
and byte limits checked while writing, so no answer is ever silently cut short.
"""

from __future__ import annotations

import dataclasses
import io
import multiprocessing
import queue
import re
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from . import formats
from .errors import Busy, HttpError, QuerySyntaxError, QueryTimeout, ResultTooLarge
from .namespaces import PREFIXES

RESULT_FORMATS = {
    formats.SPARQL_JSON: ox.QueryResultsFormat.JSON,
    formats.SPARQL_XML: ox.QueryResultsFormat.XML,
    formats.CSV: ox.QueryResultsFormat.CSV,
    formats.TSV: ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    formats.TURTLE: ox.RdfFormat.TURTLE,
    formats.NTRIPLES: ox.RdfFormat.N_TRIPLES,
    formats.JSONLD: ox.RdfFormat.JSON_LD,
    formats.RDFXML: ox.RdfFormat.RDF_XML,
    formats.TRIG: ox.RdfFormat.TRIG,
    formats.NQUADS: ox.RdfFormat.N_QUADS,
}
_POSITION = re.compile(r"error at (\d+):(\d+)")


@dataclass(frozen=True)
class QueryJob:
    """One query to evaluate, with the answer's format and limits."""

    query: str
    accept: dict[str, str]  # media type chosen per kind: {"solutions": …, "graph": …}
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    max_rows: int = 100_000
    max_bytes: int = 50_000_000
    generation: int = 0  # the version of the submissions the answer must reflect
    names_graphs: bool = True  # False lets a query process answer from the merge alone


@dataclass(frozen=True)
class Answer:
    """A written answer: its media type, body, the kind of result and how many rows."""

    media_type: str
    body: bytes
    kind: str
    rows: int


class Limit(Exception):
    """Raised from inside Oxigraph's writer to stop it at a limit."""


class BoundedWriter(io.RawIOBase):
    """A sink that counts lines and bytes as Oxigraph writes, and stops it past a limit."""

    def __init__(self, max_lines: int, max_bytes: int) -> None:
        self.chunks: list[bytes] = []
        self.lines = 0
        self.size = 0
        self.max_lines = max_lines
        self.max_bytes = max_bytes

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.lines += chunk.count(b"\n")
        self.size += len(chunk)
        if self.lines > self.max_lines or self.size > self.max_bytes:
            raise Limit()
        self.chunks.append(chunk)
        return len(chunk)

    def getvalue(self) -> bytes:
        return b"".join(self.chunks)


def evaluate(store: ox.Store, job: QueryJob) -> Answer:
    """Run a query on a store and write its answer; raise HttpError for the client's mistakes."""
    try:
        result = store.query(
            job.query,
            prefixes=PREFIXES,
            use_default_graph_as_union=False,  # the default graph holds the merge
            default_graph=[ox.NamedNode(g) for g in job.default_graphs] or None,
            named_graphs=[ox.NamedNode(g) for g in job.named_graphs] or None,
        )
    except SyntaxError as exc:
        match = _POSITION.search(str(exc))
        line, column = (int(match[1]), int(match[2])) if match else (None, None)
        detail = _POSITION.sub("", str(exc)).lstrip(": ") or "invalid query"
        if len(detail) > 240:  # Oxigraph lists every character class it expected
            detail = detail[:240].rsplit(",", 1)[0] + ", …"
        raise QuerySyntaxError(
            f"the query does not parse: {detail}", line=line, column=column
        ) from None
    return write_result(result, job)


def write_result(
    result: ox.QueryBoolean | ox.QuerySolutions | ox.QueryTriples, job: QueryJob
) -> Answer:
    """Write a query's result in the format the client asked for, within the job's limits."""
    if isinstance(result, ox.QueryBoolean):
        media = job.accept["solutions"]
        return Answer(media, result.serialize(format=RESULT_FORMATS[media]) or b"", "boolean", 1)
    if isinstance(result, ox.QuerySolutions):
        return _write_solutions(result, job)
    return _write_graph(result, job)


def _write_solutions(result: ox.QuerySolutions, job: QueryJob) -> Answer:
    # TSV has one line per row (newlines in values are escaped), so counting lines while
    # Oxigraph writes it counts rows exactly; other formats are converted from it.
    sink = BoundedWriter(job.max_rows + 1, job.max_bytes)
    try:
        result.serialize(sink, format=ox.QueryResultsFormat.TSV)  # type: ignore[arg-type]
    except Limit:
        raise too_large(sink, job) from None
    return solutions_from_tsv(sink, job)


def solutions_from_tsv(sink: BoundedWriter, job: QueryJob) -> Answer:
    """Write rows counted and held as TSV in the format the client asked for."""
    rows = max(0, sink.lines - 1)
    media = job.accept["solutions"]
    body = sink.getvalue()
    if media != formats.TSV:
        parsed = ox.parse_query_results(body, ox.QueryResultsFormat.TSV)
        body = parsed.serialize(format=RESULT_FORMATS[media]) or b""
    if len(body) > job.max_bytes:
        raise too_large(sink, job)
    return Answer(media, body, "solutions", rows)


def _write_graph(result: ox.QueryTriples, job: QueryJob) -> Answer:
    sink = BoundedWriter(job.max_rows, job.max_bytes)
    try:
        result.serialize(sink, format=ox.RdfFormat.N_TRIPLES)  # type: ignore[arg-type]
    except Limit:
        raise too_large(sink, job) from None
    return graph_from_ntriples(sink, job)


def graph_from_ntriples(sink: BoundedWriter, job: QueryJob) -> Answer:
    """Write triples counted and held as N-Triples in the format the client asked for."""
    media = job.accept["graph"]
    body = sink.getvalue()
    if media != formats.NTRIPLES:
        triples = ox.parse(body, format=ox.RdfFormat.N_TRIPLES)
        prefixes = PREFIXES if media in (formats.TURTLE, formats.TRIG) else None
        body = ox.serialize(triples, format=GRAPH_FORMATS[media], prefixes=prefixes) or b""
    if len(body) > job.max_bytes:
        raise too_large(sink, job)
    return Answer(media, body, "graph", sink.lines)


def too_large(sink: BoundedWriter, job: QueryJob) -> ResultTooLarge:
    if sink.lines > job.max_rows:
        return ResultTooLarge(
            f"the result has more than {job.max_rows} rows (the server's limit); "
            "add a LIMIT or narrow the query"
        )
    return ResultTooLarge(
        f"the result is larger than {job.max_bytes} bytes (the server's limit); "
        "add a LIMIT or select fewer variables"
    )


# Oxigraph 0.5's union default graph yields a triple once per graph that states it (its
# issue #1919), where SPARQL's RDF merge counts it once. So the store keeps the merge itself,
# deduplicated, in its default graph, and queries read that.
MERGE_GRAPH = "INSERT { ?s ?p ?o } WHERE { GRAPH <%s> { ?s ?p ?o } }"
MERGE_ALL = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
ORPHANS = """CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <%s> { ?s ?p ?o }
    FILTER NOT EXISTS { GRAPH ?other { ?s ?p ?o } FILTER (?other != <%s>) } }"""


def open_store(source: Path) -> ox.Store:
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
        self.full = open_store(source)
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
    from .submissions import SUFFIX, graph_iri

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


def _worker_main(conn: Connection, source: str, submissions: str | None) -> None:
    """Serve jobs from the parent until the pipe closes."""
    stores = DatasetStores(Path(source))
    folder = Path(submissions) if submissions else None
    loaded: SubmissionFiles = {}
    sync_submissions(stores, folder, loaded)
    generation = -1
    conn.send(("ready", None))
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


class QueryPool:
    """A fixed number of query processes; each job takes an idle one, or waits for it."""

    def __init__(
        self, source: Path, size: int, queue_timeout: float, submissions: Path | None = None
    ) -> None:
        self.source = source
        self.submissions = submissions
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
            args=(child, str(self.source), str(self.submissions) if self.submissions else None),
            daemon=True,
            name="kg-query-worker",
        )
        process.start()
        child.close()
        worker = _Worker(process, parent, self._generation)
        with self._lock:
            self._all.append(worker)
        return worker

    @staticmethod
    def _await_ready(worker: _Worker) -> None:
        status, _ = worker.conn.recv()
        if status != "ready":
            raise RuntimeError("query worker failed to start")

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
            self._replace(worker)
            raise HttpError("the query worker stopped; the query may be too complex") from None
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
