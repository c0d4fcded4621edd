"""Issue 11, finding 7: one client address cannot hold every query process; another client is
answered while it tries."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from helpers import LiveServer, ask_from

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
            others.append(ask_from(server, "127.0.0.5").status)
        statuses = sorted(f.result() for f in slow_ones)
    assert len(others) > 5 and set(others) == {200}
    assert statuses == [429, 503]  # one refused at once, one stopped at the deadline


#: makes each asked query unique, to find it in the query log
MARKERS = itertools.count(1)


def logged_clients(server: LiveServer, address: str, forwarded_for: str) -> str:
    """Ask from `address` claiming to forward `forwarded_for`; the client the server logged."""
    marker = f"ASK {{ FILTER({next(MARKERS)}) }}"
    ask_from(server, address, marker, headers={"X-Forwarded-For": forwarded_for})
    digest = hashlib.sha256(marker.encode()).hexdigest()
    entries = [json.loads(line) for line in server.query_log.read_text().splitlines()]
    return next(e["client"] for e in entries if e["query_sha256"] == digest)


def test_x_forwarded_for_is_believed_only_from_the_trusted_proxy(
    make_server: Callable[..., LiveServer],
) -> None:
    proxied = make_server(TRUSTED_PROXY="127.0.0.2")
    assert logged_clients(proxied, "127.0.0.2", "203.0.113.7") == "203.0.113.7"
    # anyone else's claim is ignored: each address is its own client
    assert logged_clients(proxied, "127.0.0.3", "203.0.113.7") == "127.0.0.3"


def test_x_forwarded_for_is_ignored_by_default(server: LiveServer) -> None:
    assert logged_clients(server, "127.0.0.2", "203.0.113.7") == "127.0.0.2"


def test_a_client_past_its_query_time_budget_gets_429_and_others_are_answered(
    make_server: Callable[..., LiveServer],
) -> None:
    """Heavy query after heavy query, each stopped at the deadline: past its budget the client
    waits, as on the Wikidata Query Service; another client is answered throughout."""
    server = make_server(QUERY_TIMEOUT_S=2, QUERY_SECONDS_PER_MINUTE=3)
    assert [ask_from(server, "127.0.0.5", RUNAWAY).status for _ in range(2)] == [503, 503]
    refused = ask_from(server, "127.0.0.5")
    assert refused.status == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 61
    assert ask_from(server, "127.0.0.6", "ASK {}").status == 200


def test_quick_queries_hardly_touch_the_budget(make_server: Callable[..., LiveServer]) -> None:
    """Only the time a query is worked on counts, not the wait for a process."""
    server = make_server(QUERY_SECONDS_PER_MINUTE=3)
    assert {ask_from(server, "127.0.0.7", "ASK {}").status for _ in range(50)} == {200}
