"""The web service: the SPARQL endpoint, linked data, pages for people, and curation.

Owns everything HTTP: the app factory (here), what the app holds (:mod:`.state`), the
protocol endpoint (:mod:`.sparql`), dereferencing (:mod:`.linkeddata`, :mod:`.documents`),
pages (:mod:`.pages`, :mod:`.querypage`, :mod:`.timeline`, :mod:`.maps`, :mod:`.describe`),
VoID and dumps (:mod:`.void`), curation
(:mod:`.curation`, :mod:`.auth`), operations (:mod:`.operations`), the error shape
(:mod:`.responses`) and the HTTP server (:mod:`.server`). Reaches the data only through the
:class:`~kg.store.interface.Store` interface. May import the foundations, :mod:`kg.graph`
and :mod:`kg.store`; never :mod:`kg.cli`.
"""

from __future__ import annotations

import atexit
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask_cors import CORS

from .. import config
from ..graph.validate import load_shapes
from ..store.checking import CheckPool
from ..store.factory import open_store
from . import (
    assist,
    curation,
    linkeddata,
    maps,
    operations,
    pages,
    querypage,
    responses,
    sparql,
    timeline,
    void,
)
from .auth import load_tokens
from .describe import term_labels
from .drafting import DraftPool
from .limits import Budget, ClientSlots, CrashLimit, RateLimiter, queries_per_client
from .metrics import Metrics, query_logger
from .resultcache import ResultCache
from .state import EXTENSION, AppState


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure an instance of the Flask application, with its store started."""
    app = Flask(__name__)
    app.config.from_mapping(config.load(test_config))
    app.config["MAX_CONTENT_LENGTH"] = max(
        int(app.config["MAX_QUERY_BYTES"]),
        int(app.config["MAX_SUBMISSION_BYTES"]),
        int(app.config["EXTRACT_MAX_BYTES"]) + assist.FORM_ROOM,
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    CORS(
        app,
        # read endpoints only: the endpoint, health, and linked-data documents
        resources={r"/sparql": {}, r"/health": {}, linkeddata.CORS_PATHS: {}},
        methods=["GET", "HEAD", "POST", "OPTIONS"],
        allow_headers=["Content-Type", "Accept"],
        expose_headers=["X-Query-Id", "X-Query-Time-Ms", "Retry-After"],
        max_age=600,
        # the data is public and no credentials are used: `*`, not the Origin echoed, which
        # would need `Vary: Origin` for a shared cache not to give one site's copy to another
        send_wildcard=True,
    )
    app.extensions[EXTENSION] = create_state(app.config)
    responses.init_app(app)
    operations.init_app(app)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(querypage.bp)
    app.register_blueprint(timeline.bp)
    app.register_blueprint(maps.bp)
    app.register_blueprint(void.bp)
    app.register_blueprint(curation.bp)
    assist.init_app(app)  # the review flow of the curator's assistant
    app.register_blueprint(linkeddata.bp)  # last: it answers every path we mint
    return app


def create_state(settings: Mapping[str, Any]) -> AppState:
    """Open and start the store, and make everything else the views share."""
    store = open_store(settings)
    store.start()
    atexit.register(store.close)  # stop the query processes when the web process exits
    # the shapes first: if they cannot load, this says so, not a validation process dying
    shapes = load_shapes(Path(settings["SHAPES_DIR"]))
    checker = CheckPool(settings)  # its process starts with the first validation
    atexit.register(checker.close)
    drafter = DraftPool(settings)  # its process starts with the first article
    atexit.register(drafter.close)
    result_cache = ResultCache(int(settings["RESULT_CACHE_BYTES"]))
    return AppState(
        store=store,
        checker=checker,
        # a remote store counts the requests it is sent; the embedded one has none to count
        metrics=Metrics(
            result_cache, getattr(store, "requests_sent", None), lambda: store.engine.processes
        ),
        query_log=query_logger(str(settings["QUERY_LOG"])),
        curators=load_tokens(settings),
        write_limit=RateLimiter(int(settings["WRITE_RATE_PER_MINUTE"])),
        client_slots=ClientSlots(queries_per_client(settings, store.engine.size)),
        crash_limit=CrashLimit(int(settings["CRASHES_PER_CLIENT"])),
        query_budget=Budget(float(settings["QUERY_SECONDS_PER_MINUTE"])),
        validation_budget=Budget(
            float(settings["VALIDATION_SECONDS_PER_MINUTE"]), "anonymous validations"
        ),
        shapes=shapes,
        term_labels=term_labels(store),
        drafter=drafter,
        result_cache=result_cache,
    )
