"""Run queries in a pool of processes that hold the dataset and can be killed at the deadline.

Neither Oxigraph nor rdflib can cancel a running query, so each query runs in one of a pool
of processes that hold the dataset in memory; at the deadline the process is killed and
replaced, and the client gets a 503. Each process keeps its copy of the accepted
submissions in step with the submission folder before it answers.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import gc
import importlib
import importlib.util
import logging
import math
import multiprocessing
import os
import queue
import re
import resource
import select
import signal
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.reduction import recv_handle, send_handle
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..errors import (
    Busy,
    KgError,
    OverMemory,
    QueryCrashed,
    QueryTimeout,
    StartFailed,
    WorkFailed,
)
from .engine import Answer, QueryJob, evaluate, own_job
from .interface import Processes
from .sandbox import NONE, isolate_network, limit_memory, memory_now
from .submissions import SUFFIX, graph_iri

log = logging.getLogger(__name__)

# Oxigraph 0.5's union default graph yields a triple once per graph that states it (its
# issue #1919), where SPARQL's RDF merge counts it once. So the merge is kept itself,
# deduplicated, as a default graph, and queries read that.
MERGE_GRAPH = "INSERT { ?s ?p ?o } WHERE { GRAPH <%s> { ?s ?p ?o } }"
MERGE_ALL = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
ORPHANS = """CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <%s> { ?s ?p ?o }
    FILTER NOT EXISTS { GRAPH ?other { ?s ?p ?o } FILTER (?other != <%s>) } }"""


def load_dump(source: Path) -> ox.Store:
    """Load an N-Quads dump into a new in-memory store: the named graphs."""
    store = ox.Store()
    store.bulk_load(path=str(source), format=ox.RdfFormat.N_QUADS)
    return store


def load_whole(source: Path) -> ox.Store:
    """The named graphs of a dump with their merge as default graph: one store that answers
    any query, for a command that runs one (`kg query`)."""
    store = load_dump(source)
    store.update(MERGE_ALL)
    return store


def _in_default_graph(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    return (ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads)


class DatasetStores:
    """The dataset as two stores: the named graphs (`full`), which queries that name a graph
    read, and the merge alone, which all others read.

    Oxigraph's in-memory indexes lead with subject, predicate or object, not with the graph, so
    a default-graph pattern beside the named graphs also scans every named graph's copy of the
    triple; on the merge alone the same patterns run 1.3-1.9 times faster (bench/README.md).
    The merge is put into `full` as its default graph only when a query reads both (GRAPH
    beside default-graph patterns), which most never do: it held the data 2.7 times over
    (docs/memory.md).
    """

    def __init__(self, source: Path) -> None:
        self.full = load_dump(source)
        self.merge = ox.Store()
        # in the order of the store's own quads: filled from a CONSTRUCT's order, the same
        # triples answered some queries a third slower (docs/memory.md)
        self.merge.bulk_extend(_in_default_graph(self.full.quads_for_pattern(None, None, None)))
        self.full_has_merge = False

    def for_job(self, job: QueryJob) -> ox.Store:
        """The store that answers this job: the merge alone unless the query may name a graph;
        the named graphs, with the merge beside them if the query reads the default graph too."""
        protocol_dataset = job.default_graphs or job.named_graphs
        if not (job.names_graphs or job.states_dataset or protocol_dataset):
            return self.merge
        # a FROM of the query's own makes its default graph, so the merge is not needed then;
        # but the scan may see a FROM the engine does not read, and the merge costs no answer
        if job.reads_default and not protocol_dataset and not self.full_has_merge:
            started = time.monotonic()
            self.full.update(MERGE_ALL)
            self.full_has_merge = True
            log.info(
                "a query reads named graphs and the default graph: this process now holds "
                "the merge beside the named graphs too (%.2f s)",
                time.monotonic() - started,
            )
        return self.full

    def add_graph(self, name: str, path: Path) -> None:
        self.full.load(path=str(path), format=ox.RdfFormat.N_QUADS)
        if self.full_has_merge:
            self.full.update(MERGE_GRAPH % name)
        graph = ox.NamedNode(name)
        self.merge.extend(_in_default_graph(self.full.quads_for_pattern(None, None, None, graph)))

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
    handle = _set_up(conn, make_handler, args)
    if handle is None:
        return
    limit_memory(memory_mb)  # beyond the data just loaded: the cap is the jobs', not the data's
    _serve(conn, handle, memory_mb, confinement, 0)


def _set_up(conn: Connection, make_handler: MakeHandler, args: tuple[Any, ...]) -> Handler | None:
    """The worker's handler; or None, once the reason it could not be set up (a build that
    does not parse) is sent to the pool, which says it in one line, not as a traceback."""
    try:
        return resolve(make_handler)(*args)
    except (KgError, SyntaxError, OSError, ValueError) as exc:
        conn.send(("failed", describe(exc)))
        return None


def describe(exc: BaseException) -> str:
    """An exception as one line: a parser's own message, with the file it read."""
    if isinstance(exc, SyntaxError) and exc.msg:  # str() would add "(file, line n)" again
        text = " ".join(exc.msg.split())
        return f"{exc.filename}: {text}" if exc.filename else text
    return " ".join(str(exc).split())


_PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20


def faulted_mb() -> float:
    """MB of pages this process has faulted in so far: after a fork, the pages of the dataset
    it copied by writing to them (Oxigraph's in-memory store writes reference counts and locks
    on the quads it reads), and those it allocated, each time it allocated them."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt * _PAGE_MB


def private_mb() -> float:
    """MB of pages only this process maps (Linux: /proc/self/smaps_rollup; elsewhere 0)."""
    total = 0
    try:
        with open("/proc/self/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith(("Private_Clean:", "Private_Dirty:")):
                    total += int(line.split()[1])
    except OSError:
        return 0.0
    return total / 1024


class OwnMemory:
    """Whether a forked worker keeps more memory of its own than its budget. Page faults
    bound it from above for the cost of a system call (each page it copied or allocated was
    faulted in at least once); only when that bound passes the budget is the exact figure read
    (smaps_rollup: milliseconds at 1M quads), since a page freed and allocated again is
    faulted in again: a worker writing large answers would be retired for memory it gave back."""

    def __init__(self, budget_mb: int) -> None:
        self.budget_mb = budget_mb
        # just forked, nearly every page is shared: the few of its own (its stack, the pipe)
        # are left in, rather than paying for an exact reading before the first job
        self.known = 0.0  # MB of its own at the last exact reading
        self.faulted = faulted_mb()  # and the faults then

    def over(self) -> bool:
        if not self.budget_mb:
            return False
        if self.known + faulted_mb() - self.faulted <= self.budget_mb:
            return False
        self.faulted, self.known = faulted_mb(), private_mb()
        return self.known > self.budget_mb


def _serve(
    conn: Connection, handle: Handler, memory_mb: int, confinement: str, budget_mb: int
) -> None:
    """Say ready, then answer jobs until the pipe closes. With a budget (a forked process),
    a reply says to retire this process once its own memory has passed the budget."""
    conn.send(("ready", confinement))
    own = OwnMemory(budget_mb)
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        try:
            reply: tuple[Any, ...] = ("ok", handle(job))
        except KgError as exc:  # the user's error (HttpError, InputError): theirs to read
            reply = ("error", exc)
        except MemoryError:
            reply = ("error", OverMemory(f"the work needed more than {memory_mb} MB"))
        except Exception:  # a failure of the work must not take the worker down
            # ours, not the client's: the details (paths among them) go to the log only
            log.exception("a %s job failed", type(job).__name__)
            reply = ("error", WorkFailed("the work failed on the server; the error was logged"))
        if own.over():
            reply = (*reply, "retire")
        conn.send(reply)


def _reap(_signum: int, _frame: Any) -> None:
    """The fork server's SIGCHLD handler: collect the query processes that ended."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def _fork_server_main(
    control: Connection,
    isolate: bool,
    memory_mb: int,
    make_handler: MakeHandler,
    args: tuple[Any, ...],
    budget: Budget,
    merge: bool = False,
) -> None:
    """Confine this process and set up the handler (load the dataset) once, then fork a
    worker process per request: each inherits the confinement and the dataset, whose pages
    it shares with this process and its siblings until it writes to them (copy-on-write).

    This process is single-threaded when it forks (nothing here starts a thread, and
    Oxigraph's bulk load joins its threads before returning), so the child's locks and
    allocator are in a consistent state. Each fork is answered with the child's id and two
    descriptors passed over the control pipe: the child's end of a new pipe, and a pidfd
    (so that the web process can wait for and kill a process that is not its child without
    the risk of a recycled id). Its ready message says its size, and the budget of private
    memory it gives each worker (see Budget)."""
    confinement = isolate_network() if isolate else NONE  # children inherit the namespace
    handle = _set_up(control, make_handler, args)
    if handle is None:
        return
    before_fork = getattr(handle, "before_fork", None)
    gc.collect()
    gc.freeze()  # what was built so far is never traversed again: its pages stay shared
    plug_heap()
    limit_memory(memory_mb)  # beyond the data just loaded; the children inherit it
    merging = allow_page_merging() if merge else False
    server_mb = memory_now()[1] / 2**20  # resident
    budget_mb = budget.of(server_mb)
    signal.signal(signal.SIGCHLD, _reap)
    control.send(("ready", confinement, round(server_mb), budget_mb, merging))
    while True:
        try:
            control.recv()
        except EOFError:
            return
        if before_fork is not None:
            try:
                before_fork()
            except Exception:  # noqa: BLE001 — the fork catches up itself before its first job
                log.exception("the fork server could not catch up with the submissions")
        ours, theirs = socket.socketpair()
        # not reaped before its pidfd is open: the id cannot be another process's yet
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
        pid = os.fork()
        if pid == 0:  # the worker
            code = 0
            try:
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
                control.close()
                ours.close()
                _serve(Connection(theirs.detach()), handle, memory_mb, confinement, budget_mb)
            except BaseException:  # noqa: BLE001 — never return into the server's loop
                code = 1
            finally:
                os._exit(code)
        theirs.close()
        pidfd = os.pidfd_open(pid)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
        try:
            control.send(("forked", pid))
            send_handle(control, ours.fileno(), 0)
            send_handle(control, pidfd, 0)
        finally:
            ours.close()
            os.close(pidfd)


@dataclass(frozen=True)
class Budget:
    """How much memory of its own a forked worker may gather before it is replaced (after
    its answer): pages of the data it copied by reading them (Oxigraph's in-memory store
    writes to what it reads), and what it allocated. Given in MB, or else as a share of the
    fork server's size, so that it follows the data; 0 and 0: never replaced."""

    mb: int = 0
    share: float = 0.0

    def of(self, server_mb: float) -> int:
        """The budget in MB for a fork server of this size; 0: none."""
        if self.mb:
            return self.mb
        return max(1, round(self.share * server_mb)) if self.share > 0 else 0


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd",
            "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost",
        )
    ]  # fmt: skip


def plug_heap() -> int:
    """Take every free chunk of the C heap (glibc's main arena) that lies among the dataset's
    pages, and keep them: a forked child then allocates above the dataset, instead of writing
    into holes that share pages with it (which copies those pages into the child). Loading
    and the merge leave about 10% of the heap free in tens of thousands of such holes. Returns
    the bytes taken; 0 where the C library is not glibc. Only in a single-threaded process."""
    try:
        libc = ctypes.CDLL(None)
        mallinfo2, malloc, free, sbrk = libc.mallinfo2, libc.malloc, libc.free, libc.sbrk
    except (OSError, AttributeError):
        return 0
    mallinfo2.restype = _MallInfo2
    malloc.restype, malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
    free.argtypes = [ctypes.c_void_p]
    sbrk.restype, sbrk.argtypes = ctypes.c_void_p, [ctypes.c_long]
    top = (sbrk(0) or 0) - mallinfo2().keepcost  # where the top chunk (free, unused) starts
    taken = 0
    size = 1 << 17
    while size >= 32:
        while True:
            chunk = malloc(size - 8)
            if chunk is None:
                break
            if chunk >= top:  # from the top chunk, not a hole: every hole of this size is taken
                free(chunk)
                break
            taken += size
        size = size // 2 if size > 4096 else size - 16
    return taken


#: prctl's PR_SET_MEMORY_MERGE (Linux 6.4): KSM may merge every anonymous page of the process
#: and of the processes it forks afterwards.
_PR_SET_MEMORY_MERGE = 67
KSM_RUN = Path("/sys/kernel/mm/ksm/run")


def allow_page_merging() -> bool:
    """Let Linux KSM merge this process's pages, and its children's, with identical ones: the
    pages a forked query process copied by reading them are mostly identical to the fork
    server's (docs/memory.md), and KSM gives them back. It takes effect only where the operator
    runs KSM (``/sys/kernel/mm/ksm/run``); returns whether the kernel took the request."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return False
    return bool(prctl(_PR_SET_MEMORY_MERGE, 1, 0, 0, 0) == 0)


def ksm_running() -> bool:
    """Whether the kernel's same-page merging runs on this machine (the operator's choice)."""
    try:
        return KSM_RUN.read_text().strip() == "1"
    except OSError:
        return False


def can_fork() -> bool:
    """Whether workers can be forked from a fork server here: Linux, with process file
    descriptors (5.3 and later), through which the web process waits for and kills a process
    that is not its child."""
    if not sys.platform.startswith("linux") or not hasattr(signal, "pidfd_send_signal"):
        return False
    try:
        os.close(os.pidfd_open(os.getpid()))
    except (AttributeError, OSError):
        return False
    return True


class ForkedProcess:
    """A worker forked by the fork server, as the pool uses a process: alive, kill, join."""

    def __init__(self, pid: int, pidfd: int) -> None:
        self.pid = pid
        self.pidfd = pidfd

    def _ended(self, timeout: float) -> bool:
        if self.pidfd < 0:
            return True
        # poll(), not select(): select() cannot wait on a descriptor numbered 1024 or more
        waiting = select.poll()
        waiting.register(self.pidfd, select.POLLIN)
        return bool(waiting.poll(math.ceil(timeout * 1000)))

    def is_alive(self) -> bool:
        return not self._ended(0)

    def kill(self) -> None:
        if self.pidfd >= 0:
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)

    def join(self, timeout: float | None = None) -> None:
        self._ended(timeout if timeout is not None else 3600)

    def close(self) -> None:
        if self.pidfd >= 0:
            os.close(self.pidfd)
            self.pidfd = -1


def query_handler(source: str, submissions: str | None, remember: tuple[str, ...] = ()) -> Handler:
    """Hold the dataset; before each job, catch up with the submission folder if it changed.

    The answers to the queries in `remember` (the store's inventory, which reads every quad)
    are worked out once, as the data is loaded, and given again while the data is the same:
    in a fork server that is before any fork, so no query process copies the whole dataset
    into its own memory to count it."""
    stores = DatasetStores(Path(source))
    folder = Path(submissions) if submissions else None
    loaded: SubmissionFiles = {}
    sync_submissions(stores, folder, loaded)
    known = dict(loaded)  # the data the remembered answers are about
    remembered = {job.query: evaluate(stores.for_job(job), job) for job in map(own_job, remember)}
    generation = -1

    def handle(job: QueryJob) -> Answer:
        nonlocal generation
        if job.generation != generation:
            sync_submissions(stores, folder, loaded)
            generation = job.generation
        answer = remembered.get(job.query)
        if answer is not None and loaded == known and _plain(job):
            return answer
        return evaluate(stores.for_job(job), job)

    def before_fork() -> None:  # in the fork server: children start with the submissions
        sync_submissions(stores, folder, loaded)

    handle.before_fork = before_fork  # type: ignore[attr-defined]
    return handle


def _plain(job: QueryJob) -> bool:
    """Whether a job asks for nothing but its query's answer in the default format and
    limits, as a remembered answer was worked out (where it runs aside)."""
    return _answered(job) == _answered(QueryJob(job.query, states_dataset=job.states_dataset))


def _answered(job: QueryJob) -> QueryJob:
    """The job with what tells where it runs, not what its answer is, made the same."""
    return dataclasses.replace(
        job, generation=0, names_graphs=True, reads_default=True, whole_store=False
    )


@dataclass
class _Worker:
    process: Any
    conn: Connection
    generation: int = 0
    discarded: bool = False


@dataclass
class PoolStats:
    timeouts: int = 0
    restarts: int = 0
    retired: int = 0  # forked workers replaced for the memory they no longer share
    server_starts: int = 0  # fork servers started (each loads the dataset)
    failed_starts: int = 0  # starts of a worker or a fork server that failed
    busy: int = 0
    crashes: deque[float] = field(default_factory=lambda: deque(maxlen=1000))  # when, monotonic


#: What a worker's reply is when its process died before giving one.
_DIED = ("died", None)

#: How far back /health looks for query processes that died.
CRASH_WINDOW_S = 60.0
#: How long to wait before trying again to start a worker whose start failed; the pause
#: doubles with each failure in a row, up to the second figure (a start that fails, such as
#: a fork server that cannot load the data, would fail as fast again).
RESTART_PAUSE_S = 1.0
RESTART_PAUSE_MAX_S = 60.0


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
        fork: bool = False,
        budget: Budget = Budget(),
        lazy: bool = False,
        merge: bool = False,
    ) -> None:
        self.size = size
        self.merge = merge  # forked workers' pages may be merged by KSM (allow_page_merging)
        self.merging = False  # whether the running fork server's request was taken
        #: start the workers with the first job, not before (most servers never validate)
        self.lazy = lazy
        self._started = False
        self._ever_ready = False  # until then a job may wait for a worker's start
        self._start_lock = threading.Lock()
        #: fork the workers from a fork server that set up the handler once (copy-on-write),
        #: where the platform can; elsewhere each worker is spawned and sets it up itself
        self.fork = fork and can_fork()
        if fork and not self.fork:
            log.warning("%s workers are spawned: forking needs Linux with pidfd", self.work)
        self.budget = budget  # a forked worker past it is replaced after its answer
        #: what the running fork server reported: its size, and the budget it gives, in MB
        self.server_mb = 0
        self.budget_mb = 0
        self.queue_timeout = queue_timeout
        self.isolate = isolate  # no network in the worker processes (sandbox.py)
        self.memory_mb = memory_mb  # address space a job may take beyond the set-up; 0: no cap
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
        self._server: tuple[Any, Connection] | None = None  # the fork server: process, pipe
        self._server_lock = threading.Lock()

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
        """Start the workers; without `wait`, on threads of their own (a fork server may load
        a dataset for seconds first, and no caller should wait for that)."""
        self._started = True
        if not wait:
            for _ in range(self.size):
                self._start_in_background()
            return
        workers = [self._spawn() for _ in range(self.size)]
        for worker in workers:
            self._await_ready(worker)
            self._idle.put(worker)

    def _start_once(self) -> None:
        with self._start_lock:
            if self._started:
                return
            self._started = True
        self.start(wait=False)

    def _start_in_background(self) -> None:
        threading.Thread(target=self._spawn_then_idle, daemon=True).start()

    def _spawn_then_idle(self) -> None:
        """Start a worker and make it idle once ready; a start that fails is tried again, in
        this loop, after a pause that grows (RESTART_PAUSE_S)."""
        pause = RESTART_PAUSE_S
        while not self._closed:
            try:
                if self._ready_then_idle(self._spawn()):
                    return
            except (OSError, EOFError, RuntimeError, StartFailed) as exc:
                if self._closed:
                    return
                self.stats.failed_starts += 1
                log.error("%s; trying again in %g s", describe(exc), pause)
            time.sleep(pause)
            pause = min(2 * pause, RESTART_PAUSE_MAX_S)

    def _spawn(self) -> _Worker:
        if self.fork:
            return self._fork()
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

    def _start_server(self) -> tuple[Any, Connection]:
        """Start the fork server (it sets up the handler: loads the dataset) and wait for it."""
        make_handler, args = self.handler()
        check_name(make_handler)
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_fork_server_main,
            args=(child, self.isolate, self.memory_mb, make_handler, args, self.budget, self.merge),
            daemon=True,
            name=f"kg-{self.work}-fork-server",
        )
        process.start()
        child.close()
        try:
            status, *said = parent.recv()
        except EOFError:
            status, said = "died", ["it stopped before it was ready"]
        if status != "ready":
            process.join(timeout=5)
            raise StartFailed(f"the {self.work} processes could not start: {said[0]}")
        confinement, self.server_mb, self.budget_mb, self.merging = said
        self.confinement = confinement
        self.stats.server_starts += 1
        return process, parent

    def _fork(self) -> _Worker:
        """A worker forked by the fork server (started first if need be, or again if it died)."""
        restarted = False
        with self._server_lock:
            for attempt in (1, 2):
                if self._closed:  # a replacement on its way when the pool closed
                    raise StartFailed(f"the {self.work} processes are stopped")
                if self._server is None or not self._server[0].is_alive():
                    self._stop_server()
                    self._server = self._start_server()
                    # each worker holds the pages of the server that forked it: those of an
                    # earlier one are replaced, or the machine holds two copies of the data
                    self._generation += 1
                    restarted = self.stats.server_starts > 1
                control = self._server[1]
                try:
                    control.send("fork")
                    _, pid = control.recv()
                    conn = Connection(recv_handle(control))
                    pidfd = recv_handle(control)
                    break
                except (EOFError, OSError):
                    if attempt == 2:
                        raise
                    self._stop_server()
            worker = _Worker(ForkedProcess(pid, pidfd), conn, self._generation)
        with self._lock:
            self._all.append(worker)
        if restarted:
            self._replace_idle_of_earlier_servers()
        return worker

    def _replace_idle_of_earlier_servers(self) -> None:
        """Replace the idle workers an earlier fork server forked; busy ones are replaced
        when they come back (see _run)."""
        current: list[_Worker] = []
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            if worker.generation == self._generation:
                current.append(worker)
            else:
                self._retire(worker)
        for worker in current:
            self._idle.put(worker)

    def _stop_server(self) -> None:
        if self._server is not None:
            process, control = self._server
            self._server = None
            control.close()  # the server ends at EOF; its workers live on
            # not join(): its sentinel stays open while a worker it forked holds a copy
            ended = time.monotonic() + 2
            while process.is_alive() and time.monotonic() < ended:
                time.sleep(0.005)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)

    def _await_ready(self, worker: _Worker) -> None:
        try:
            status, confinement = worker.conn.recv()
        except EOFError:
            status, confinement = "died", "it stopped before it was ready"
        if status != "ready":
            raise StartFailed(f"the {self.work} processes could not start: {confinement}")
        self.confinement = confinement
        with self._lock:
            self._ready.add(id(worker))
            self._ever_ready = True

    def _ready_then_idle(self, worker: _Worker) -> bool:
        """Wait for a worker's start and make it idle; False if it failed to start (the
        reason is logged, the worker discarded)."""
        try:
            self._await_ready(worker)
        except (EOFError, OSError, RuntimeError, StartFailed) as exc:
            self.stats.failed_starts += 1
            log.error("%s; trying again", describe(exc))
            self._discard(worker)
            return False
        if self._closed:
            self._discard(worker)
        elif worker.generation != self._generation:  # forked by a server since replaced
            self._retire(worker)
        else:
            self._idle.put(worker)
        return True

    def run(self, job: Any, timeout: float) -> Any:
        """Do a job within `timeout` seconds; raise QueryTimeout, Busy or QueryCrashed."""
        self._work.seconds = 0.0  # a job refused or left waiting costs its client nothing
        if self.lazy:
            self._start_once()
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
        # the first jobs wait for the workers to start, within their deadline
        wait = min(self.queue_timeout, timeout) if self._ever_ready else timeout
        try:
            worker = self._idle.get(timeout=wait)
        except queue.Empty:
            self.stats.busy += 1
            raise Busy(
                f"every {self.work} worker is busy; try again shortly", retry_after=1
            ) from None
        if worker.generation != self._generation:  # forked by a server since replaced
            self._retire(worker)
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
        except Exception:  # an answer that cannot be read: the pipe's state is unknown
            log.exception("the answer of a %s process could not be read", self.work)
            self._replace(worker)
            raise WorkFailed(
                f"the {self.work}'s answer could not be read; the error was logged"
            ) from None
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
        status, payload, *retire = reply
        # a forked worker that no longer shares enough of the data, or whose server has been
        # replaced: a fresh one
        if retire or worker.generation != self._generation:
            self._retire(worker)
        else:
            self._idle.put(worker)
        if status == "error":
            raise payload
        return payload

    def _retire(self, worker: _Worker) -> None:
        """Replace a worker that did nothing wrong: past its budget, or forked by a fork
        server since replaced (counted as retired, not as a restart)."""
        self.stats.retired += 1
        self._replace(worker, counted=False)

    def _replace(self, worker: _Worker, counted: bool = True) -> None:
        """Kill a worker and start another; its exit (a process that maps gigabytes takes a
        while to end) is waited for on the new worker's thread, not the caller's."""
        if counted:
            self.stats.restarts += 1
        if not self._forget(worker):
            return  # another thread discards it, and replaces it if need be
        worker.process.kill()
        self._start_in_background()  # the successor need not wait for the exit either
        threading.Thread(target=self._end, args=(worker,), daemon=True).start()

    def _discard(self, worker: _Worker) -> None:
        """Kill a worker and close its pipe, once (see _forget)."""
        if self._forget(worker):
            self._end(worker)

    def _forget(self, worker: _Worker) -> bool:
        """Take a worker out of the pool; False if it was already: two threads may discard
        the same worker (close() and the thread awaiting its start), and a descriptor closed
        twice may by then be another file's."""
        with self._lock:
            if worker.discarded:
                return False
            worker.discarded = True
            self._ready.discard(id(worker))
            if worker in self._all:
                self._all.remove(worker)
        return True

    @staticmethod
    def _end(worker: _Worker) -> None:
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=5)
        worker.conn.close()
        if isinstance(worker.process, ForkedProcess):
            worker.process.close()

    @property
    def ready(self) -> int:
        """Worker processes started and able to take a job (a replaced one is not, yet)."""
        with self._lock:
            return len(self._ready)

    @property
    def processes(self) -> Processes:
        stats = self.stats
        return Processes(
            "forked" if self.fork else "spawned",
            stats.restarts,
            stats.retired,
            stats.server_starts,
            self.server_mb if self.fork else 0,
            self.budget_mb if self.fork else 0,
            self.fork and self.merging and ksm_running(),
        )

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
        with self._server_lock:
            self._stop_server()


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
        fork: bool = False,
        budget: Budget = Budget(),
        remember: tuple[str, ...] = (),
        merge: bool = False,
    ) -> None:
        super().__init__(
            size,
            queue_timeout,
            isolate=isolate,
            memory_mb=memory_mb,
            fork=fork,
            budget=budget,
            merge=merge,
        )
        self.source = source
        self.submissions = submissions
        #: queries whose answers are worked out as the data loads (see query_handler)
        self.remember = remember
        self.data_generation = 0

    def handler(self) -> tuple[MakeHandler, tuple[Any, ...]]:
        folder = str(self.submissions) if self.submissions else None
        return query_handler, (str(self.source), folder, self.remember)

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
