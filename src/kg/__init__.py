"""A knowledge graph of cultural and humanitarian cooperation between Central Asia and Japan."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

__version__ = "0.2.0"


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure an instance of the Flask application."""
    from flask_cors import CORS

    from . import (
        auth,
        config,
        curation,
        linkeddata,
        metrics,
        pages,
        responses,
        site,
        sparql,
        store,
        void,
    )
    from .describe import term_labels

    app = Flask(__name__)
    app.config.from_mapping(config.load(test_config))
    app.config["MAX_CONTENT_LENGTH"] = max(
        int(app.config["MAX_QUERY_BYTES"]), int(app.config["MAX_SUBMISSION_BYTES"])
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
    )
    responses.init_app(app)
    auth.init_app(app)
    store.init_app(app)
    metrics.init_app(app)
    app.extensions["kg.labels"] = term_labels(store.get_pool_of(app))
    app.register_blueprint(sparql.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(site.bp)
    app.register_blueprint(void.bp)
    app.register_blueprint(curation.bp)
    app.register_blueprint(linkeddata.bp)  # last: it answers every path we mint
    return app
