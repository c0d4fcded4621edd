"""Run the app under gunicorn: one web process with threads, in front of the query pool.

One web process keeps the per-client limits and the metrics in one place; the work that
needs both cores happens in the query processes, not in the web process.
"""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from . import create_app


class Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        s = self.settings
        options = {
            "bind": f"{s['HOST']}:{s['PORT']}",
            "workers": 1,
            "worker_class": "gthread",
            "threads": int(s["HTTP_THREADS"]),
            # gunicorn's own watchdog must outlast the query deadline, which the pool enforces.
            "timeout": int(float(s["QUERY_TIMEOUT_S"]) + float(s["QUEUE_TIMEOUT_S"]) + 30),
            "graceful_timeout": 5,
            "keepalive": 5,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "warning",
            "limit_request_line": 8190,
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return create_app(self.settings)
