"""Health, Prometheus metrics and the JSON-lines query log.

/health answers whether queries can be served; /metrics gives request, latency, timeout and
refusal counts in the Prometheus text format; every query is logged as one JSON line with
its id, the SHA-256 of its text, duration, status and row count (never the text itself,
which may be large or private).
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from .errors import HttpError

bp = Blueprint("metrics", __name__)


@dataclass
class QueryRecord:
    id: str
    rows: int | None = None


class Metrics:
    """The counters of one app, in a registry of its own (tests run several apps)."""

    def __init__(self) -> None:
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


def _query_logger(path: str) -> logging.Logger:
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


def _metrics() -> Metrics:
    return current_app.extensions["kg.metrics"]  # type: ignore[no-any-return]


@contextmanager
def observe_query(query: str) -> Iterator[QueryRecord]:
    """Time a query, count its outcome and write its log line."""
    record = QueryRecord(id=uuid.uuid4().hex[:16])
    started = time.monotonic()
    status = 200
    error = None
    try:
        yield record
    except HttpError as exc:
        status, error = exc.status, exc.code
        if exc.code == "timeout":
            _metrics().timeouts.inc()
        else:
            _metrics().refused.labels(exc.code).inc()
        raise
    finally:
        duration = time.monotonic() - started
        _metrics().latency.observe(duration)
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "id": record.id,
            "client": request.remote_addr,
            "query_sha256": hashlib.sha256(query.encode("utf-8")).hexdigest(),
            "duration_ms": round(duration * 1000, 2),
            "status": status,
            "rows": record.rows,
            "error": error,
        }
        current_app.extensions["kg.querylog"].info(json.dumps(entry))
        g.query_id = record.id


def refused(reason: str) -> None:
    _metrics().refused.labels(reason).inc()


@bp.route("/health")
def health() -> Response:
    from .store import get_store

    store = get_store()
    return jsonify(
        status="ok",
        triples=store.triples,
        graphs=len(store.graphs),
        submissions=len(store.submissions.ids()),
        query_workers=store.pool.size,
    )


@bp.route("/metrics")
def metrics() -> Response:
    return Response(generate_latest(_metrics().registry), mimetype=CONTENT_TYPE_LATEST)


def init_app(app: Flask) -> None:
    app.extensions["kg.metrics"] = Metrics()
    app.extensions["kg.querylog"] = _query_logger(str(app.config["QUERY_LOG"]))
    app.register_blueprint(bp)

    @app.after_request
    def _count(response: Response) -> Response:
        endpoint = request.endpoint or "unknown"
        _metrics().requests.labels(endpoint, str(response.status_code)).inc()
        query_id = g.get("query_id")
        if query_id:
            response.headers["X-Query-Id"] = query_id
        return response
