"""Run the app under waitress: one web process with threads, in front of the query pool.

One web process keeps the per-client limits and the metrics in one place; the work that
needs both cores happens in the query and validation processes, not in the web process.

Waitress reads every request (line, headers and body) in its event loop and hands a thread
only a complete one, so slow or idle connections cost a socket, never a thread: 40 clients
sending a header line every 3 s once held every thread of a thread-per-connection server
(issue 11, finding 5). Idle connections are closed after ``IDLE_TIMEOUT_S``, and no more than
``MAX_CONNECTIONS`` are open at once.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Mapping
from pathlib import Path
from types import FrameType
from typing import IO, Any

from waitress.server import create_server

from ..store.submissions import serving
from . import create_app

#: Room for a GET whose query string holds a query of MAX_QUERY_BYTES, percent-encoded.
HEADER_ROOM = 3


def server_options(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Waitress's adjustments, from our settings."""
    largest_body = max(int(settings["MAX_QUERY_BYTES"]), int(settings["MAX_SUBMISSION_BYTES"]))
    proxy = str(settings["TRUSTED_PROXY"]).strip()
    options: dict[str, Any] = {
        "host": settings["HOST"],
        "port": int(settings["PORT"]),
        "threads": int(settings["HTTP_THREADS"]),
        "connection_limit": int(settings["MAX_CONNECTIONS"]),
        "channel_timeout": int(settings["IDLE_TIMEOUT_S"]),
        "max_request_header_size": HEADER_ROOM * int(settings["MAX_QUERY_BYTES"]) + 65536,
        # twice the app's own limit, so that the app answers 413 in its own words
        "max_request_body_size": 2 * largest_body + 65536,
        "ident": "kg",
        "expose_tracebacks": False,
        # X-Forwarded-For is believed only from the proxy the operator names, and removed
        # from anyone else's request
        "clear_untrusted_proxy_headers": True,
    }
    if proxy:
        options.update(
            trusted_proxy=proxy,
            trusted_proxy_count=1,
            trusted_proxy_headers={"x-forwarded-for"},
        )
    return options


class Server:
    """The app, served until SIGTERM or SIGINT; then the query processes are stopped."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.settings = settings
        self._server: Any = None
        self._serving: IO[bytes] | None = None

    def start(self) -> None:
        """Make the app (its store loads the data) and bind the port; raise KgError if the
        data cannot be served, before anything is said to be serving."""
        # held for the process's life: `kg export --remove` must not take what it answers
        self._serving = serving(Path(self.settings["VAR_DIR"]))
        app = create_app(self.settings)
        self._server = create_server(app, **server_options(self.settings))

    def run(self) -> None:
        if self._server is None:
            self.start()
        server = self._server
        signal.signal(signal.SIGTERM, _exit)
        signal.signal(signal.SIGINT, _exit)
        try:
            server.run()
        except SystemExit:
            pass
        finally:
            server.close()  # the app's atexit hook stops its store's processes


def _exit(signum: int, frame: FrameType | None) -> None:
    sys.exit(0)
