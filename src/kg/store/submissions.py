"""Accepted submissions, kept durably: one N-Quads file each, written atomically.

A submission is its own named graph, ``https://w3id.org/cakg/graph/submission/<id>``, holding
the curator's triples and, about the graph itself, its provenance (curator, time, comment,
cited source, triple count). The file is written to a temporary name, flushed to disk and
renamed into place, so a crash at any moment leaves either the whole submission or none of
it; two submissions never share a file, so concurrent ones are all kept.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import re
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD
from rdflib.term import Node

from ..errors import InputError, InsufficientStorage, NotFound
from ..graph.dataset import derive_years, strip_provenance
from ..graph.parsing import quiet_rdflib_deprecations
from ..namespaces import BASE, KG, SUBMISSION_GRAPHS, VOID, bind_prefixes

CURATORS = BASE + "curator/"
SUFFIX = ".nq"
#: Beside the submissions folder: stored files the engine refused at start, kept for a person.
QUARANTINE = "quarantine"
#: Under VAR_DIR: held shared by every running `kg serve`, and exclusively by `kg export
#: --remove`, so that no submission is taken from under a server that answers it.
SERVING_LOCK = "serving.lock"
_LINE = re.compile(r"(?:Parser error )?at line (\d+)(?: between columns \d+ and \d+)?")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Submission:
    id: str
    graph: str
    curator: str
    created: str
    comment: str
    source: str | None
    triples: int

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "graph": self.graph,
            "curator": self.curator,
            "created": self.created,
            "comment": self.comment,
            "source": self.source,
            "triples": self.triples,
        }


def graph_iri(submission_id: str) -> str:
    return SUBMISSION_GRAPHS + submission_id


#: Longest submission id: it names a file, and file names end at 255 bytes.
MAX_ID_LENGTH = 100


def is_submission_graph(iri: str) -> bool:
    rest = iri[len(SUBMISSION_GRAPHS) :] if iri.startswith(SUBMISSION_GRAPHS) else ""
    return 0 < len(rest) <= MAX_ID_LENGTH and all(
        c.isascii() and (c.isalnum() or c in "-_") for c in rest
    )


class SubmissionStore:
    """The folder of accepted submissions."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        #: each file's curator and subjects, by id, with the (size, mtime) they were read at:
        #: a write asks who else describes its subjects without parsing every submission
        self._index: dict[str, tuple[tuple[int, int], str, frozenset[str]]] = {}
        self.recover()
        #: submissions the engine could not load at start, moved aside to QUARANTINE
        self.quarantined = self.quarantine_unloadable()

    def recover(self) -> None:
        """Drop half-written files left by a crash: they were never renamed into place."""
        for leftover in self.folder.glob("*.tmp"):
            leftover.unlink(missing_ok=True)

    def quarantine_unloadable(self) -> list[str]:
        """Move aside every stored file the engine refuses, so that one bad file (from an older
        version, or put there by hand) cannot stop the service; log each one."""
        moved = []
        for submission_id in self.ids():
            path = self.path(submission_id)
            try:
                check_loadable(path.read_bytes(), f"submission {submission_id}")
            except InputError as exc:
                aside = self.folder.parent / QUARANTINE / path.name
                aside.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, aside)
                log.error("quarantined %s to %s: %s", path, aside, exc.message)
                moved.append(submission_id)
        return moved

    def path(self, submission_id: str) -> Path:
        return self.folder / f"{submission_id}{SUFFIX}"

    def ids(self) -> list[str]:
        return sorted(p.name[: -len(SUFFIX)] for p in self.folder.glob(f"*{SUFFIX}"))

    def manifest(self) -> list[tuple[str, int, int]]:
        """(id, size, modification time) of every file: what the query workers sync on."""
        out = []
        for submission_id in self.ids():
            stat = self.path(submission_id).stat()
            out.append((submission_id, stat.st_size, stat.st_mtime_ns))
        return out

    def new_id(self) -> str:
        return new_id()

    def write(self, submission_id: str, data: bytes) -> None:
        """Store a prepared submission (see :func:`prepare`) under its id, replacing any earlier
        version, atomically."""
        check_loadable(data, "this submission")  # nothing is written that cannot be served
        write_durably(self.path(submission_id), data)

    def remove(self, submission_id: str) -> bool:
        path = self.path(submission_id)
        if not path.exists():
            return False
        path.unlink()
        sync_folder(self.folder)
        with self._lock:
            self._index.pop(submission_id, None)
        return True

    def read(self, submission_id: str) -> Dataset:
        dataset = Dataset()
        bind_prefixes(dataset)
        try:
            handle = self.path(submission_id).open("rb")
        except FileNotFoundError:  # reverted since the folder was listed
            raise NotFound(f"there is no submission {submission_id}") from None
        with handle, quiet_rdflib_deprecations():
            dataset.parse(handle, format="nquads")
        return dataset

    def describe(self, submission_id: str) -> Submission:
        name = URIRef(graph_iri(submission_id))
        return describe_graph(submission_id, self.read(submission_id).graph(name))

    def content(self, submission_id: str) -> Graph:
        """The curator's triples, without the provenance the store added."""
        name = URIRef(graph_iri(submission_id))
        return strip_provenance(name, self.read(submission_id).graph(name))

    def describers(self, subjects: frozenset[str]) -> list[tuple[str, str, str]]:
        """(submission, curator, subject) for each submission describing one of `subjects`.
        Each file is parsed once per version of it (its size and modification time), not at
        every write."""
        found = []
        for submission_id in self.ids():
            try:
                _, curator, described = self._indexed(submission_id)
            except NotFound:  # reverted since the folder was listed
                continue
            found += [(submission_id, curator, s) for s in sorted(described & subjects)]
        return found

    def _indexed(self, submission_id: str) -> tuple[tuple[int, int], str, frozenset[str]]:
        try:
            stat = self.path(submission_id).stat()
        except FileNotFoundError:
            raise NotFound(f"there is no submission {submission_id}") from None
        key = (stat.st_size, stat.st_mtime_ns)
        with self._lock:
            known = self._index.get(submission_id)
        if known is not None and known[0] == key:
            return known
        name = URIRef(graph_iri(submission_id))
        graph = self.read(submission_id).graph(name)
        subjects = frozenset(str(s) for s in strip_provenance(name, graph).subjects())
        entry = (key, describe_graph(submission_id, graph).curator, subjects)
        with self._lock:
            self._index[submission_id] = entry
        return entry


def write_durably(target: Path, data: bytes) -> None:
    """Write a file whole or not at all, and durably before this returns: a temporary file,
    flushed to the disk, renamed over the target, and the rename flushed too. A full disk is
    507, with nothing written and no temporary file left."""
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        with tmp.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)  # atomic on POSIX: readers see the old file or the new one
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise InsufficientStorage(
                "no space is left on the server's disk: nothing was stored; try again later"
            ) from None
        raise
    sync_folder(target.parent)


def sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)  # make a rename or an unlink in it durable
    finally:
        os.close(fd)


def check_terms(graph: Graph, what: str) -> None:
    """Refuse a graph with a term the serving engine cannot hold, read by the engine's own IRI
    and literal parsers (rdflib reads, and may fail to write, what Oxigraph refuses)."""
    for triple in graph:
        for term in triple:
            try:
                _engine_term(term)
            except ValueError as exc:
                raise InputError(
                    f"the store's engine cannot hold {what}: {exc}, in the term {str(term)[:300]}"
                ) from None


def _engine_term(term: Node) -> object:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    return term  # a blank node: a label of ours


def check_loadable(data: bytes, what: str) -> None:
    """Refuse what the engine that serves the data would refuse: it parses it first.

    rdflib, which reads curators' input, accepts IRIs and literals Oxigraph does not (bad
    percent-encoding, ports, language tags; issue 11, finding 3): such a file, once stored,
    would stop every query process from loading the data.
    """
    try:
        for _ in ox.parse(data, format=ox.RdfFormat.N_QUADS):
            pass
    except SyntaxError as exc:
        match = _LINE.search(str(exc))
        lines = data.decode("utf-8", "replace").splitlines()
        number = int(match[1]) if match else 0
        statement = lines[number - 1] if 0 < number <= len(lines) else ""
        detail = _LINE.sub("", str(exc)).strip(" :") or "not valid RDF"
        raise InputError(
            f"the store's engine cannot hold {what}: {detail}"
            + (f", in the statement {statement[:300]}" if statement else "")
        ) from None


def prepare(
    submission_id: str, triples: Graph, curator: str, comment: str, source: str | None
) -> tuple[bytes, Submission]:
    """The submission as the N-Quads to store, checked by the serving engine, and its
    provenance."""
    dataset, submission = build(submission_id, triples, curator, comment, source)
    check_terms(dataset.graph(URIRef(graph_iri(submission_id))), "this submission")
    with quiet_rdflib_deprecations():
        data = dataset.serialize(format="nquads", encoding="utf-8")
    check_loadable(data, "this submission")
    return data, submission


def new_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"


def build(
    submission_id: str, triples: Graph, curator: str, comment: str, source: str | None
) -> tuple[Dataset, Submission]:
    """The submission's named graph: the triples, their derived years, and the provenance."""
    created = datetime.now(UTC).replace(microsecond=0).isoformat()
    name = URIRef(graph_iri(submission_id))
    dataset = Dataset()
    bind_prefixes(dataset)
    graph = dataset.graph(name)
    fresh: dict[Node, Node] = {}

    def relabelled(term: Node) -> Node:
        # blank nodes labelled afresh: a parser may keep the sender's labels (JSON-LD's
        # "_:ev"), and two submissions' nodes must never become one in a merge
        return fresh.setdefault(term, BNode()) if isinstance(term, BNode) else term

    for s, p, o in triples:
        graph.add((relabelled(s), relabelled(p), relabelled(o)))
    derived = set(derive_years(graph))  # kg:year, as the build adds it for documents
    # what the curator stated: a kg:year sent back as the server derived it is not counted
    count = sum(1 for triple in graph if triple not in derived)
    for triple in derived:
        graph.add(triple)
    agent = URIRef(CURATORS + curator)
    graph.add((name, RDF.type, KG.Submission))
    graph.add((name, PROV.wasAttributedTo, agent))
    graph.add((name, DCTERMS.created, Literal(created, datatype=XSD.dateTime)))
    graph.add((name, RDFS.comment, Literal(comment)))
    graph.add((name, VOID.triples, Literal(count)))
    if source:
        graph.add((name, DCTERMS.source, URIRef(source)))
    graph.add((agent, RDF.type, PROV.Agent))
    graph.add((agent, RDFS.label, Literal(curator)))
    return dataset, Submission(submission_id, str(name), curator, created, comment, source, count)


def describe_graph(submission_id: str, graph: Graph) -> Submission:
    """Read a submission's provenance back from its graph."""
    name = URIRef(graph_iri(submission_id))
    agent = graph.value(name, PROV.wasAttributedTo)
    source = graph.value(name, DCTERMS.source)
    return Submission(
        submission_id,
        str(name),
        str(graph.value(agent, RDFS.label)) if agent is not None else "",
        str(graph.value(name, DCTERMS.created)),
        str(graph.value(name, RDFS.comment) or ""),
        str(source) if source is not None else None,
        int(str(graph.value(name, VOID.triples) or 0)),
    )


def serving(var_dir: Path) -> IO[bytes]:
    """Say, for as long as the returned file stays open (this process's life), that a server
    answers the submissions under `var_dir`; waits for an export that is removing them."""
    var_dir.mkdir(parents=True, exist_ok=True)
    handle = (var_dir / SERVING_LOCK).open("ab")
    fcntl.flock(handle, fcntl.LOCK_SH)  # servers share it; the lock ends with the process
    return handle


@contextmanager
def unserved(var_dir: Path) -> Iterator[None]:
    """Hold the submissions under `var_dir` against servers; InputError while one runs."""
    var_dir.mkdir(parents=True, exist_ok=True)
    with (var_dir / SERVING_LOCK).open("ab") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(
                f"a server (`kg serve`) answers the submissions under {var_dir}: --remove "
                "would take them from the graph it serves until the data is rebuilt and the "
                "server restarted. Stop the server first, or export without --remove"
            ) from None
        yield
