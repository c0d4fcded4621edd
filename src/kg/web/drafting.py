"""Drafting for the review page: the curator's assistant in a killable process, and the
drafts it makes, each in a folder of its own under ``<VAR_DIR>/drafts/``.

spaCy and the linker take seconds and hundreds of MB: in the web process one article would
hold a thread and the interpreter's lock for that long. So drafting runs like validation, in a
worker process (one, started on first use) with a deadline (``EXTRACT_TIMEOUT_S``, then 503)
and no network; the worker builds the linker once per version of the data, from the same
N-Quads snapshot the validation processes read. Its handler, :mod:`kg.assist.worker`, is named,
not imported: this module, and so the web process, never loads spaCy.

A draft's folder is never served as data and never read into the graph: it holds the
article's text, ``draft.ttl``, ``review.json`` (what the review page shows), ``record.json``
(the document's record, who drafted it and when) and, once submitted, ``submitted.json``. Only
the curator who drafted it may read or submit it (kg.web.assist); it is submitted once, and
removed ``DRAFTS_MAX_AGE_S`` after it was made.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from rdflib import Graph

from ..errors import Conflict, NotFound
from ..namespaces import bind_prefixes
from ..store.pool import MakeHandler, WorkerPool

#: A draft's id: 32 random hex digits, so that one curator's draft is not found by guessing.
DRAFT_ID = re.compile(r"[0-9a-f]{32}")
#: A draft folder being written (renamed to its id when whole), left behind by a crash.
PARTIAL = re.compile(r"\.([0-9a-f]{32})\.partial")
#: The drafting process's handler, by name: imported in that process only (kg.store.pool),
#: so that the web process never loads spaCy and the linker.
HANDLER = "kg.assist.worker:draft"
#: In a draft's folder: who drafted it and the document's record; the mark of its submission.
RECORD, SUBMITTED = "record.json", "submitted.json"
#: A submit's claim older than this was left by a server stopped mid-submit (a submission's
#: validation is stopped long before: VALIDATION_TIMEOUT_S).
STALE_CLAIM_S = 3600.0


@dataclass(frozen=True)
class DraftJob:
    """An article as the curator sent it, and the stored graph to link it against; sent to
    the drafting process as a plain dict (kg.assist.worker.JOB_KEYS)."""

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
class DraftRecord:
    """The new document's record, as kg.assist.document.DocumentRecord gives it, with its
    triples as the assistant wrote them (this process keeps none of the assistant's code)."""

    iri: str
    label: str
    file_name: str
    sha256: str
    turtle: str
    title: str | None = None
    date: str | None = None
    url: str | None = None
    publisher: str | None = None

    def graph(self) -> Graph:
        graph = bind_prefixes(Graph())
        graph.parse(data=self.turtle, format="turtle")  # written by the assistant: no input
        return graph

    @classmethod
    def of(cls, record: Mapping[str, Any], turtle: str) -> DraftRecord:
        known = {f.name for f in fields(cls)} - {"turtle"}
        return cls(turtle=turtle, **{k: v for k, v in record.items() if k in known})


@dataclass(frozen=True)
class Drafted:
    """What the drafting process sends back."""

    text: str
    record: DraftRecord
    registered: str | None
    turtle: bytes
    review: dict[str, Any]

    @classmethod
    def of(cls, reply: Mapping[str, Any]) -> Drafted:
        record = DraftRecord.of(reply["record"], str(reply["record_turtle"]))
        return cls(reply["text"], record, reply["registered"], reply["turtle"], reply["review"])


class DraftPool(WorkerPool):
    """One drafting process, started when the first article comes (most servers never draft)."""

    work = "drafting"

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.timeout = float(settings["EXTRACT_TIMEOUT_S"])
        super().__init__(
            1,
            # one process, whose drafts take seconds: a second article waits for the first
            queue_timeout=self.timeout,
            isolate=True,  # drafting never needs the network
            memory_mb=int(settings["VALIDATION_MEMORY_MB"]),
            max_waiting=4,
            lazy=True,
        )

    def handler(self) -> tuple[MakeHandler, tuple[Any, ...]]:
        return HANDLER, ()

    def draft(self, job: DraftJob) -> Drafted:
        return Drafted.of(self.run(asdict(job), self.timeout))


# ------------------------------------------------------------------------------ draft folders


def drafts_folder(settings: Mapping[str, Any]) -> Path:
    return Path(settings["VAR_DIR"]) / "drafts"


def save(drafts_dir: Path, drafted: Drafted, curator: str, max_age: float = 0) -> str:
    """Keep a draft in a new folder of its own; return its id. The folder is written under a
    temporary name and renamed, so a reader never sees half a draft. Drafts older than
    `max_age` seconds go first (see prune)."""
    prune(drafts_dir, max_age)
    draft_id = secrets.token_hex(16)
    drafts_dir.mkdir(parents=True, exist_ok=True)
    partial = drafts_dir / f".{draft_id}.partial"
    partial.mkdir()
    (partial / Path(drafted.record.file_name).name).write_text(drafted.text, "utf-8")
    (partial / "draft.ttl").write_bytes(drafted.turtle)
    review = dict(drafted.review)
    (partial / "review.json").write_text(json.dumps(review, ensure_ascii=False), "utf-8")
    about = {
        "record": asdict(drafted.record),
        "registered": drafted.registered,
        "curator": curator,
        "created": time.time(),
    }
    (partial / RECORD).write_text(json.dumps(about, ensure_ascii=False), "utf-8")
    os.replace(partial, drafts_dir / draft_id)
    return draft_id


@dataclass(frozen=True)
class StoredDraft:
    """A draft as read back from its folder."""

    id: str
    folder: Path
    record: DraftRecord
    registered: str | None
    curator: str
    review: dict[str, Any]

    @property
    def text(self) -> str:
        return str(self.review["text"])

    @property
    def document(self) -> str:
        return str(self.review["document"])

    def submitted(self) -> dict[str, Any] | None:
        """The mark of its submission ({"state": "submitting"} while one runs), if any."""
        try:
            mark: dict[str, Any] = json.loads((self.folder / SUBMITTED).read_text("utf-8"))
        except FileNotFoundError:
            return None
        except ValueError:  # half written by a crash: still taken, never submitted twice
            return {"state": "submitting"}
        return mark


def load(drafts_dir: Path, draft_id: str) -> StoredDraft:
    """The draft of that id; 404 for an id that is malformed or unknown."""
    folder = drafts_dir / draft_id
    if not DRAFT_ID.fullmatch(draft_id) or not folder.is_dir():
        raise NotFound(f"there is no draft {draft_id}")
    try:
        about = json.loads((folder / RECORD).read_text("utf-8"))
        review = json.loads((folder / "review.json").read_text("utf-8"))
    except FileNotFoundError:  # removed (pruned) while we looked
        raise NotFound(f"there is no draft {draft_id}") from None
    try:
        record = DraftRecord(**about["record"])
        return StoredDraft(draft_id, folder, record, about["registered"], about["curator"], review)
    except (KeyError, TypeError):  # written by an earlier version, without the record's Turtle
        raise NotFound(
            f"draft {draft_id} was made by an earlier version of the server and cannot be "
            "read; draft the article again"
        ) from None


# ------------------------------------------------------------------------------ submitting once


def claim(draft: StoredDraft, stale_after: float = STALE_CLAIM_S) -> None:
    """Take the draft for one submission; 409 when it is submitted already, or being
    submitted. The mark is made with O_EXCL, so two submits at once cannot both take it; a
    claim older than `stale_after` seconds was left by a server that stopped mid-submit."""
    mark_file = draft.folder / SUBMITTED
    try:
        handle = os.open(mark_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        mark = draft.submitted() or {}
        if mark.get("state") == "submitted":
            raise Conflict(
                f"this draft was submitted already, as {mark.get('location')}; "
                "make a new draft to submit more of the article"
            ) from None
        if _older_than(mark_file, stale_after) and _set_aside(mark_file):
            return claim(draft, stale_after)
        raise Conflict("this draft is being submitted now; wait for that answer") from None
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump({"state": "submitting"}, out)


def _older_than(path: Path, seconds: float) -> bool:
    try:
        return path.stat().st_mtime < time.time() - seconds
    except FileNotFoundError:
        return False


def _set_aside(stale: Path) -> bool:
    """Remove a stale claim; renamed first, so that of two submits only one removes it."""
    aside = stale.with_name(f".{stale.name}.{secrets.token_hex(8)}.stale")
    try:
        stale.rename(aside)
    except FileNotFoundError:
        return False
    aside.unlink(missing_ok=True)
    return True


def release(draft: StoredDraft) -> None:
    """The submission did not happen (invalid facts, a busy server): it may be tried again."""
    (draft.folder / SUBMITTED).unlink(missing_ok=True)


def mark_submitted(draft: StoredDraft, submission_id: str, location: str) -> None:
    """Record the submission (written whole, then renamed over the claim)."""
    partial = draft.folder / f".{SUBMITTED}.{secrets.token_hex(8)}.partial"
    mark = {"state": "submitted", "submission": submission_id, "location": location}
    partial.write_text(json.dumps(mark), "utf-8")
    os.replace(partial, draft.folder / SUBMITTED)


# ------------------------------------------------------------------------------ clean-up


def prune(drafts_dir: Path, max_age: float, now: float | None = None) -> list[str]:
    """Remove the drafts made more than `max_age` seconds ago (0: keep every draft), and
    half-written ones as old; return their names. Only folders named as drafts are, under
    `drafts_dir`, are touched: nothing else of VAR_DIR, no link followed."""
    if max_age <= 0 or not drafts_dir.is_dir():
        return []
    cutoff = (time.time() if now is None else now) - max_age
    removed = []
    for entry in os.scandir(drafts_dir):
        named = DRAFT_ID.fullmatch(entry.name) or PARTIAL.fullmatch(entry.name)
        if not named or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            made = _made(Path(entry.path))
        except FileNotFoundError:  # removed by another prune meanwhile
            continue
        if made < cutoff:
            shutil.rmtree(entry.path, ignore_errors=True)  # another prune may race this one
            removed.append(entry.name)
    return removed


def _made(folder: Path) -> float:
    """When a draft was made: its record's time; for a half-written one, its folder's."""
    try:
        return float(json.loads((folder / RECORD).read_text("utf-8"))["created"])
    except (OSError, ValueError, KeyError, TypeError):
        return folder.stat().st_mtime
