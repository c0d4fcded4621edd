"""One shape for every error the service answers with, as JSON, plain text or a page.

``{"status": 400, "error": "syntax_error", "message": "…", "line": 1, "column": 24}``; clients
that prefer ``text/plain`` get the same as ``400 syntax_error: … (line 1, column 24)``.
A browser (a client preferring ``text/html`` to JSON) gets the same error as a page of the
site's (templates/error.html): the status, what it means for a person, the service's message
and a way back (issue 15). Every error is made here, whatever the route, with the same
headers in every form. No error answer carries a traceback; a 500 page not even the message.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from ..errors import HttpError, InputError, KgError

log = logging.getLogger(__name__)


def error_body(status: int, code: str, message: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"status": status, "error": code, "message": message}
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


#: What each status means for a person: a heading and a sentence that says what to do.
HUMAN: dict[int, tuple[str, str]] = {
    400: ("Bad request", "The request could not be read; the server's message says why."),
    404: ("Not found", "There is no page at this address."),
    405: ("Method not allowed", "This address cannot be used this way."),
    406: ("Not acceptable", "This answer has no form your browser asked for."),
    413: ("Too large", "What was sent is larger than this server takes."),
    429: ("Too many requests", "Too many requests came from you in a short time. Wait a moment."),
    500: ("Server error", "Something failed on our side. It was logged; try again later."),
    503: ("Unavailable", "The server could not finish in time. Try again shortly, or ask less."),
}
#: The message of every unexpected failure: all a client, person or program, is told.
SERVER_FAILED = "the server failed; the error was logged"
#: Where to go back to from an error, by the first segment of the path that failed.
WAYS_BACK: dict[str, tuple[str, str]] = {
    "sparql": ("/query", "Back to the query page"),
    "query": ("/query", "Back to the query page"),
    "validate": ("/curate", "Back to the curation page"),
    "submissions": ("/curate", "Back to the curation page"),
    "curate": ("/curate", "Back to the curation page"),
    "rdf-graphs": ("/curate", "Back to the curation page"),
    "dumps": ("/dumps/", "Back to the dumps"),
    "timeline": ("/timeline", "Back to the timeline"),
}


def way_back(path: str) -> tuple[str, str] | None:
    """The page a person most likely came from, for the path that failed (home is always
    offered besides)."""
    return WAYS_BACK.get(path.strip("/").split("/", 1)[0])


def error_page(body: dict[str, Any], retry_after: str | None = None) -> Response | None:
    """The error as a page for a browser (`retry_after`: the seconds the Retry-After header
    names, said in words too); None if the page cannot be drawn (the caller then answers
    JSON: an error page must never fail into another error)."""
    status = int(body["status"])
    title, human = HUMAN.get(status, (HTTP_STATUS_CODES.get(status, "Error"), ""))
    message = body["message"] if status != 500 else ""  # a 500's message may name internals
    if body.get("line") is not None:
        message += f" (line {body['line']}, column {body.get('column')})"
    template = "not_found.html" if status == 404 else "error.html"
    try:
        html = render_template(
            template,
            status=status,
            title=title,
            human=human,
            message=message,
            offered=body.get("offered") or (),
            back=way_back(request.path),
            retry_after=retry_after,
            iri=None,
            path=request.path,
        )
    except Exception:
        log.exception("the error page failed")
        return None
    return Response(html, status, mimetype="text/html")


def make_error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    """Answer an error as JSON, as one line of text for clients that prefer text/plain, or as
    a page for browsers."""
    body = error_body(status, code, message, **extra)
    best = request.accept_mimetypes.best_match(["application/json", "text/plain"])
    retry_after = (headers or {}).get("Retry-After")
    page = error_page(body, retry_after) if prefers_html() else None
    if page is not None:
        response = page
    elif (
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
        return make_error(500, "server_error", SERVER_FAILED)
