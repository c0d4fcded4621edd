"""Issue 11, finding 7: a query process cannot take the machine's memory, and a client whose
queries keep killing query processes is slowed down (429) while others are answered."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers import LiveServer, ask_from, wait_until

from kg.errors import OverMemory, QueryCrashed
from kg.store.engine import QueryJob
from kg.store.pool import QueryPool

#: Sorting a cartesian product: once reached 4.5 GB in 10 s.
HOG = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?d ?c ?f"
LIMIT_MB = 400


@pytest.fixture(scope="module", params=[False, True], ids=["spawned", "forked"])
def capped(built: Path, request: pytest.FixtureRequest) -> Iterator[QueryPool]:
    pool = QueryPool(
        built / "cakg.nq", size=1, queue_timeout=5, memory_mb=LIMIT_MB, fork=request.param
    )
    pool.start()
    yield pool
    pool.close()


def test_a_query_past_the_memory_cap_is_stopped_and_the_process_replaced(
    capped: QueryPool,
) -> None:
    with pytest.raises((QueryCrashed, OverMemory)) as stopped:
        capped.run(QueryJob(HOG, max_rows=10**9, max_bytes=10**12), timeout=60)
    assert stopped.value.status == 503
    assert capped.run(QueryJob("ASK {}"), timeout=30).body  # a fresh process answers


def test_a_client_that_keeps_killing_processes_gets_429_and_others_are_answered(
    make_server: Callable[..., LiveServer],
) -> None:
    server = make_server(
        QUERY_MEMORY_MB=LIMIT_MB, CRASHES_PER_CLIENT=2, MAX_ROWS=10**9, MAX_RESULT_BYTES=10**12
    )
    statuses = [ask_from(server, "127.0.0.2", HOG).status for _ in range(2)]
    assert statuses == [503, 503]
    refused = ask_from(server, "127.0.0.2", "ASK {}")
    assert refused.status == 429
    assert int(refused.headers["Retry-After"]) > 0
    # another client is answered: at once, or once the stopped processes are replaced
    wait_until(lambda: ask_from(server, "127.0.0.3", "ASK {}").status == 200, seconds=30)
    assert ask_from(server, "127.0.0.2", "ASK {}").status == 429  # still refused
