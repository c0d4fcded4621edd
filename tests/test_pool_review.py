"""Issue 16, the review of the fork-server pool: a fork server that died leaves no copy of the
data behind, no request waits for a process to exit, an answer that cannot be read costs one
process and not the pool's capacity, a closed pool starts nothing, and a process's descriptor
may have any number."""

from __future__ import annotations

import os
import resource
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import wait_until

from kg.errors import KgError
from kg.store.engine import QueryJob
from kg.store.pool import ForkedProcess, MakeHandler, QueryPool

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture
def pool(built: Path) -> Iterator[QueryPool]:
    started = QueryPool(built / "cakg.nq", size=2, queue_timeout=5, fork=True)
    started.start()
    yield started
    started.close()


def _parent(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text("utf-8").splitlines():
        if line.startswith("PPid:"):
            return int(line.split()[1])
    return 0


def _forked_by_the_running_server(pool: QueryPool) -> bool:
    running = pool._server
    if running is None:  # being started
        return False
    server = running[0].pid
    workers = list(pool._all)
    return (
        pool.ready == pool.size
        and len(workers) == pool.size
        and all(_parent(worker.process.pid) == server for worker in workers)
    )


def test_the_workers_of_a_dead_fork_server_are_replaced_idle_or_not(pool: QueryPool) -> None:
    """Each worker holds the pages of the server that forked it: once a new server has loaded
    the data, the old one's workers are replaced by its forks, the idle ones too, or the
    machine holds two copies of the data for as long as they live."""
    assert pool._server is not None
    os.kill(pool._server[0].pid, signal.SIGKILL)
    wait_until(lambda: not pool._server[0].is_alive(), 5)  # type: ignore[index]
    dead = pool._all[0]
    dead.process.kill()
    dead.process.join(5)
    assert pool.run(QueryJob(COUNT), timeout=30).body  # a fork of a new server answers
    assert wait_until(lambda: _forked_by_the_running_server(pool), 15)
    assert pool.run(QueryJob(COUNT), timeout=30).body


def test_no_request_waits_for_a_retired_process_to_exit(
    pool: QueryPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process past its deadline is killed; the answer (503) does not wait for its exit,
    which for a process mapping gigabytes takes a while: here it takes 2 s."""
    exiting = ForkedProcess.join

    def slow_exit(self: ForkedProcess, timeout: float | None = None) -> None:
        time.sleep(2)
        exiting(self, timeout)

    monkeypatch.setattr(ForkedProcess, "join", slow_exit)
    slow = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g"
    begun = time.monotonic()
    with pytest.raises(KgError):
        pool.run(QueryJob(slow, max_rows=10**9, max_bytes=10**12), timeout=0.3)
    assert time.monotonic() - begun < 1.5


class UnreadablePool(QueryPool):
    def handler(self) -> tuple[MakeHandler, tuple[Any, ...]]:
        return "helpers:unreadable_handler", (str(self.source), None)


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "spawned"])
def test_an_answer_that_cannot_be_read_costs_one_process(built: Path, fork: bool) -> None:
    one = UnreadablePool(built / "cakg.nq", size=1, queue_timeout=2, fork=fork)
    one.start()
    try:
        with pytest.raises(KgError) as refused:
            one.run(QueryJob("ASK {}"), timeout=10)
        assert refused.value.status in (500, 503)
        assert one.run(QueryJob(COUNT), timeout=30).body  # the pool still has its process
    finally:
        one.close()


def test_a_closed_pool_starts_no_fork_server(built: Path) -> None:
    """A replacement that was on its way when the pool closed must not load the data again."""
    closed = QueryPool(built / "cakg.nq", size=1, queue_timeout=2, fork=True)
    closed.start()
    closed.close()
    with pytest.raises(KgError):
        closed._fork()
    assert closed._server is None


def test_a_process_descriptor_past_1024_is_waited_on(pool: QueryPool) -> None:
    """select() cannot wait on a descriptor numbered 1024 or more; a busy server has them."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 2048:
        pytest.skip("the descriptor limit is too low to open descriptor 1500")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 2048), hard))
    try:
        worker = pool._all[0]
        high = os.dup2(worker.process.pidfd, 1500)
        os.close(worker.process.pidfd)
        worker.process.pidfd = high
        assert worker.process.is_alive()
        for _ in range(4):
            assert pool.run(QueryJob(COUNT), timeout=30).body
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


class FailingSyncPool(QueryPool):
    def handler(self) -> tuple[MakeHandler, tuple[Any, ...]]:
        return "helpers:failing_sync_handler", (str(self.source), None)


def test_a_failed_catch_up_before_a_fork_leaves_the_fork_server_serving(built: Path) -> None:
    """The fork server catches up with the submissions before it forks; if that fails, the
    fork catches up itself before its first job: no reason to load the data again."""
    pool = FailingSyncPool(built / "cakg.nq", size=1, queue_timeout=5, fork=True)
    pool.start()
    try:
        assert pool.run(QueryJob(COUNT), timeout=30).body
        assert pool.stats.server_starts == 1
    finally:
        pool.close()


class ChurningPool(QueryPool):
    def handler(self) -> tuple[MakeHandler, tuple[Any, ...]]:
        return "helpers:churning_handler", (str(self.source), None)


def test_memory_given_back_does_not_count_against_the_budget(built: Path) -> None:
    """The budget bounds the memory a forked worker keeps of its own; a worker that fills and
    frees 48 MB per job keeps none of it, and is not retired after 10 jobs on 100 MB."""
    from kg.store.pool import Budget

    pool = ChurningPool(
        built / "cakg.nq", size=1, queue_timeout=5, fork=True, budget=Budget(mb=100)
    )
    pool.start()
    try:
        first = pool._all[0]
        for _ in range(10):
            assert pool.run(QueryJob("ASK {}"), timeout=30).body
        assert pool.stats.retired == 0 and pool._all[0] is first
    finally:
        pool.close()


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "spawned"])
def test_a_start_that_keeps_failing_is_tried_less_and_less_often(
    tmp_path: Path, fork: bool
) -> None:
    """Data that cannot be loaded is tried again after 1 s, then 2 s, 4 s…: not every second
    for as long as the server runs (a reload of gigabytes, and a log line, each time)."""
    missing = QueryPool(tmp_path / "no-such-dump.nq", size=1, queue_timeout=1, fork=fork)
    missing.start(wait=False)
    try:
        time.sleep(4.5)  # tries at 0, 1 and 3 s; every second would make 5
        assert 1 <= missing.stats.failed_starts <= 3
    finally:
        missing.close()
