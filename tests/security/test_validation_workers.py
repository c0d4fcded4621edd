"""Issue 11, finding 4: validation runs in killable processes, off the web process.

A 1.25 MB Turtle body once took 72 s and kept 530 MB in the web process, and 32 small
concurrent validations blocked every other request for 33 s. Now the body is parsed and
validated in a validation process with a triple limit, a deadline and a memory cap; requests
beyond what the processes can take are refused at once (503), and other clients are answered
all the while.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from flask import Flask
from helpers import PREFIXES, LiveServer, ask_from, event

from kg import config
from kg.graph.validate import load_shapes
from kg.store import checking
from kg.store.checking import CheckPool, Context
from kg.web.state import EXTENSION

TTL = {"Content-Type": "text/turtle"}


def cities(n: int) -> str:
    """n made-up cities in Turtle, a triple each: about 20 bytes a city."""
    lines = [PREFIXES, "@prefix c: <https://w3id.org/cakg/city/> ."]
    lines += [f"c:x{i} a kg:City ." for i in range(n)]
    return "\n".join(lines)


def validate(server: LiveServer, body: str) -> requests.Response:
    return requests.post(server.url + "/validate", data=body.encode(), headers=TTL, timeout=120)


def test_a_large_body_is_refused_by_its_triple_count_at_once(server: LiveServer) -> None:
    body = cities(60_000)  # the 1.25 MB, over the default 10,000 triples
    assert len(body.encode()) > 1_000_000
    r = validate(server, body)
    assert r.status_code == 413
    assert "MAX_SUBMISSION_TRIPLES" in r.json()["message"]


def test_concurrent_validations_leave_others_answered(server: LiveServer) -> None:
    with ThreadPoolExecutor(max_workers=32) as pool:
        validations = [pool.submit(validate, server, event(f"burst-{i}")) for i in range(32)]
        others = [ask_from(server, "127.0.0.4").status for _ in range(10)]
        statuses = [v.result().status_code for v in validations]
    assert others == [200] * 10
    assert 200 in statuses
    # what the validation processes cannot take at once is refused at once, to be retried;
    # a burst past the client's validation seconds (VALIDATION_SECONDS_PER_MINUTE) too
    assert set(statuses) <= {200, 503, 429}


@pytest.fixture(scope="module")
def strict(make_server: Callable[..., LiveServer]) -> LiveServer:
    # room for 40,000 triples, which take over a minute to validate; 15 s allowed
    return make_server(VALIDATION_TIMEOUT_S=15, MAX_SUBMISSION_TRIPLES=100_000)


def test_a_validation_past_its_deadline_is_stopped_and_the_process_replaced(
    strict: LiveServer,
) -> None:
    r = validate(strict, cities(40_000))
    assert r.status_code == 503
    assert r.json()["error"] == "timeout"
    assert int(r.headers["Retry-After"]) > 0
    assert validate(strict, event("after-the-deadline")).json()["conforms"] is True
    assert ask_from(strict, "127.0.0.4").status == 200


class _VersionedQuads:
    """The two things a snapshot reads of a store, its version set by the test: a remote
    store's versions within one second share their first 16 characters."""

    def __init__(self, quads: list[ox.Quad]) -> None:
        self.version = ""
        self._quads = quads

    def quads(self) -> list[ox.Quad]:
        return self._quads


def test_each_version_has_a_snapshot_of_its_own(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by the W3C Graph Store tests on Oxigraph: two writes in one second gave two
    versions one snapshot file name, and removing the older snapshot removed the newer."""
    pool = CheckPool(config.load({"BUILD_DIR": built, "VAR_DIR": tmp_path}))
    store = _VersionedQuads(
        list(ox.parse(path=str(built / "cakg.nq"), format=ox.RdfFormat.N_QUADS))
    )
    try:
        store.version = "20261206T155939-aaaaaaaaaaaa"
        first = pool.snapshot(store)  # type: ignore[arg-type]
        store.version = "20261206T155939-bbbbbbbbbbbb"
        store._quads = store._quads[:-1]
        second = pool.snapshot(store)  # type: ignore[arg-type]
        assert second.path == first.path and len(second.deltas) == 1  # a change, not a file
        whole = pool.snapshot(store, whole=True)  # type: ignore[arg-type]
        assert Path(whole.path).is_file() and Path(whole.path).stat().st_size > 0
        assert not whole.deltas
        # a job sent just before may still name the last file: it is kept, one more
        assert Path(first.path).exists()
        # the changes a job carries are bounded: past the cap, a whole file again
        monkeypatch.setattr(checking, "MAX_DELTA_BYTES", 10)
        store.version, store._quads = "c", store._quads[:-1]
        assert len(pool.snapshot(store).deltas) == 1  # type: ignore[arg-type]
        store.version, store._quads = "d", store._quads[:-1]
        again = pool.snapshot(store)  # type: ignore[arg-type]
        assert again.path != whole.path and not again.deltas
        assert not Path(first.path).exists() and Path(whole.path).exists()
    finally:
        pool.close()


def test_a_context_brought_up_to_date_is_the_one_read_whole(built: Path, tmp_path: Path) -> None:
    """A validation process reads the snapshot file once and then applies each write's
    change: what it then holds must be what reading the whole dataset gives, graph by graph,
    a triple two graphs state included (taken from one, it stays in the merge)."""
    pool = CheckPool(config.load({"BUILD_DIR": built, "VAR_DIR": tmp_path}))
    quads = list(ox.parse(path=str(built / "cakg.nq"), format=ox.RdfFormat.N_QUADS))
    store = _VersionedQuads(quads)
    shapes = load_shapes(config.load({})["SHAPES_DIR"])
    extra = ox.NamedNode("https://w3id.org/cakg/graph/submission/extra")
    shared = quads[0]
    try:
        store.version = "1"
        first = pool.snapshot(store)  # type: ignore[arg-type]
        context = Context(Path(first.path), shapes)
        versions = [
            [*quads, ox.Quad(shared.subject, shared.predicate, shared.object, extra)],
            [*quads[1:], ox.Quad(shared.subject, shared.predicate, shared.object, extra)],
            quads[1:-5],
        ]
        for number, version in enumerate(versions, start=2):
            store.version, store._quads = str(number), version
            snapshot = pool.snapshot(store)  # type: ignore[arg-type]
            context.catch_up(snapshot.deltas)
            whole = tmp_path / f"whole-{number}.nq"
            whole.write_bytes(ox.serialize(version, format=ox.RdfFormat.N_QUADS) or b"")
            read = Context(whole, shapes)
            assert set(context.merge) == set(read.merge), number
            assert {k: v for k, v in context.stated_by.items() if v} == read.stated_by, number
    finally:
        pool.close()


def test_the_validation_process_starts_with_the_first_validation(
    make_app: Callable[..., Flask],
) -> None:
    """Issue 16: most servers never validate, so the validation process (37 MB of pyshacl and
    rdflib) starts with the first validation, which waits for it rather than getting a 503."""
    app = make_app(QUEUE_TIMEOUT_S=0.1)  # far shorter than the process takes to start
    checker = app.extensions[EXTENSION].checker
    assert checker.ready == 0 and not checker._all  # no process yet
    client = app.test_client()
    answer = client.post("/validate", data=event("lazy").encode(), headers=TTL)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.json["conforms"] is True and checker.ready == 1


def test_the_pool_keeps_no_copy_of_the_stored_data(built: Path, tmp_path: Path) -> None:
    """To tell a write's change, the pool kept every quad of the store in the web process:
    500 bytes a quad, half a gigabyte at 1M. It keeps a digest of each graph instead."""
    pool = CheckPool(config.load({"BUILD_DIR": built, "VAR_DIR": tmp_path}))
    quads = list(ox.parse(path=str(built / "cakg.nq"), format=ox.RdfFormat.N_QUADS))
    store = _VersionedQuads(quads)
    try:
        store.version = "1"
        pool.snapshot(store)  # type: ignore[arg-type]
        tracemalloc.start()
        store.version, store._quads = "2", quads[1:]
        carried = sum(len(d.quads) for d in pool.snapshot(store).deltas)  # type: ignore[arg-type]
        store._quads = quads  # the store's own list is the store's, not the pool's
        gc.collect()
        # what the pool's own code allocated and still holds (not the test's other threads')
        held = tracemalloc.take_snapshot().filter_traces(
            [tracemalloc.Filter(True, checking.__file__)]
        )
        kept = sum(stat.size for stat in held.statistics("filename"))
        tracemalloc.stop()
        # beyond the change it carries (the changed graph's content, bounded by MAX_DELTA_BYTES)
        assert kept - carried < 100_000, f"{kept} bytes kept, {carried} carried"
    finally:
        pool.close()
