"""One shape for every error the service answers with, as JSON or plain text.

``{"status": 400, "error": "syntax_error", "message": "…", "line": 1, "column": 24}``; clients
that prefer ``text/plain`` get the same as ``400 syntax_error: … (line 1, column 24)``.
No error answer carries a traceback.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from ..errors import HttpError, InputError, KgError

log = logging.getLogger(__name__)


def error_body(status: int, code: str, message: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"status": status, "error": code, "message": message}
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


def make_error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    """Answer an error as JSON, or as one line of text for clients that prefer text/plain."""
    body = error_body(status, code, message, **extra)
    best = request.accept_mimetypes.best_match(["application/json", "text/plain"])
    if (
        best == "text/plain"
        and request.accept_mimetypes["text/plain"] > request.accept_mimetypes["application/json"]
    ):
        where = ""
        if body.get("line") is not None:
            where = f" (line {body['line']}, column {body.get('column')})"
        response = Response(f"{status} {code}: {message}{where}\n", status, mimetype="text/plain")
    else:
        response = jsonify(body)
        response.status_code = status
    response.headers["Vary"] = "Accept"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_http_error(exc: HttpError) -> Response:
    headers = dict(exc.headers)
    if exc.retry_after is not None:
        headers["Retry-After"] = str(exc.retry_after)
    offered = list(exc.allowed) or None
    return make_error(
        exc.status,
        exc.code,
        exc.message,
        headers,
        line=exc.line,
        column=exc.column,
        offered=offered,
    )


def init_app(app: Flask) -> None:
    @app.errorhandler(HttpError)
    def _http_error(exc: HttpError) -> Response:
        return from_http_error(exc)

    @app.errorhandler(InputError)
    def _input_error(exc: InputError) -> Response:
        return make_error(
            400,
            "syntax_error" if exc.line else "bad_input",
            exc.message,
            line=exc.line,
            column=exc.column,
        )

    @app.errorhandler(HTTPException)
    def _werkzeug(exc: HTTPException) -> Response:
        code = (exc.name or "error").lower().replace(" ", "_")
        headers = {}
        if exc.code == 405:
            allowed = exc.get_response().headers.get("Allow")
            if allowed:
                headers["Allow"] = allowed
        message = exc.description or exc.name or "error"
        if exc.code == 413:
            message = (
                f"the request is larger than {app.config['MAX_QUERY_BYTES']} bytes "
                "(MAX_QUERY_BYTES)"
            )
        return make_error(exc.code or 500, code, message, headers)

    @app.errorhandler(KgError)
    def _kg_error(exc: KgError) -> Response:
        return make_error(500, "server_error", str(exc))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unexpected error")  # the traceback goes to the log, never to the client
        return make_error(500, "server_error", "the server failed; the error was logged")
