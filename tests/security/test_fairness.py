"""Issue 11, finding 7: one client address cannot hold every query process; another client is
answered while it tries."""

from __future__ import annotations

import http.client
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from helpers import LiveServer

from kg import config
from kg.web.limits import queries_per_client

#: Runs until the deadline stops it.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.mark.parametrize(
    ("settings", "processes", "expected"),
    [
        pytest.param({}, 2, 1, id="default-leaves-one-of-two-free"),
        pytest.param({}, 4, 3, id="default-leaves-one-of-four-free"),
        pytest.param({}, 1, 1, id="one-process-one-query"),
        pytest.param({"MAX_CONCURRENT_PER_CLIENT": 2}, 8, 2, id="the-query-cap-still-holds"),
        pytest.param({"QUERY_WORKERS_PER_CLIENT": 2}, 2, 2, id="operator-allows-all"),
        pytest.param({}, 0, 4, id="remote-store-only-the-query-cap"),
    ],
)
def test_a_client_gets_its_share_of_the_processes(
    settings: dict[str, Any], processes: int, expected: int
) -> None:
    assert queries_per_client(config.load(settings), processes) == expected


def ask_from(server: LiveServer, address: str) -> int:
    conn = http.client.HTTPConnection(
        "127.0.0.1", server.port, timeout=10, source_address=(address, 0)
    )
    try:
        conn.request("GET", "/sparql?query=ASK%20%7B%7D")
        return conn.getresponse().status
    finally:
        conn.close()


def test_two_slow_queries_from_one_address_leave_a_process_for_others(
    make_server: Callable[..., LiveServer],
) -> None:
    """The issue's reproduction: default limits (4 queries per client, 2 processes)."""
    # others wait at most 1 s for a free process, well inside the slow queries' 3 s
    server = make_server(QUERY_TIMEOUT_S=3, QUERY_WORKERS=2, QUEUE_TIMEOUT_S=1)

    def slow(_: int) -> int:
        params = {"query": RUNAWAY}
        return requests.get(server.endpoint, params=params, timeout=30).status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        slow_ones = [pool.submit(slow, i) for i in range(2)]
        others = []
        while not all(f.done() for f in slow_ones):  # ask as long as the slow ones run
            others.append(ask_from(server, "127.0.0.5"))
        statuses = sorted(f.result() for f in slow_ones)
    assert len(others) > 5 and set(others) == {200}
    assert statuses == [429, 503]  # one refused at once, one stopped at the deadline
