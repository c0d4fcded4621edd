"""One shape for every error the service answers with, as JSON or plain text.

``{"status": 400, "error": "syntax_error", "message": "…", "line": 1, "column": 24}``; clients
that prefer ``text/plain`` get the same as ``400 syntax_error: … (line 1, column 24)``.
A browser (a client preferring ``text/html`` to JSON) that asks for a path the service has
no page for gets an HTML 404 page instead. No error answer carries a traceback.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
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


def prefers_html() -> bool:
    """Whether the client (a browser) prefers an HTML page to JSON and to plain text."""
    accept = request.accept_mimetypes
    best = accept.best_match(["application/json", "text/plain", "text/html"])
    return best == "text/html" and accept["text/html"] > accept["application/json"]


def page_not_found() -> Response:
    """The 404 page for a browser: what it asked for, and where to go instead."""
    html = render_template("not_found.html", iri=None, path=request.path)
    response = Response(html, 404, mimetype="text/html")
    response.headers["Vary"] = "Accept"
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


#: Sent with every HTML page: scripts and styles only from this server, no framing, no inline
#: script (data in pages travels as inert JSON), so injected markup cannot run.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    @app.after_request
    def _protect_pages(response: Response) -> Response:
        if response.mimetype == "text/html":
            for name, value in PAGE_HEADERS.items():
                response.headers.setdefault(name, value)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

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
        if exc.code == 404 and prefers_html():
            return page_not_found()
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
