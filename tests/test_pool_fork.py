"""Issue 16: query processes forked from a fork server that loaded the dataset once keep every
safety property of the spawned ones: the deadline kills them, they have no network, the memory
cap holds, a killed one is replaced (in milliseconds, not a reload), and they follow the
submissions."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from helpers import KG, contacts, wait_until

from kg import config
from kg.errors import Busy, KgError, OverMemory, QueryCrashed, QueryTimeout
from kg.store import pool as pool_module
from kg.store.engine import QueryJob
from kg.store.pool import (
    Budget,
    ForkedProcess,
    MakeHandler,
    QueryPool,
    can_fork,
    ksm_running,
)
from kg.store.sandbox import NETWORK_NAMESPACE
from kg.store.submissions import SUFFIX, graph_iri

#: Runs far past any deadline here (a cartesian product, sorted).
SLOW = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
QUERY_TYPE = "application/sparql-query"


@pytest.fixture(scope="module")
def pool(built: Path) -> Iterator[QueryPool]:
    started = QueryPool(built / "cakg.nq", size=2, queue_timeout=5, fork=True, memory_mb=4096)
    started.start()
    yield started
    started.close()


def _ready(pool: QueryPool, seconds: float = 10) -> float:
    """Seconds until every worker is ready again."""
    begun = time.monotonic()
    while pool.ready < pool.size and time.monotonic() - begun < seconds:
        time.sleep(0.001)
    return time.monotonic() - begun


def test_forked_workers_answer_like_spawned_ones(built: Path, pool: QueryPool) -> None:
    spawned = QueryPool(built / "cakg.nq", size=1, queue_timeout=5)
    spawned.start()
    try:
        for query in (COUNT, "SELECT ?g WHERE { GRAPH ?g {} } ORDER BY ?g", "ASK { ?s ?p ?o }"):
            assert pool.run(QueryJob(query), 30).body == spawned.run(QueryJob(query), 30).body
    finally:
        spawned.close()
    assert all(isinstance(w.process, ForkedProcess) for w in pool._all)


def test_forked_workers_have_no_network(pool: QueryPool, listener: Any) -> None:
    assert pool.confinement == NETWORK_NAMESPACE
    query = f"SELECT * WHERE {{ SERVICE <{listener[0]}/x> {{ ?s ?p ?o }} }}"
    with pytest.raises(KgError):  # the engine cannot reach it: an error, no contact
        pool.run(QueryJob(query), timeout=10)
    assert contacts(listener) == []


def test_the_deadline_kills_a_forked_worker_and_a_new_one_is_ready_in_milliseconds(
    pool: QueryPool,
) -> None:
    assert _ready(pool) < 10
    with pytest.raises(QueryTimeout):
        pool.run(QueryJob(SLOW, max_rows=10**9, max_bytes=10**12), timeout=0.5)
    assert _ready(pool) < 1.0  # a fork, not a reload of the dataset
    assert pool.run(QueryJob("ASK {}"), timeout=10).body


def test_a_dead_fork_server_is_started_again(pool: QueryPool) -> None:
    assert pool._server is not None
    os.kill(pool._server[0].pid, signal.SIGKILL)
    wait_until(lambda: not pool._server[0].is_alive(), 5)  # type: ignore[index]
    worker = pool._all[0]
    worker.process.kill()  # the next job finds it dead and asks for a new one
    worker.process.join(5)  # the signal is sent, not yet taken: a job sent now would die with it
    for _ in range(3):
        assert pool.run(QueryJob(COUNT), timeout=30).body
    assert _ready(pool, 30) < 30
    assert pool._server is not None and pool._server[0].is_alive()


def test_a_worker_past_its_private_memory_is_replaced_after_its_answer(built: Path) -> None:
    tight = QueryPool(built / "cakg.nq", size=1, queue_timeout=5, fork=True, budget=Budget(mb=1))
    tight.start()
    try:
        first = tight._all[0]
        assert tight.run(QueryJob(COUNT), timeout=30).body  # answered, then retired
        assert _ready(tight) < 5
        assert tight._all[0] is not first
        assert tight.stats.retired >= 1 and tight.stats.restarts == 0
        assert tight.run(QueryJob(COUNT), timeout=30).body
    finally:
        tight.close()


def test_the_budget_is_a_share_of_the_fork_servers_memory(built: Path, pool: QueryPool) -> None:
    """By default the budget follows the data: a share of what the fork server holds."""
    assert Budget(share=0.5).of(300) == 150 and Budget(mb=7, share=0.5).of(300) == 7
    assert Budget().of(300) == 0  # never replaced
    halves = QueryPool(built / "cakg.nq", 1, queue_timeout=5, fork=True, budget=Budget(share=0.5))
    halves.start()
    try:
        assert halves.server_mb > 20  # Python, Oxigraph and the data
        assert abs(halves.budget_mb - halves.server_mb * 0.5) <= 1  # MB, rounded
        assert halves.stats.server_starts == 1
    finally:
        halves.close()
    assert pool.budget_mb == 0 and pool.server_mb > 20  # no budget given: none


#: How long the slow pool's processes take to set up: far longer than the waits below.
SLOW_START_S = 3.0


class SlowStartPool(QueryPool):
    def handler(self) -> tuple[MakeHandler, tuple[Any, ...]]:
        return "helpers:slow_query_handler", (str(self.source), None, SLOW_START_S)


def test_no_request_waits_for_a_process_to_be_set_up(built: Path) -> None:
    """A dead fork server loads the dataset again (seconds at 1M quads) on a thread of its own:
    the request that found its query process dead is answered at the queue's limit, not after
    the load."""
    pool = SlowStartPool(built / "cakg.nq", size=1, queue_timeout=0.5, fork=True)
    pool.start()
    try:
        assert pool._server is not None
        os.kill(pool._server[0].pid, signal.SIGKILL)
        wait_until(lambda: not pool._server[0].is_alive(), 5)  # type: ignore[index]
        pool._all[0].process.kill()
        pool._all[0].process.join(5)  # dead: the next job asks for a new one
        begun = time.monotonic()
        with pytest.raises(Busy):
            pool.run(QueryJob(COUNT), timeout=30)
        assert time.monotonic() - begun < SLOW_START_S / 2
        assert _ready(pool, 30) < 30
        assert pool.run(QueryJob(COUNT), timeout=30).body
    finally:
        pool.close()


def _gauge(text: str, name: str) -> float:
    return float(next(line for line in text.splitlines() if line.startswith(name + " ")).split()[1])


def test_health_and_metrics_say_how_the_query_processes_are_made(
    make_app: Callable[..., Flask],
) -> None:
    forked = make_app(QUERY_FORK=True, QUERY_WORKERS=1, MAX_QUERY_DEPTH=100_000).test_client()
    health = forked.get("/health").json
    assert health["query_processes"] == "forked"
    server_mb = health["query_fork_server_mb"]
    assert server_mb > 20 and abs(health["query_private_budget_mb"] - 0.5 * server_mb) <= 1
    assert health["query_memory_merge"] is ksm_running()  # asked for; on if the machine runs KSM
    crash = "SELECT * WHERE { FILTER(" + "(" * 6000 + "1" + ")" * 6000 + ") }"
    assert forked.post("/sparql", data=crash, content_type=QUERY_TYPE).status_code == 503
    metrics = forked.get("/metrics").get_data(as_text=True)
    assert _gauge(metrics, "kg_query_fork_server_mb") == server_mb
    assert _gauge(metrics, "kg_query_fork_server_starts") == 1  # a fork, not a second load
    assert _gauge(metrics, "kg_query_process_restarts") == 1
    spawned = make_app(QUERY_FORK=False, QUERY_WORKERS=1).test_client()
    health = spawned.get("/health").json
    assert health["query_processes"] == "spawned" and health["query_fork_server_mb"] == 0


def test_where_forking_is_not_possible_the_processes_are_spawned(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """QUERY_FORK is the default; a platform without Linux's pidfd falls back to spawning."""
    assert config.load({})["QUERY_FORK"] is True and can_fork()  # this machine: Linux 5.3+
    monkeypatch.setattr(pool_module, "can_fork", lambda: False)  # another platform
    spawned = QueryPool(built / "cakg.nq", size=1, queue_timeout=5, fork=True)
    spawned.start()
    try:
        assert spawned.processes.kind == "spawned" and spawned._server is None
        assert spawned.run(QueryJob("ASK {}"), timeout=30).body
    finally:
        spawned.close()


def _count(answer: Any) -> int:
    return int(json.loads(answer.body)["results"]["bindings"][0]["n"]["value"])


def test_a_remembered_answer_is_given_without_reading_the_data(built: Path, tmp_path: Path) -> None:
    """The inventory reads every quad: worked out once as the fork server loads, its answer is
    given again without a query process reading (so copying) the data, until the data changes."""
    folder = tmp_path / "submissions"
    folder.mkdir()
    pool = QueryPool(
        built / "cakg.nq", 1, 5, folder, fork=True, budget=Budget(mb=1), remember=(COUNT,)
    )
    pool.start()
    try:
        first = pool.run(QueryJob(COUNT), timeout=30)
        assert pool.stats.retired == 0  # it read nothing: its memory stayed the fork server's
        again = pool.run(QueryJob(COUNT + " "), timeout=30)  # not remembered: read, so copied
        assert _count(again) == _count(first) and pool.stats.retired == 1
        graph = graph_iri("remembered")
        quad = f'<https://w3id.org/cakg/event/x> <{KG}note> "new" <{graph}> .\n'
        (folder / f"remembered{SUFFIX}").write_text(quad, "utf-8")
        pool.changed()
        assert _count(pool.run(QueryJob(COUNT), timeout=30)) == _count(first) + 1
    finally:
        pool.close()


@pytest.mark.parametrize("fork", [False, True], ids=["spawned", "forked"])
def test_the_memory_cap_is_the_querys_beyond_the_data(built: Path, fork: bool) -> None:
    """QUERY_MEMORY_MB is what a query may take beyond the dataset its process holds: the cap
    is set once the data is loaded, so data of any size loads (a 10M-quad dataset took 9 GB,
    over the 4 GB default), and a query past its share is still stopped."""
    pool = QueryPool(built / "cakg.nq", size=1, queue_timeout=5, fork=fork, memory_mb=48)
    pool.start()  # the loaded process alone is past 48 MB of address space
    try:
        assert pool.run(QueryJob(COUNT), timeout=30).body
        hog = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?d ?c ?f"
        with pytest.raises((QueryCrashed, OverMemory)):
            pool.run(QueryJob(hog, max_rows=10**9, max_bytes=10**12), timeout=60)
        assert pool.run(QueryJob("ASK {}"), timeout=30).body
    finally:
        pool.close()


def _merge_any(pid: int) -> bool:
    return "ksm_merge_any: yes" in Path(f"/proc/{pid}/ksm_stat").read_text()


@pytest.mark.skipif(not Path("/proc/self/ksm_stat").exists(), reason="no KSM in this kernel")
@pytest.mark.parametrize("merge", [True, False])
def test_the_fork_server_and_its_workers_let_ksm_merge_their_pages(
    built: Path, merge: bool
) -> None:
    """QUERY_MEMORY_MERGE: the pages a forked worker copied by reading them are mostly
    identical to the fork server's; where the operator runs KSM they are merged back."""
    pool = QueryPool(built / "cakg.nq", 1, queue_timeout=5, fork=True, merge=merge)
    pool.start()
    try:
        assert pool._server is not None and pool.merging is merge
        assert _merge_any(pool._server[0].pid) is merge
        assert _merge_any(pool._all[0].process.pid) is merge  # inherited by the fork
    finally:
        pool.close()
