"""The counters of the service (Prometheus) and the JSON-lines query log they sit beside.

Pure bookkeeping, no Flask: :mod:`.operations` serves them and writes the log lines.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from ..store.interface import Processes
from .resultcache import ResultCache


class Metrics:
    """The counters of one app, in a registry of its own (tests run several apps)."""

    def __init__(
        self,
        cache: ResultCache | None = None,
        store_requests: Callable[[], int] | None = None,
        processes: Callable[[], Processes] | None = None,
    ) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "kg_http_requests",
            "HTTP requests answered",
            ["endpoint", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "kg_query_seconds",
            "Time to answer a SPARQL query",
            registry=self.registry,
            buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30),
        )
        self.timeouts = Counter(
            "kg_query_timeouts", "Queries stopped at the deadline", registry=self.registry
        )
        self.refused = Counter(
            "kg_queries_refused",
            "Queries refused before or while running",
            ["reason"],
            registry=self.registry,
        )
        self.runs = Counter(
            "kg_query_runs",
            "Queries the store evaluated (not answered from the cache, nor 304)",
            registry=self.registry,
        )
        self.page_builds = Counter(
            "kg_page_builds",
            "Data of pages gathered from the store (not from the page cache)",
            registry=self.registry,
        )
        self.cache_hits = Counter(
            "kg_result_cache_hits", "Answers given from the result cache", registry=self.registry
        )
        self.not_modified = Counter(
            "kg_not_modified",
            "Conditional GETs of the endpoint answered 304",
            registry=self.registry,
        )
        if cache is not None:
            self._watch(cache)
        if processes is not None:
            self._watch_processes(processes)
        if store_requests is not None:  # a remote store: what our requests cost it
            Gauge(
                "kg_store_requests_total",
                "Requests sent to the remote store (queries, version reads, writes)",
                registry=self.registry,
            ).set_function(store_requests)

    def _watch(self, cache: ResultCache) -> None:
        """The cache's size, read when /metrics is asked."""
        for name, text, read in (
            (
                "kg_result_cache_bytes",
                "Bytes of answers the result cache holds",
                lambda: cache.bytes,
            ),
            ("kg_result_cache_entries", "Answers the result cache holds", lambda: len(cache)),
            (
                "kg_result_cache_max_bytes",
                "The result cache's cap (RESULT_CACHE_BYTES)",
                lambda: cache.max_bytes,
            ),
        ):
            Gauge(name, text, registry=self.registry).set_function(read)

    def _watch_processes(self, processes: Callable[[], Processes]) -> None:
        """How the query processes fared, read when /metrics is asked."""
        for field, name, text in (
            ("restarts", "kg_query_process_restarts",
             "Query processes replaced after dying or overrunning the deadline"),
            ("retired", "kg_query_processes_retired",
             "Forked query processes replaced for the memory they gathered"),
            ("server_starts", "kg_query_fork_server_starts",
             "Fork servers started, each loading the dataset (QUERY_FORK)"),
            ("server_mb", "kg_query_fork_server_mb",
             "Resident memory of the running fork server after its load, MB"),
            ("budget_mb", "kg_query_private_budget_mb",
             "Memory of its own a forked query process may gather before it is replaced, MB"),
        ):  # fmt: skip
            Gauge(name, text, registry=self.registry).set_function(_reader(processes, field))


def _reader(processes: Callable[[], Processes], field: str) -> Callable[[], float]:
    return lambda: float(getattr(processes(), field))


def query_logger(path: str) -> logging.Logger:
    """The logger of query log lines: to a file, or to standard error when no path is set."""
    logger = logging.getLogger(f"kg.querylog.{path or 'stderr'}")
    if not logger.handlers:
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
        else:
            handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger
