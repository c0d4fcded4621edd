"""Drafting for the review page: the curator's assistant in a killable process, and the
drafts it makes, each in a folder of its own under ``<VAR_DIR>/drafts/``.

spaCy and the linker take seconds and hundreds of MB: in the web process one article would
hold a thread and the interpreter's lock for that long. So drafting runs like validation, in a
worker process (one, started on first use) with a deadline (``EXTRACT_TIMEOUT_S``, then 503)
and no network; the worker builds the linker once per version of the data, from the same
N-Quads snapshot the validation processes read.

A draft's folder is never served as data and never read into the graph: it holds the
article's text, ``draft.ttl``, ``review.json`` (what the review page shows) and ``record.json``
(the document's record and who drafted it).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from ..assist.document import DocumentError, DocumentRecord
from ..assist.extract import extract
from ..assist.linking import Linker
from ..assist.text import SourceError, read_source
from ..errors import NotFound, ProtocolError
from ..store.interface import rdflib_merge
from ..store.pool import Handler, WorkerPool

#: A draft's id: 32 random hex digits, so that one curator's draft is not found by guessing.
DRAFT_ID = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class DraftJob:
    """An article as the curator sent it, and the stored graph to link it against."""

    data: bytes
    file_name: str
    media_type: str | None
    max_bytes: int
    context: str  # the N-Quads snapshot of the stored dataset
    context_version: str
    title: str | None = None
    date: str | None = None
    url: str | None = None
    publisher: str | None = None


@dataclass(frozen=True)
class Drafted:
    """What the worker sends back: plain data, cheap to pickle."""

    text: str
    record: DocumentRecord
    registered: str | None
    turtle: bytes
    review: dict[str, Any]


def draft_handler() -> Handler:
    """A worker's handler: the linker built once per version of the stored data."""
    linkers: dict[str, tuple[Graph, Linker]] = {}

    def context(job: DraftJob) -> tuple[Graph, Linker]:
        if job.context_version not in linkers:
            linkers.clear()  # only the current version is asked for again
            graph = rdflib_merge(ox.parse(path=job.context, format=ox.RdfFormat.N_QUADS))
            linkers[job.context_version] = (graph, Linker.from_graph(graph))
        return linkers[job.context_version]

    def handle(job: DraftJob) -> Drafted:
        graph, linker = context(job)
        try:
            source = read_source(
                job.data, job.file_name, max_bytes=job.max_bytes, media_type=job.media_type
            )
            draft = extract(
                source,
                graph,
                linker=linker,
                title=job.title,
                date=job.date,
                url=job.url,
                publisher=job.publisher,
            )
        except (SourceError, DocumentError) as exc:
            # the curator's mistake, in the assistant's one line: a 400, not a server error
            raise ProtocolError(str(exc)) from None
        turtle = draft.graph.serialize(format="turtle", encoding="utf-8")
        return Drafted(draft.text, draft.record, draft.registered, turtle, draft.review)

    return handle


class DraftPool(WorkerPool):
    """One drafting process, started when the first article comes (most servers never draft)."""

    work = "drafting"

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.timeout = float(settings["EXTRACT_TIMEOUT_S"])
        super().__init__(
            1,
            # the first job waits for the process to start (spaCy loads in seconds)
            queue_timeout=self.timeout,
            isolate=True,  # drafting never needs the network
            memory_mb=int(settings["VALIDATION_MEMORY_MB"]),
            max_waiting=4,
        )
        self._started = False
        self._start_lock = threading.Lock()

    def handler(self) -> tuple[Callable[..., Handler], tuple[Any, ...]]:
        return draft_handler, ()

    def draft(self, job: DraftJob) -> Drafted:
        with self._start_lock:
            if not self._started:
                self.start(wait=False)
                self._started = True
        drafted: Drafted = self.run(job, self.timeout)
        return drafted


# ------------------------------------------------------------------------------ draft folders


def drafts_folder(settings: Mapping[str, Any]) -> Path:
    return Path(settings["VAR_DIR"]) / "drafts"


def save(drafts_dir: Path, drafted: Drafted, curator: str) -> str:
    """Keep a draft in a new folder of its own; return its id. The folder is written under a
    temporary name and renamed, so a reader never sees half a draft."""
    draft_id = secrets.token_hex(16)
    drafts_dir.mkdir(parents=True, exist_ok=True)
    partial = drafts_dir / f".{draft_id}.partial"
    partial.mkdir()
    (partial / Path(drafted.record.file_name).name).write_text(drafted.text, "utf-8")
    (partial / "draft.ttl").write_bytes(drafted.turtle)
    review = dict(drafted.review)
    (partial / "review.json").write_text(json.dumps(review, ensure_ascii=False), "utf-8")
    about = {"record": asdict(drafted.record), "registered": drafted.registered, "curator": curator}
    (partial / "record.json").write_text(json.dumps(about, ensure_ascii=False), "utf-8")
    os.replace(partial, drafts_dir / draft_id)
    return draft_id


@dataclass(frozen=True)
class StoredDraft:
    """A draft as read back from its folder."""

    id: str
    folder: Path
    record: DocumentRecord
    registered: str | None
    curator: str
    review: dict[str, Any]

    @property
    def text(self) -> str:
        return str(self.review["text"])

    @property
    def document(self) -> str:
        return str(self.review["document"])


def load(drafts_dir: Path, draft_id: str) -> StoredDraft:
    """The draft of that id; 404 for an id that is malformed or unknown."""
    folder = drafts_dir / draft_id
    if not DRAFT_ID.fullmatch(draft_id) or not folder.is_dir():
        raise NotFound(f"there is no draft {draft_id}")
    about = json.loads((folder / "record.json").read_text("utf-8"))
    review = json.loads((folder / "review.json").read_text("utf-8"))
    return StoredDraft(
        draft_id,
        folder,
        DocumentRecord(**about["record"]),
        about["registered"],
        about["curator"],
        review,
    )
