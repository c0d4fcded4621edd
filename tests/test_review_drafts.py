"""The review page's drafts as the server keeps them (issue 14): removed DRAFTS_MAX_AGE_S after
they were made, on start and when a new draft is made, and nothing else of VAR_DIR touched;
and the web process that keeps them never loads spaCy, which only the drafting process needs
(its handler is named, "kg.assist.worker:draft", and imported in that process alone)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from kg.errors import Conflict, NotFound
from kg.store.pool import Handler, WorkerPool, resolve
from kg.web.drafting import (
    Drafted,
    DraftRecord,
    StoredDraft,
    claim,
    load,
    mark_submitted,
    prune,
    release,
    save,
)

WEEK = 7 * 24 * 3600
OLD = "a" * 32
NEW = "b" * 32


def a_draft(folder: Path, made: float) -> Path:
    """A draft folder as drafting.save writes it, made at `made`."""
    folder.mkdir(parents=True)
    (folder / "record.json").write_text(json.dumps({"curator": "alice", "created": made}))
    (folder / "review.json").write_text("{}")
    return folder


def test_only_drafts_older_than_the_age_are_removed(tmp_path: Path) -> None:
    var = tmp_path / "var"
    drafts = var / "drafts"
    now = time.time()
    a_draft(drafts / OLD, now - WEEK - 60)
    a_draft(drafts / NEW, now - WEEK + 60)
    half = drafts / f".{'c' * 32}.partial"  # left by a crash while saving
    half.mkdir()
    os.utime(half, (now - WEEK - 60, now - WEEK - 60))
    # what is not a draft is never touched, however old
    others = [drafts / "notes", var / "submissions", drafts / ("d" * 31)]
    for folder in others:
        folder.mkdir(parents=True)
        os.utime(folder, (0, 0))
    (drafts / "README").write_text("keep me")
    os.utime(drafts / "README", (0, 0))
    outside = a_draft(tmp_path / "elsewhere", 0)
    (drafts / ("e" * 32)).symlink_to(outside)  # a link named as a draft is not followed

    assert prune(drafts, 0) == []  # 0: drafts are kept for ever
    assert sorted(prune(drafts, WEEK, now)) == sorted([OLD, half.name])
    assert not (drafts / OLD).exists() and not half.exists()
    assert (drafts / NEW).is_dir()
    assert all(folder.is_dir() for folder in others)
    assert (drafts / "README").read_text() == "keep me"
    assert (outside / "record.json").is_file()


def test_old_drafts_are_removed_when_the_server_starts(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    drafts = tmp_path / "drafts"
    a_draft(drafts / OLD, time.time() - 120)
    a_draft(drafts / NEW, time.time())
    make_app(VAR_DIR=tmp_path, DRAFTS_MAX_AGE_S=60)
    assert not (drafts / OLD).exists()
    assert (drafts / NEW).is_dir()


# ------------------------------------------------------------------------------ no spaCy


#: Starts the app, drafts an article through it, and says which modules of the assistant's
#: language processing the web process holds: none may be there.
NO_SPACY = """
import json, sys
from kg.web import create_app
app = create_app({"BUILD_DIR": sys.argv[1], "VAR_DIR": sys.argv[2], "QUERY_WORKERS": 1,
                  "CURATOR_TOKENS": "alice=tok-alice"})
heavy = ("spacy", "kg.assist.linking", "kg.assist.text", "kg.assist.extract", "kg.assist.worker")
def loaded():
    return sorted(m for m in sys.modules if m.split(".")[0] == "spacy" or m in heavy)
started = loaded()
answer = app.test_client().post(
    "/curate/review",
    data={"text": "A jazz concert was held in Tashkent on May 3, 2024."},
    headers={"Authorization": "Bearer tok-alice"},
)
print(json.dumps({"started": started, "status": answer.status_code, "drafted": loaded()}))
"""


def test_the_web_process_never_imports_spacy(built: Path, tmp_path: Path) -> None:
    """In a process of its own, so that what other tests imported does not count."""
    run = subprocess.run(
        [sys.executable, "-c", NO_SPACY, str(built), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ | {"KG_QUERY_LOG": str(tmp_path / "query.log")},
    )
    assert run.returncode == 0, run.stderr[-3000:]
    found = json.loads(run.stdout.strip().splitlines()[-1])
    assert found["started"] == []
    assert found["status"] == 201  # the drafting process did load spaCy, and drafted
    assert found["drafted"] == []


# ------------------------------------------------------------------------------ the pool


def echo() -> Handler:
    """A handler named by a string in the test below, imported in its worker only."""

    def handle(job: Any) -> Any:
        return ("echo", job, __name__)

    return handle


class NamedPool(WorkerPool):
    work = "echo"

    def __init__(self, name: str) -> None:
        super().__init__(1, queue_timeout=60, isolate=False)
        self.name = name

    def handler(self) -> tuple[str, tuple[Any, ...]]:
        return self.name, ()


def test_a_pool_takes_a_handler_by_its_name() -> None:
    pool = NamedPool(f"{__name__}:echo")
    pool.start()
    try:
        assert pool.run({"n": 1}, timeout=60) == ("echo", {"n": 1}, __name__)
    finally:
        pool.close()


@pytest.mark.parametrize(
    "name", ["not a name", "kg.store.pool", "kg.no_such_module:draft", "os;rm:x", ":draft"]
)
def test_a_bad_handler_name_is_refused_before_a_worker_starts(name: str) -> None:
    with pytest.raises(ValueError):
        resolve(name)
    pool = NamedPool(name)
    with pytest.raises(ValueError):
        pool.start()
    pool.close()


# ------------------------------------------------------------------------------ submitted once


def stored(folder: Path) -> StoredDraft:
    return StoredDraft(folder.name, folder, None, None, "alice", {})  # type: ignore[arg-type]


def test_a_draft_is_claimed_once_and_released_when_nothing_was_stored(tmp_path: Path) -> None:
    made = stored(a_draft(tmp_path / OLD, time.time()))
    claim(made)
    with pytest.raises(Conflict, match="being submitted now"):
        claim(made)
    release(made)  # the submission failed: it may be tried again
    claim(made)
    mark_submitted(made, "20250101T000000-abc", "/submissions/20250101T000000-abc")
    with pytest.raises(Conflict, match="/submissions/20250101T000000-abc"):
        claim(made)
    assert made.submitted() == {
        "state": "submitted",
        "submission": "20250101T000000-abc",
        "location": "/submissions/20250101T000000-abc",
    }


def test_a_claim_left_by_a_stopped_server_is_taken_over(tmp_path: Path) -> None:
    made = stored(a_draft(tmp_path / OLD, time.time()))
    claim(made)
    old = time.time() - 7200
    os.utime(made.folder / "submitted.json", (old, old))
    claim(made, stale_after=3600)
    assert made.submitted() == {"state": "submitting"}
    assert sorted(p.name for p in made.folder.iterdir()) == [
        "record.json",
        "review.json",
        "submitted.json",
    ]


def test_making_a_draft_removes_the_old_ones(tmp_path: Path) -> None:
    drafts = tmp_path / "drafts"
    a_draft(drafts / OLD, time.time() - WEEK - 60)
    record = DraftRecord("https://w3id.org/cakg/doc/0", "an article", "0.txt", "0" * 64, "")
    drafted = Drafted("text", record, None, b"", {"facts": []})
    made = save(drafts, drafted, "alice", WEEK)
    assert sorted(p.name for p in drafts.iterdir()) == [made]
    assert load(drafts, made).curator == "alice"


def test_a_draft_of_an_earlier_version_is_a_clear_404(tmp_path: Path) -> None:
    folder = a_draft(tmp_path / OLD, time.time())
    (folder / "record.json").write_text(json.dumps({"record": {"iri": "x"}, "curator": "alice"}))
    with pytest.raises(NotFound, match="earlier version"):
        load(tmp_path, OLD)
