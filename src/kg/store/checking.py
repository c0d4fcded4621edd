"""Check curators' additions in worker processes: parse, refuse what the engine cannot hold,
validate in the context of the stored graph, and prepare the file to store.

Parsing RDF and running SHACL over the whole graph can take seconds and much memory: in the
web process a 1.25 MB Turtle body once took 72 s and kept 530 MB, and 32 small concurrent
validations blocked every other request for 33 s (issue 11, finding 4). Here that work runs
in killable processes, like queries: with a deadline (``VALIDATION_TIMEOUT_S``), a triple
limit (``MAX_SUBMISSION_TRIPLES``), a memory cap (``VALIDATION_MEMORY_MB``), no network, and
a bound on how many requests may wait for them.

The stored graph reaches the workers as an N-Quads snapshot, written now and then, and the
changes since; each worker parses the snapshot once and applies each change once.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import shutil
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, BNode, Graph, URIRef

from ..errors import EmptySubmission, InputError, PayloadTooLarge
from ..graph.dataset import text_folders
from ..graph.parsing import parse_text
from ..graph.reach import Reach, Triple
from ..graph.report import Report
from ..graph.validate import load_shapes, validate
from ..graph.vocabulary import Vocabulary
from ..namespaces import BASE, KG, ONTOLOGY_GRAPH
from .interface import Store, rdflib_triple
from .pool import Handler, WorkerPool
from .submissions import Submission, check_terms, graph_iri, prepare

#: What rdflib and Oxigraph call the formats Oxigraph can count quickly before rdflib parses.
_COUNTABLE = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}


@dataclass(frozen=True)
class Part:
    """One graph as a curator sent it."""

    text: str
    rdf_format: str  # rdflib's name: turtle, nt, json-ld, xml
    source: str  # where it came from, for messages: "body", "data", a file name


@dataclass(frozen=True)
class Addition:
    """What a curator sent: a body, or the file parts of a form, whose graphs are merged (the
    Graph Store protocol's multipart POST)."""

    parts: tuple[Part, ...]


@dataclass(frozen=True)
class Keep:
    """What to store the addition as, if it conforms."""

    submission_id: str
    curator: str
    comment: str
    source: str | None  # as the curator gave it; None: the one document the facts cite


@dataclass(frozen=True)
class Delta:
    """What a write changed in the stored dataset: the graphs whose content changed (or that
    are gone), and their content now, as N-Quads."""

    graphs: tuple[str, ...]  # "" is the default graph
    quads: bytes


@dataclass(frozen=True)
class Snapshot:
    """The stored dataset as the validation processes read it: a file of N-Quads, written
    now and then, and the changes since, in order. A process that has read the file keeps it
    and applies only the changes it has not seen: reading the whole file again for each
    write took three times as long as the validation."""

    path: str  # named by a count: unique for the life of the pool
    deltas: tuple[Delta, ...] = ()


@dataclass(frozen=True)
class CheckJob:
    addition: Addition
    context: Snapshot  # the stored dataset
    #: N-Triples of the graph being replaced, merged into the addition when `merge` (a Graph
    #: Store POST)
    old: bytes | None = None
    #: the graph being replaced: what only it states is left out of the context
    replacing: str | None = None
    merge: bool = False
    keep: Keep | None = None
    max_triples: int = 10_000
    #: a revert: the stored data without `replacing` is validated, and nothing is added
    removing: bool = False


@dataclass(frozen=True)
class Checked:
    report: Report
    subjects: frozenset[str]  # the IRIs the addition describes
    #: when the job asked to keep it and it conforms: the file to store, and its provenance
    data: bytes | None = None
    submission: Submission | None = None


def check_shape_of(addition: Graph) -> None:
    """Refuse empty and blank-node-only additions, and what the serving engine cannot hold,
    with an answer a curator can act on."""
    check_terms(addition, "this addition")
    if not len(addition):
        raise EmptySubmission("the submission holds no statements")
    if all(isinstance(s, BNode) for s in addition.subjects()):
        raise EmptySubmission(
            "every statement is about a blank node; name the things you "
            "describe with IRIs (e.g. https://w3id.org/cakg/event/…)"
        )


def _too_many(count: int, limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"the addition holds {count} or more triples; at most {limit} are taken at once "
        "(MAX_SUBMISSION_TRIPLES): split it into several submissions"
    )


def read(addition: Addition, max_triples: int) -> Graph:
    """Parse an addition (the merge of its parts), refusing one over the triple limit."""
    first, *others = (_read_part(part, max_triples) for part in addition.parts)
    for graph in others:
        first += graph  # blank nodes stay apart: each parse labels its own afresh
    if len(first) > max_triples:
        raise _too_many(len(first), max_triples)
    return first


#: What relative IRIs of an addition resolve against, for both parsers that read it.
SUBMITTED = BASE + "submitted/"


def _read_part(part: Part, max_triples: int) -> Graph:
    """Parse one part, refusing one over the triple limit before rdflib reads it all."""
    fast = _COUNTABLE.get(part.rdf_format)
    if fast is not None:
        count = 0
        try:
            # with rdflib's base: a relative IRI must not stop the count on line 1
            text = part.text.encode("utf-8")
            for _ in ox.parse(text, format=fast, base_iri=SUBMITTED):
                count += 1
                if count > max_triples:
                    raise _too_many(count, max_triples)
        except SyntaxError:
            pass  # rdflib's parser says where, in its words, just below
    graph = parse_text(part.text, part.rdf_format, source=part.source, base=SUBMITTED)
    if len(graph) > max_triples:
        raise _too_many(len(graph), max_triples)
    return graph


def _check_source(keep: Keep | None, graph: Graph) -> None:
    """The document a curator names as a submission's source must be one the graph has."""
    if (
        keep is not None
        and keep.source
        and (URIRef(keep.source), RDF.type, KG.Document) not in graph
    ):
        raise InputError(
            f"source {keep.source[:300]} is not a document of the graph: name a kg:Document "
            "(doc:…) the graph or this submission has, or leave the source out (the document "
            "the quotes cite is taken)"
        )


def _cited_source(addition: Graph) -> str | None:
    cited = sorted({str(o) for o in addition.objects(None, KG.source)})
    return cited[0] if len(cited) == 1 else None


#: How much lower than queries' the validation processes' CPU priority is (nice(2)): a burst of
#: validations slows curators, not the readers of the endpoint.
NICENESS = 10


def check_handler(shapes_dir: str, foreign: bool, documents_dir: str, *beside: str) -> Handler:
    """A worker's handler: shapes loaded once, the stored graph once per version. Quotes are
    checked against the texts in `documents_dir`, else in the folders `beside` (the texts of
    documents the review page registered, which live outside the data folder)."""
    os.nice(NICENESS)
    shapes = load_shapes(Path(shapes_dir))
    reach = Reach.of(shapes)  # None: every validation judges every node
    folders = [Path(folder) for folder in beside]
    contexts: dict[str, Context] = {}

    def stored(job: CheckJob) -> Context:
        snapshot = job.context
        if snapshot.path not in contexts:
            contexts.clear()  # only the current file is ever asked for again
            contexts[snapshot.path] = Context(Path(snapshot.path), shapes)
        context = contexts[snapshot.path]
        context.catch_up(snapshot.deltas)
        return context

    def handle(job: CheckJob) -> Checked:
        context = stored(job)
        addition = Graph()
        new: Graph | None = None
        if not job.removing:
            new = addition = read(job.addition, job.max_triples)
            if job.merge and job.old is not None:
                addition = Graph().parse(data=job.old, format="nt") + addition
            check_shape_of(addition)
        with context.changed(job.replacing, addition) as (graph, changed):
            _check_source(job.keep, graph)
            report = validate(
                graph,
                shapes,
                Path(documents_dir),
                *folders,
                new=new,  # what was stored before was judged when it was sent
                vocabulary=context.vocabulary,
                foreign=foreign,
                changed=(reach, changed),
            )
        if job.removing:
            return Checked(report, frozenset())
        subjects = frozenset(str(s) for s in addition.subjects() if isinstance(s, URIRef))
        if job.keep is None or not report.conforms:
            return Checked(report, subjects)
        keep = job.keep
        source = keep.source or _cited_source(addition)
        data, submission = prepare(keep.submission_id, addition, keep.curator, keep.comment, source)
        return Checked(report, subjects, data, submission)

    return handle


class Context:
    """The stored dataset as additions are validated against it: the RDF merge, and what each
    graph alone states, so that a graph being replaced takes out only its own triples (issue
    12: subtracting the old version took out base triples it had restated)."""

    def __init__(self, snapshot: Path, shapes: Graph) -> None:
        self.merge = Graph()
        self.stated_by: dict[str, set[Triple]] = {}
        self._graphs_of: Counter[Triple] = Counter()
        self._add(ox.parse(path=str(snapshot), format=ox.RdfFormat.N_QUADS))
        self._shapes = shapes
        self._applied = 0  # how many of the snapshot's changes this context holds
        self.vocabulary = self._vocabulary()

    def _vocabulary(self) -> Vocabulary:
        """What an addition may say: the stored ontology's terms, never the addition's own."""
        ontology = Graph()
        for triple in self.stated_by.get(str(ONTOLOGY_GRAPH), ()):
            ontology.add(triple)
        return Vocabulary.of(ontology, self._shapes)

    def catch_up(self, deltas: tuple[Delta, ...]) -> None:
        """Apply the changes since the snapshot that this context has not applied yet."""
        ontology = False
        for delta in deltas[self._applied :]:
            ontology |= str(ONTOLOGY_GRAPH) in delta.graphs
            for key in delta.graphs:
                for triple in self.stated_by.pop(key, set()):
                    self._graphs_of[triple] -= 1
                    if self._graphs_of[triple] <= 0:
                        del self._graphs_of[triple]
                        self.merge.remove(triple)
            self._add(ox.parse(delta.quads, format=ox.RdfFormat.N_QUADS))
        self._applied = len(deltas)
        if ontology:
            self.vocabulary = self._vocabulary()

    def _add(self, quads: Iterable[ox.Quad]) -> None:
        for quad in quads:
            triple = rdflib_triple(quad)
            self.stated_by.setdefault(_graph_key(quad), set()).add(triple)
            self._graphs_of[triple] += 1
            self.merge.add(triple)

    @contextmanager
    def changed(
        self, replacing: str | None, addition: Graph
    ) -> Iterator[tuple[Graph, list[Triple]]]:
        """The merge without what only `replacing` states and with `addition`, and the
        statements that differ, for the time of a validation (the merge is put back after:
        copying it took longer than validating what the change can affect)."""
        own = self.stated_by.get(replacing, set()) if replacing else set()
        taken = [t for t in own if self._graphs_of[t] == 1]
        for triple in taken:
            self.merge.remove(triple)
        added = [t for t in addition if t not in self.merge]
        for triple in added:
            self.merge.add(triple)
        try:
            yield self.merge, taken + added
        finally:
            for triple in added:
                self.merge.remove(triple)
            for triple in taken:
                self.merge.add(triple)


def _graph_key(quad: ox.Quad) -> str:
    name = quad.graph_name
    return name.value if isinstance(name, ox.NamedNode) else ""


def registered_documents(settings: Mapping[str, Any]) -> Path:
    """The folder of the texts of documents registered over the web (the review page): under
    VAR_DIR, since the data folder is the curated checkout's and the server never writes it."""
    return Path(settings["VAR_DIR"]) / "documents"


def snapshot_folder(parent: Path) -> Path:
    """A folder of this process's own under `parent`, for its snapshots; the folders of
    servers that were killed (so never cleaned up after themselves) are removed."""
    parent.mkdir(parents=True, exist_ok=True)
    for folder in parent.iterdir():
        if folder.name.isdigit() and not _alive(int(folder.name)):
            shutil.rmtree(folder, ignore_errors=True)
    own = parent / str(os.getpid())
    own.mkdir(exist_ok=True)
    return own


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: alive all the same
    return True


#: Changes a snapshot carries before it is written out whole again: each job carries them all.
MAX_DELTAS = 32
MAX_DELTA_BYTES = 4_000_000


def _n_quads(quads: Iterable[ox.Quad]) -> bytes:
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""


def _digest(n_quads: bytes) -> bytes:
    """A graph's content, whatever order a store gives it in."""
    lines = sorted(n_quads.splitlines())
    return hashlib.blake2b(b"\n".join(lines), digest_size=16).digest()


class CheckPool(WorkerPool):
    """Validation processes, and the snapshot of the stored graph they validate against."""

    work = "validation"

    def __init__(self, settings: Mapping[str, Any]) -> None:
        size = int(settings["VALIDATION_WORKERS"])
        super().__init__(
            size,
            queue_timeout=float(settings["QUEUE_TIMEOUT_S"]),
            isolate=True,  # validation never needs the network
            memory_mb=int(settings["VALIDATION_MEMORY_MB"]),
            max_waiting=4 * size,
            lazy=True,  # its process (pyshacl, rdflib) starts with the first validation
        )
        self.shapes_dir = str(settings["SHAPES_DIR"])
        self.foreign = bool(settings["FOREIGN_STATEMENTS"])
        #: the data's texts, then those of documents registered through the review page
        folders = (*text_folders(Path(settings["DATA_DIR"])), registered_documents(settings))
        self.text_folders = tuple(str(folder) for folder in folders)
        self.timeout = float(settings["VALIDATION_TIMEOUT_S"])
        self.max_triples = int(settings["MAX_SUBMISSION_TRIPLES"])
        self._folder = snapshot_folder(Path(settings["VAR_DIR"]) / "validation")
        self._snapshot: Snapshot | None = None
        self._version: str | None = None  # of the store, when the snapshot was brought up to date
        self._digests: dict[str, bytes] = {}  # of each graph's content then
        self._previous: Path | None = None  # the file before the snapshot's own
        self._numbers = itertools.count(1)
        self._snapshot_lock = threading.Lock()

    def handler(self) -> tuple[Callable[..., Handler], tuple[Any, ...]]:
        return check_handler, (self.shapes_dir, self.foreign, *self.text_folders)

    def snapshot(self, store: Store, whole: bool = False) -> Snapshot:
        """The stored dataset: the snapshot file, with a change for each version since; if
        `whole`, a file that holds it all (for a reader that reads no changes)."""
        with self._snapshot_lock:
            version = store.version
            old = self._snapshot
            if old is not None and self._version == version and not (whole and old.deltas):
                return old
            by_graph: dict[str, list[ox.Quad]] = {}
            for quad in store.quads():
                by_graph.setdefault(_graph_key(quad), []).append(quad)
            # each graph serialised once: for its digest, and for the file or the change
            texts = {key: _n_quads(content) for key, content in by_graph.items()}
            digests = {key: _digest(text) for key, text in texts.items()}
            carried = sum(len(d.quads) for d in old.deltas) if old else 0
            if old is None or whole or len(old.deltas) >= MAX_DELTAS or carried > MAX_DELTA_BYTES:
                # named by a count, not the version: two snapshots must never share a file
                path = self._folder / f"context-{next(self._numbers)}.nq"
                path.write_bytes(b"".join(texts.values()))
                # a job sent just before may still name the last file: the one before goes
                if self._previous is not None:
                    self._previous.unlink(missing_ok=True)
                self._previous = Path(old.path) if old is not None else None
                self._snapshot = Snapshot(str(path))
            else:
                same = {g for g, digest in digests.items() if self._digests.get(g) == digest}
                graphs = sorted((digests.keys() | self._digests.keys()) - same)
                change = Delta(tuple(graphs), b"".join(texts.get(g, b"") for g in graphs))
                self._snapshot = Snapshot(old.path, (*old.deltas, change))
            self._version, self._digests = version, digests
            return self._snapshot

    def check(
        self,
        store: Store,
        addition: Addition,
        *,
        old: Graph | None = None,
        merge: bool = False,
        keep: Keep | None = None,
    ) -> Checked:
        job = CheckJob(
            addition,
            self.snapshot(store),
            old=old.serialize(format="nt", encoding="utf-8") if old is not None else None,
            replacing=graph_iri(keep.submission_id) if old is not None and keep else None,
            merge=merge,
            keep=keep,
            max_triples=self.max_triples,
        )
        checked: Checked = self.run(job, self.timeout)
        return checked

    def check_removal(self, store: Store, submission_id: str) -> Checked:
        """Validate the stored data as it would be without a submission: a revert may leave
        another curator's facts pointing at what it took away."""
        job = CheckJob(
            Addition(()), self.snapshot(store), replacing=graph_iri(submission_id), removing=True
        )
        checked: Checked = self.run(job, self.timeout)
        return checked

    def close(self) -> None:
        super().close()
        with self._snapshot_lock:
            shutil.rmtree(self._folder, ignore_errors=True)  # the snapshot with it
