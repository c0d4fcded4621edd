"""Issue 16, a review of the write path: what a careless curator, a busy server or a full disk
could do to a write that nobody had tried. Each test failed before its fix."""

from __future__ import annotations

import errno
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from helpers import PREFIXES, QUOTE, assert_error, event

from kg.store import submissions as submissions_module

TOKENS = "alice=tok-alice bob=tok-bob carol=tok-carol"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CITY = PREFIXES + (
    'city:newtown a kg:City ; rdfs:label "Newtown"@en ; kg:country country:uz ; '
    f'kg:evidence [ a kg:Evidence ; kg:source doc:000_74681c818d2b02ab ; kg:quote "{QUOTE}" ] .\n'
)


def turtle(who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer tok-{who}", "Content-Type": "text/turtle"}


def test_a_revert_that_would_leave_another_submission_invalid_is_refused(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    """A revert was never validated: Alice took back a city Bob's event stood in, and from
    then on every curator's write was refused for Bob's node. A revert is judged as the
    replacement of the submission by nothing."""
    client = make_app(
        CURATOR_TOKENS=TOKENS, WRITE_RATE_PER_MINUTE=1000, VAR_DIR=tmp_path
    ).test_client()
    city = client.post("/submissions", data=CITY.encode(), headers=turtle("alice"))
    assert city.status_code == 201, city.text
    bobs = event("bobfest").replace("city:khiva", "city:newtown")
    assert client.post("/submissions", data=bobs.encode(), headers=turtle("bob")).status_code == 201
    refused = client.delete(f"/submissions/{city.json['id']}", headers=turtle("alice"))
    assert refused.status_code in (409, 422), refused.text
    assert "newtown" in refused.text or "bobfest" in refused.text
    carols = client.post("/submissions", data=event("carolfest").encode(), headers=turtle("carol"))
    assert carols.status_code == 201, carols.text


def test_a_stored_write_is_never_answered_try_again(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    """After the file was stored, the counts were read through the query processes: with
    them busy, the curator got 503 'try again' for a write that had been kept, and a retry
    stored it twice."""
    app = make_app(
        CURATOR_TOKENS=TOKENS,
        WRITE_RATE_PER_MINUTE=1000,
        VAR_DIR=tmp_path,
        QUERY_WORKERS=1,
        QUEUE_TIMEOUT_S=0.5,
        QUERY_TIMEOUT_S=4,
    )
    slow = threading.Thread(
        target=lambda: app.test_client().get(
            "/sparql", query_string={"query": RUNAWAY}, environ_base={"REMOTE_ADDR": "10.0.0.9"}
        )
    )
    slow.start()
    time.sleep(0.5)  # the one query process is busy
    try:
        client = app.test_client()
        stored = client.post(
            "/submissions", data=event("busyfest").encode(), headers=turtle("alice")
        )
        assert stored.status_code == 201, stored.text
    finally:
        slow.join()
    graph = client.get(stored.headers["Location"], headers={"Accept": "text/turtle"})
    assert graph.status_code == 200 and b"busyfest" in graph.data
    assert len(list((tmp_path / "submissions").glob("*.nq"))) == 1


def test_a_full_disk_is_507_and_leaves_no_temporary_file(
    make_app: Callable[..., Flask], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = make_app(
        CURATOR_TOKENS=TOKENS, WRITE_RATE_PER_MINUTE=1000, VAR_DIR=tmp_path
    ).test_client()

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(submissions_module.os, "fsync", full)  # where a full disk shows
    response = client.post("/submissions", data=event("fullfest").encode(), headers=turtle("alice"))
    monkeypatch.undo()
    body = assert_error(response, 507)
    assert "space" in body["message"]
    assert list((tmp_path / "submissions").glob(".*tmp")) == []
    assert list((tmp_path / "submissions").glob("*.nq")) == []


def test_a_relative_iri_does_not_slip_past_the_size_count(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    """The fast count of an addition's triples parsed without a base IRI: a relative IRI on
    line 1 stopped it at once, and rdflib then parsed the whole body however many triples."""
    client = make_app(MAX_SUBMISSION_TRIPLES=100, VAR_DIR=tmp_path).test_client()
    body = (
        "<x> <http://example.org/p> 0 .\n"
        + "".join(f"<http://example.org/s{n}> <http://example.org/p> {n} .\n" for n in range(500))
        + "this line is no triple\n"  # rdflib, reading it all, stops here: 400, not 413
    )
    response = client.post("/validate", data=body.encode(), headers={"Content-Type": "text/turtle"})
    assert response.status_code == 413, response.text


def test_a_submission_reverted_while_it_is_listed_is_left_out_not_a_500(
    make_app: Callable[..., Flask], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The list is read file by file: one reverted in between made the listing a 500."""
    app = make_app(CURATOR_TOKENS=TOKENS, WRITE_RATE_PER_MINUTE=1000, VAR_DIR=tmp_path)
    client = app.test_client()
    kept = client.post("/submissions", data=event("keptfest").encode(), headers=turtle("alice"))
    assert kept.status_code == 201, kept.text
    listed = submissions_module.SubmissionStore.ids
    # as the folder was listed an instant before "gone" was reverted
    monkeypatch.setattr(
        submissions_module.SubmissionStore, "ids", lambda self: [*listed(self), "gone"]
    )
    listing = client.get("/submissions")
    assert listing.status_code == 200, listing.text
    assert [s["id"] for s in listing.json["submissions"]] == [kept.json["id"]]
    assert_error(client.get("/submissions/gone"), 404)


def _disk_events(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Record each fsync (by the path of its descriptor) and each unlink, in order."""
    events: list[tuple[str, str]] = []
    fsync, unlink = os.fsync, os.unlink

    def recorded_fsync(fd: int) -> None:
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        fsync(fd)

    def recorded_unlink(path: Any, *args: Any, **kwargs: Any) -> None:
        events.append(("unlink", os.fspath(path)))
        unlink(path, *args, **kwargs)

    monkeypatch.setattr(os, "fsync", recorded_fsync)
    monkeypatch.setattr(os, "unlink", recorded_unlink)
    return events


def test_an_export_is_on_the_disk_before_its_submission_is_removed(
    make_app: Callable[..., Flask],
    runner: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`kg export --remove` wrote the Turtle without flushing it, then removed the submission
    and flushed that: after a power cut the submission could be in neither place."""
    from kg.cli import main

    var = tmp_path / "var"
    client = make_app(CURATOR_TOKENS=TOKENS, WRITE_RATE_PER_MINUTE=1000, VAR_DIR=var).test_client()
    stored = client.post("/submissions", data=event("exportfest").encode(), headers=turtle("alice"))
    assert stored.status_code == 201, stored.text
    out = tmp_path / "exported"
    monkeypatch.setenv("KG_VAR_DIR", str(var))
    events = _disk_events(monkeypatch)
    done = runner.invoke(main, ["export", "--remove", "--out", str(out)])
    assert done.exit_code == 0, done.output
    exported = out / f"{stored.json['id']}.ttl"
    assert exported.is_file()
    removed = next(
        i for i, (what, path) in enumerate(events) if what == "unlink" and path.endswith(".nq")
    )
    before = events[:removed]
    # written to a temporary file, flushed, renamed into place, and the rename flushed
    assert any(
        what == "fsync" and Path(path).name.startswith(f".{exported.name}.")
        for what, path in before
    )
    assert ("fsync", str(out)) in before


def test_anonymous_validation_has_a_budget_of_its_own(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    """/validate needs no token and had no per-client limit: with one validation process, a few
    anonymous clients kept the curators waiting. Anonymous validation is charged to the
    client's validation seconds (VALIDATION_SECONDS_PER_MINUTE), apart from its query seconds;
    a curator's token is limited by the write rate instead."""
    client = make_app(
        VALIDATION_SECONDS_PER_MINUTE=0.000001,
        CURATOR_TOKENS=TOKENS,
        VAR_DIR=tmp_path,
    ).test_client()
    body = event("checkfest").encode()
    plain = {"Content-Type": "text/turtle"}
    assert client.post("/validate", data=body, headers=plain).status_code == 200
    refused = client.post("/validate", data=body, headers=plain)
    answer = assert_error(refused, 429)
    assert "validation" in answer["message"] and int(refused.headers["Retry-After"]) >= 1
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
    for _ in range(2):  # a curator is not charged
        assert client.post("/validate", data=body, headers=turtle("alice")).status_code == 200
    wrong = client.post("/validate", data=body, headers=turtle("mallory"))
    assert wrong.status_code == 403


def test_a_write_does_not_read_every_submission(
    make_app: Callable[..., Flask], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Who else describes a subject was found by parsing every stored submission, under the
    write lock: each write cost more than the one before. The files read by one write no
    longer grow with the number of submissions."""
    client = make_app(
        CURATOR_TOKENS=TOKENS, WRITE_RATE_PER_MINUTE=1000, VAR_DIR=tmp_path
    ).test_client()
    reads: list[str] = []
    parse = submissions_module.SubmissionStore.read

    def counted(self: Any, submission_id: str) -> Any:
        reads.append(submission_id)
        return parse(self, submission_id)

    monkeypatch.setattr(submissions_module.SubmissionStore, "read", counted)

    def reads_of_one_write(slug: str) -> int:
        reads.clear()
        answer = client.post("/submissions", data=event(slug).encode(), headers=turtle("alice"))
        assert answer.status_code == 201, answer.text
        return len(reads)

    def bobs(numbers: range) -> None:
        for n in numbers:
            answer = client.post(
                "/submissions", data=event(f"bob-{n}").encode(), headers=turtle("bob")
            )
            assert answer.status_code == 201, answer.text

    bobs(range(2))
    reads_of_one_write("alice-1")
    with_two = reads_of_one_write("alice-2")  # the second in a row: nothing new to learn
    bobs(range(2, 10))
    reads_of_one_write("alice-3")
    assert reads_of_one_write("alice-4") <= with_two
    shared = client.post("/submissions", data=event("bob-3").encode(), headers=turtle("alice"))
    assert shared.status_code == 409 and "bob" in shared.text  # still found
