"""Issue 11, finding 5: slow or idle connections cannot starve other clients.

40 connections that send one header line every 3 s once held every thread of the web server,
which read each request's headers in a thread of its own: nothing else was answered for over
40 s. The server now reads requests without a thread, and hands a thread only complete ones.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import requests
from helpers import LiveServer

SLOW_CONNECTIONS = 40


@pytest.fixture(scope="module")
def small_server(make_server: Callable[..., LiveServer]) -> LiveServer:
    # fewer threads than slow connections: a thread per connection would run out
    return make_server(HTTP_THREADS=8)


def trickle(port: int, stop: threading.Event, body: bool) -> None:
    """A client that sends its request one line every 3 s, and never finishes it."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        if body:
            head = "POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            sock.sendall(f"{head}Content-Length: 100000\r\n\r\n".encode())
        else:
            sock.sendall(b"GET /sparql HTTP/1.1\r\n")
        n = 0
        while not stop.wait(3):
            try:
                sock.sendall(b"SELECT " if body else f"X-Slow-{n}: y\r\n".encode())
            except OSError:
                return  # the server may close a connection that idles too long
            n += 1


@pytest.fixture(params=["headers", "body"])
def slow_clients(small_server: LiveServer, request: pytest.FixtureRequest) -> Iterator[None]:
    stop = threading.Event()
    threads = [
        threading.Thread(
            target=trickle, args=(small_server.port, stop, request.param == "body"), daemon=True
        )
        for _ in range(SLOW_CONNECTIONS)
    ]
    for thread in threads:
        thread.start()
    time.sleep(1)  # let every slow connection be accepted and start its request
    yield
    stop.set()
    for thread in threads:
        thread.join(timeout=10)


def test_slow_clients_do_not_block_others(small_server: LiveServer, slow_clients: None) -> None:
    for _ in range(5):
        # with 40 threads' worth of slow clients, one request used to wait over 40 s
        health = requests.get(small_server.url + "/health", timeout=5)
        assert health.status_code == 200
        answer = requests.get(small_server.endpoint, params={"query": "ASK {}"}, timeout=5)
        assert answer.status_code == 200
        assert answer.json()["boolean"] is True
