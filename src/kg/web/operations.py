"""Health, Prometheus metrics and the JSON-lines query log, as the service answers them.

/health answers whether queries can be served; /metrics gives request, latency, timeout and
refusal counts in the Prometheus text format; every query is logged as one JSON line with
its id, the SHA-256 of its text, duration, status and row count (never the text itself,
which may be large or private).
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Blueprint, Flask, Response, g, jsonify, request
from prometheus_client import generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from ..errors import HttpError
from .state import get_state

bp = Blueprint("operations", __name__)
#: Query processes dying this often in a minute make /health say "degraded".
CRASH_LOOP = 3


@dataclass
class QueryRecord:
    id: str
    rows: int | None = None
    status: int = 200  # as answered, when not an error (a 304)


@contextmanager
def observe_query(query: str) -> Iterator[QueryRecord]:
    """Time a query, count its outcome and write its log line."""
    record = QueryRecord(id=uuid.uuid4().hex[:16])
    started = time.monotonic()
    status = None
    error = None
    try:
        yield record
    except HttpError as exc:
        status, error = exc.status, exc.code
        if exc.code == "timeout":
            get_state().metrics.timeouts.inc()
        else:
            get_state().metrics.refused.labels(exc.code).inc()
        raise
    finally:
        duration = time.monotonic() - started
        get_state().metrics.latency.observe(duration)
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "id": record.id,
            "client": request.remote_addr,
            "query_sha256": hashlib.sha256(query.encode("utf-8")).hexdigest(),
            "duration_ms": round(duration * 1000, 2),
            "status": status or record.status,
            "rows": record.rows,
            "error": error,
        }
        get_state().query_log.info(json.dumps(entry))
        g.query_id = record.id


@bp.route("/health")
def health() -> Response:
    store = get_state().store
    crashes = store.engine.recent_crashes
    inventory = store.inventory()  # one look: on a remote store, a round trip
    processes = store.engine.processes
    return jsonify(
        # degraded: serving, but stored data was set aside, or query processes keep dying
        status="degraded" if store.quarantined or crashes >= CRASH_LOOP else "ok",
        quarantined=store.quarantined,
        query_crashes_last_minute=crashes,
        triples=inventory.triples,  # in the merge, as VoID counts them
        quads=inventory.quads,  # graph by graph: a triple two graphs state counts twice
        graphs=len(inventory.graphs),
        submissions=len(store.submissions.ids()),
        query_workers=store.engine.size,
        query_workers_ready=store.engine.ready,
        query_network=store.engine.confinement,
        # forked from a fork server (replaced in milliseconds), or spawned (each loads the data)
        query_processes=processes.kind,
        query_fork_server_mb=processes.server_mb,
        query_private_budget_mb=processes.budget_mb,
        query_memory_merge=processes.merging,  # KSM gives copied pages back
    )


@bp.route("/metrics")
def metrics() -> Response:
    # content_type, not mimetype: the exposition type already names its charset
    registry = get_state().metrics.registry
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


def init_app(app: Flask) -> None:
    """Serve /health and /metrics, and count every answer by endpoint and status."""
    app.register_blueprint(bp)

    @app.after_request
    def _count(response: Response) -> Response:
        endpoint = request.endpoint or "unknown"
        get_state().metrics.requests.labels(endpoint, str(response.status_code)).inc()
        query_id = g.get("query_id")
        if query_id:
            response.headers["X-Query-Id"] = query_id
        return response
