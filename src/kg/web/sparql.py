"""The SPARQL 1.1 Protocol endpoint at /sparql: https://www.w3.org/TR/sparql11-protocol/

Read-only. GET with ``query=``, POST form-encoded, POST ``application/sparql-query``; the
answer's format comes from the ``format``/``output``/``results`` parameters, then ``Accept``.
Without a query, GET answers a Service Description (RDF) or the query page (browsers).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from flask import Blueprint, Response, current_app, request
from werkzeug.datastructures import CombinedMultiDict, MultiDict

from .. import formats
from ..errors import (
    NotAcceptable,
    PayloadTooLarge,
    ProtocolError,
    ReadOnly,
    UnsupportedMediaType,
)
from ..store import guard
from ..store.engine import PLAIN, Answer, QueryJob, answer_kind
from ..store.interface import valid_iri
from .limits import client_of
from .operations import QueryRecord, observe_query
from .querypage import query_page
from .resultcache import Key
from .servicedescription import service_description
from .state import get_state

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
FORMAT_PARAMETERS = ("format", "output", "results")


@dataclass(frozen=True)
class ProtocolRequest:
    """What a client asked for, read from the URL, the form or the body."""

    query: str | None
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    format_names: tuple[str, ...]
    timeout: float | None


def _parameters() -> MultiDict[str, str]:
    """URL and form parameters together (Werkzeug parses each once per request); the form only
    when the body is one, so no multipart is ever parsed, and a query body costs nothing.
    Either must be UTF-8 once percent-decoded."""
    _check_utf8(request.query_string)
    if request.method == "POST" and request.mimetype == FORM:
        _check_utf8(request.get_data(cache=True))
        return CombinedMultiDict([request.args, request.form])
    return request.args


def _check_utf8(encoded: bytes) -> None:
    """Refuse percent-encoded text that is not UTF-8: Werkzeug would read the bytes it cannot
    decode as U+FFFD, and the query would run on text the client never sent."""
    try:
        unquote_to_bytes(encoded).decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError("the parameters are not UTF-8 text (percent-encode UTF-8)") from None


def read_request() -> ProtocolRequest:
    """Read a protocol request; raise for updates, repeated queries and other content types."""
    limit = int(current_app.config["MAX_QUERY_BYTES"])
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"the request is larger than {limit} bytes (MAX_QUERY_BYTES)")
    if request.method == "POST" and request.mimetype not in (FORM, QUERY):
        if request.mimetype == UPDATE:
            raise ReadOnly("this endpoint is read-only: SPARQL Update is not accepted")
        raise UnsupportedMediaType(
            f"POST a query as {FORM} or {QUERY}, "
            + (f"not {request.mimetype}" if request.mimetype else "with a Content-Type header")
        )
    parameters = _parameters()
    if "update" in parameters:
        raise ReadOnly("this endpoint is read-only: SPARQL Update is not accepted")
    queries = parameters.getlist("query")
    if request.method == "POST" and request.mimetype == QUERY:
        try:
            queries.append(request.get_data().decode("utf-8"))
        except UnicodeDecodeError:
            raise ProtocolError("the query is not UTF-8 text") from None
    if len(queries) > 1:
        raise ProtocolError("the query is given more than once; send exactly one query")
    if queries and not queries[0].removeprefix("\ufeff").strip():  # Oxigraph: "expected [_]"
        raise ProtocolError("the query is empty: send a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    if queries and len(queries[0].encode("utf-8")) > limit:  # in the URL as in the body
        raise PayloadTooLarge(f"the query is larger than {limit} bytes (MAX_QUERY_BYTES)")
    timeouts = parameters.getlist("timeout")
    timeout = None
    if timeouts:
        try:
            timeout = float(timeouts[0])
        except ValueError:
            raise ProtocolError(
                f"timeout must be a number of seconds, not {timeouts[0]!r}"
            ) from None
        if timeout <= 0:
            raise ProtocolError("timeout must be a positive number of seconds")
    return ProtocolRequest(
        # an editor's byte order mark is no part of the query
        query=queries[0].removeprefix("\ufeff") if queries else None,
        default_graphs=tuple(parameters.getlist("default-graph-uri")),
        named_graphs=tuple(parameters.getlist("named-graph-uri")),
        format_names=tuple(v for name in FORMAT_PARAMETERS for v in parameters.getlist(name)),
        timeout=timeout,
    )


def negotiate(kind: str, names: tuple[str, ...], form: str) -> str:
    """The media type for this kind of answer, from the format parameters or Accept. A format
    named for the other kind of answer (Turtle for a SELECT) is refused: falling back to
    Accept would give a file in a format nobody asked for."""
    chosen = formats.from_parameters(names, kind)
    if chosen is None:
        _refuse_other_kind(kind, names, form)
    chosen = chosen or formats.choose(request.headers.get("Accept"), kind)
    if chosen is None:
        offered = formats.offered(kind)
        raise NotAcceptable(
            "none of the accepted media types can be served; offered: " + ", ".join(offered),
            allowed=offered,
        )
    return chosen


def _refuse_other_kind(kind: str, names: tuple[str, ...], form: str) -> None:
    others = [k for k in ("solutions", "graph") if k != kind]
    for name in names:
        if any(formats.from_parameters((name,), other) for other in others):
            offered = sorted(formats.SHORT_NAMES[kind])
            raise NotAcceptable(
                f"format={name} is not a format of a {form} answer; offered: {', '.join(offered)}",
                allowed=formats.offered(kind),
            )


def _check_graphs(protocol: ProtocolRequest, known: frozenset[str]) -> None:
    for iri in protocol.default_graphs + protocol.named_graphs:
        if iri not in known:
            raise ProtocolError(
                f"graph {iri} is not in this dataset; GET /sparql with an RDF Accept header "
                "lists the graphs"
            )


@bp.route("/sparql", methods=["GET", "POST", "HEAD"])
def endpoint() -> Response:
    protocol = read_request()
    if protocol.query is None:
        if request.method == "POST":
            raise ProtocolError("no query: send one in the query parameter or the body")
        return _describe()
    config = current_app.config
    state = get_state()
    # once: on a remote store each look is a round trip (the graphs and the answer's tag)
    inventory = state.store.inventory()
    known = inventory.graphs
    with observe_query(protocol.query) as record:
        shape = guard.check(
            protocol.query,
            max_depth=int(config["MAX_QUERY_DEPTH"]),
            allowed_service_prefixes=config["ALLOWED_SERVICE_PREFIXES"].split(),
            local_graph_prefixes=sorted(known),
        )
        _check_graphs(protocol, known)
        kind = answer_kind(shape.form)
        media = negotiate(kind, protocol.format_names, shape.form or "")
        deadline = float(config["QUERY_TIMEOUT_S"])
        if protocol.timeout is not None:  # a client may only lower the limit, to the floor:
            # each query stopped at its deadline costs a process, and the client that much
            floor = float(config["MIN_CLIENT_TIMEOUT_S"])
            deadline = min(deadline, max(protocol.timeout, floor))
        job = QueryJob(
            query=protocol.query,
            accept={**PLAIN, kind: media},
            default_graphs=protocol.default_graphs,
            named_graphs=protocol.named_graphs,
            max_rows=int(config["MAX_ROWS"]),
            max_bytes=int(config["MAX_RESULT_BYTES"]),
            names_graphs=shape.names_graphs,
            states_dataset=shape.dataset,
            reads_default=shape.reads_default,
            base_iri=valid_iri(request.base_url),
        )
        key = Key(
            inventory.version,
            job.query,
            job.default_graphs,
            job.named_graphs,
            media,
            job.base_iri or "",
        )
        started = time.monotonic()
        ran = False  # a cached answer or a 304 costs the client no query seconds

        def charge() -> float:
            return state.store.engine.work_seconds() if ran else 0.0

        conditional = request.method in ("GET", "HEAD")
        with _within_limits(charge):  # a client over its share is refused, even what is cached
            # a tag names an answer given before; `*` names any answer, which a query that
            # fails when run does not have (RFC 9110, 13.1.2): that one is found by running it
            tags = request.if_none_match
            if conditional and not tags.star_tag and tags.contains_weak(key.etag()):
                return _not_modified(record, key)
            answer = state.result_cache.get(key)
            hit = answer is not None
            if answer is None:
                ran = True
                answer = _run(job, key, deadline)
            else:
                state.metrics.cache_hits.inc()
        if conditional and request.if_none_match.star_tag:
            return _not_modified(record, key)
        record.rows = answer.rows
    response = Response(answer.body, mimetype=answer.media_type)
    if answer.media_type.startswith("text/") or answer.media_type.endswith(("json", "xml")):
        response.mimetype_params["charset"] = "utf-8"
    response.headers["X-Query-Time-Ms"] = f"{(time.monotonic() - started) * 1000:.1f}"
    response.headers["X-Cache"] = "hit" if hit else "miss"
    return _validated(response, key)


def _not_modified(record: QueryRecord, key: Key) -> Response:
    get_state().metrics.not_modified.inc()
    record.status = 304
    return _validated(Response(status=304), key)


@contextmanager
def _within_limits(charge: Callable[[], float]) -> Iterator[None]:
    """The client's share: no crash loop, query seconds left this minute (charged what
    `charge` says once done), a free slot."""
    state = get_state()
    client = client_of(request.remote_addr)
    with (
        state.crash_limit.watch(client),
        state.query_budget.spend(client, charge),
        state.client_slots.hold(client),
    ):
        yield


def _run(job: QueryJob, key: Key, deadline: float) -> Answer:
    """The answer from the store, kept for the next asker."""
    state = get_state()
    state.metrics.runs.inc()
    answer = state.store.engine.run(job, deadline)
    state.result_cache.put(key, answer)
    return answer


def _validated(response: Response, key: Key) -> Response:
    """A GET answer's validators: its tag, and how long it may be kept (SPARQL_MAX_AGE_S)."""
    response.headers["Vary"] = "Accept"
    if request.method in ("GET", "HEAD"):
        response.set_etag(key.etag(), weak=True)
        max_age = int(current_app.config["SPARQL_MAX_AGE_S"])
        response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response


def _describe() -> Response:
    """Browsers get the query page; everyone else the Service Description."""
    accept = request.headers.get("Accept", "")
    chosen = formats.choose(accept, "graph", extra=(formats.HTML,))
    if chosen == formats.HTML or (chosen is None and "html" in accept):
        return query_page()
    if chosen is None:
        offered = formats.offered("graph") + (formats.HTML,)
        raise NotAcceptable("offered: " + ", ".join(offered), allowed=offered)
    endpoint_url = request.base_url
    body = service_description(endpoint_url, sorted(get_state().store.graphs), chosen)
    response = Response(body, mimetype=chosen)
    response.headers["Vary"] = "Accept"
    return response
