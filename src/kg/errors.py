"""The errors a user can meet, each with a message they can act on."""

from __future__ import annotations


class KgError(Exception):
    """Base of every error this package reports to a user."""


class InputError(KgError):
    """A file or request body that cannot be read: missing, unknown format, or bad syntax."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = self.source or "input"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class ShapeLoadError(KgError):
    """The SHACL shapes themselves cannot be loaded."""


class BuildError(KgError):
    """The sources do not assemble into a dataset (missing document, unreadable file)."""


class StartFailed(KgError):
    """A worker process could not set itself up (a damaged build it cannot load)."""


class HttpError(KgError):
    """An error the web service answers with: a status, a short code and a message."""

    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        retry_after: int | None = None,
        allowed: tuple[str, ...] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.retry_after = retry_after
        self.allowed = allowed  # the media types offered, for 406
        self.headers = headers or {}


class QuerySyntaxError(HttpError):
    """The query does not parse: https://www.w3.org/TR/sparql11-query/#grammar"""

    code = "syntax_error"


class QueryRefused(HttpError):
    """The query would leave the machine, or is too large or too deeply nested."""

    code = "query_refused"


class ProtocolError(HttpError):
    """The request does not follow https://www.w3.org/TR/sparql11-protocol/"""

    code = "protocol_error"


class ReadOnly(HttpError):
    status = 403
    code = "read_only"


class NotAcceptable(HttpError):
    status = 406
    code = "not_acceptable"


class UnsupportedMediaType(HttpError):
    status = 415
    code = "unsupported_media_type"


class ResultTooLarge(HttpError):
    status = 422
    code = "result_too_large"


class TooManyRequests(HttpError):
    status = 429
    code = "too_many_requests"


class QueryTimeout(HttpError):
    status = 503
    code = "timeout"


class QueryCrashed(HttpError):
    """The process evaluating the query died: the server's failure, not the client's syntax."""

    status = 503
    code = "query_crashed"


class OverMemory(HttpError):
    """The work needed more memory than a worker process may have (a setting)."""

    status = 503
    code = "over_memory"


class WorkFailed(HttpError):
    """A query, validation or dump-writing process failed on something of the server's, not the
    client's."""

    status = 500
    code = "server_error"


class Busy(HttpError):
    status = 503
    code = "busy"


class Unauthorized(HttpError):
    status = 401
    code = "unauthorized"


class Forbidden(HttpError):
    status = 403
    code = "forbidden"


class NotFound(HttpError):
    status = 404
    code = "not_found"


class Conflict(HttpError):
    status = 409
    code = "iri_collision"


class InsufficientStorage(HttpError):
    """The server's disk is full: nothing was stored."""

    status = 507
    code = "insufficient_storage"


class PayloadTooLarge(HttpError):
    status = 413
    code = "too_large"


class EmptySubmission(HttpError):
    status = 422
    code = "empty_submission"
