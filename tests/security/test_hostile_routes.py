"""Issue 11: every route, swept with hostile paths, query strings, headers and bodies, answers
without a server error and without a traceback.

The routes come from the app factory's own URL map, so a route added later is swept without
touching this file. For every method a route allows, the sweep fills its path variables with
hostile values and sends hostile query strings, headers and bodies. Every answer must have a
status below 500 (a 503 only with ``Retry-After``: the documented "busy, try again"), no
``Traceback``, no Python file path, and headers a real server can send (Latin-1, one line);
and a route that wants a curator's token never lets a request without that token through.

The breadth runs in process (Flask's test client, with the WSGI environ built as a WSGI server
builds it, so raw bytes reach the app as they would); a smaller sample goes to the real server
(`kg serve` on loopback) over `requests` and raw sockets, for what only a real server shows:
request-line and header parsing, header encoding, Content-Length and chunked framing, and
errors it logs instead of answering (its log must stay free of tracebacks). Routes that want a
token are swept without one and, on an app with a curator, with one, so that hostile bodies
reach the parsers.

Hostile bodies seldom pass validation, so a route that forgot its token could hide behind
its own 4xx: each such route is also shown a write it takes from a curator, which must be
refused without the token. Malformed request lines, headers and framing go to the real server
as raw bytes, each followed by a request to /health.

Every case must pass; none is expected to fail. The last two found and fixed are swept like the
others: a 4,000-byte (or non-Latin-1) document name, ``doc/<long>.txt``, answered 500, and a
line end in a path wrote triples into the Turtle 404 (also checked on the real server).
"""

from __future__ import annotations

import json
import random
import re
import socket
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from io import BytesIO
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import unquote_to_bytes, urlencode

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from helpers import ROOT, LiveServer, event
from rdflib import Graph

import kg.web

TOKEN = "tok-alice"
SUBMISSION_GRAPH = "https://w3id.org/cakg/graph/submission/"

# ------------------------------------------------------------------------------ the routes


@dataclass(frozen=True)
class Route:
    """One rule of the URL map, with one of the methods it allows."""

    rule: str
    endpoint: str
    method: str
    converters: tuple[tuple[str, str], ...]  # (variable, converter class name)

    @property
    def id(self) -> str:
        return f"{self.method} {self.rule}"


def routes_of(app: Flask) -> list[Route]:
    """Every (rule, method) of the app's URL map; where two rules share a path (one for
    reading, one for writing), the method both allow (OPTIONS) is answered, and swept, once."""
    found: dict[tuple[str, str], Route] = {}
    for rule in app.url_map.iter_rules():
        converters = tuple(sorted((n, type(c).__name__) for n, c in rule._converters.items()))
        for method in sorted(rule.methods or ()):
            found.setdefault(
                (rule.rule, method), Route(rule.rule, rule.endpoint, method, converters)
            )
    return sorted(found.values(), key=lambda r: (r.rule, r.method))


def factory_routes() -> list[Route]:
    """The routes `create_app` registers, read at collection time without starting a store
    (the state it would build is replaced by None; only the URL map is read)."""
    with mock.patch.object(kg.web, "create_state", return_value=None):
        return routes_of(kg.web.create_app())


ROUTES = factory_routes()
ROUTES_WITH_VARIABLES = [r for r in ROUTES if r.converters]

#: Values that reach a handler instead of the router's 404: a known document, a file, a dump.
BENIGN = {
    "path": "city/khiva",
    "filename": "style.css",
    "name": "SHA256SUMS",
    "submission_id": "20240101T000000-deadbeef",
}
#: Where a `path` variable leads deeper into a handler: the resource under a minted prefix,
#: with an extension, or as a document's text.
PATH_CONTEXTS = (("", ""), ("city/", ""), ("city/", ".ttl"), ("doc/", ".txt"), ("vocab/", "/"))


def url_path(route: Route, values: dict[str, str]) -> str:
    """The rule with each variable replaced by its (already percent-encoded) value."""

    def fill(match: re.Match[str]) -> str:
        return values.get(match[1], BENIGN.get(match[1], "x"))

    return re.sub(r"<(?:[^<>:]+:)?([^<>:]+)>", fill, route.rule)


# ------------------------------------------------------------------------------ hostile values

#: Path variable values, raw as they travel in the request line.
PATH_VALUES: dict[str, str] = {
    "long": "a" * 4000,
    "long-non-latin-1": "%E5%B8%82" * 500,
    "ff": "%FF",
    "invalid-utf8": "x%C3%28%A0%A1",
    "overlong-slash": "%C0%AF",
    "lone-surrogate": "%ED%A0%80",
    "nul": "a%00b",
    "controls": "%01%1F%7F",
    "crlf": "a%0D%0ASet-Cookie:%20x=1",
    "dotdot-encoded": "..%2F..%2F..%2Fetc%2Fpasswd",
    "dotdot-double-encoded": "%252E%252E%252Fetc",
    "dotdot": "../../etc/passwd",
    "quotes-angles": "%3C%3E%22'",
    "quotes-angles-raw": "<>\"'",
    "angle-in-iri": "a%3Eb",
    "sparql-injection": "x%3E%20%3Fp%20%3Fo%20%7D%20%23",
    "non-latin-1": "%E5%B8%82",
    "emoji": "%F0%9F%8E%89",
    "javascript": "javascript:alert(1)",
    "rtl": "%E2%80%AEtxt.exe",
    "bom-zero-width": "%EF%BB%BF%E2%80%8D",
    "percent": "%",
    "bad-escape": "%G1%",
    "space-plus": "a%20b+c",
    "grammar-chars": "%5C%7B%7D%7C%5E%60",
    "dot": ".",
}

#: Query strings, raw (the app must read whatever a client sends).
QUERY_STRINGS: dict[str, str] = {
    "repeated-query": "query=ASK%7B%7D&query=ASK%7B%7D",
    "repeated-everything": "format=json&format=xml&output=csv&results=tsv&graph=a&graph=b&default",
    "huge-value": "x=" + "A" * 200_000,
    "huge-query": "query=ASK%7B%7D%23" + "a" * 150_000,
    "many-params": "&".join(f"p{i}=v" for i in range(5000)),
    "invalid-escapes": "query=%&%=%G1&format=%ZZ",
    "non-utf8": "query=%FF%FE&graph=%C0%AF&format=%ED%A0%80",
    "nul-in-query": "query=SELECT%20*%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%00",
    "crlf-in-query": "query=ASK%7B%7D%0D%0AHost:%20evil",
    "comment-to-cr": "query=SELECT%20*%20%7B%23x%0D%7D",
    "update": "update=DROP%20ALL",
    "format-junk": "format=%0D%0AX:%20y&output=javascript:alert(1)&results=%E5%B8%82",
    "timeout-nan": "query=ASK%7B%7D&timeout=nan",
    "timeout-overflow": "query=ASK%7B%7D&timeout=1e999",
    "timeout-tiny": "query=ASK%7B%7D&timeout=1e-300",
    "graph-junk": "graph=%E5%B8%82&default-graph-uri=%00&named-graph-uri=" + "a" * 5000,
    "submission-graph-long": "graph=" + SUBMISSION_GRAPH + "a" * 300,
    "submission-graph-dotdot": "graph=" + SUBMISSION_GRAPH + "..%2F..%2Fx",
    "submission-graph-nul": "graph=" + SUBMISSION_GRAPH + "a%00b",
    "separators": ";;;&&&===&=&a==b",
    "array-syntax": "query[]=x&query[0]=y&format[]=json",
    "comment-source": "comment=%FF%00&source=javascript:alert(1)&allow_shared=1",
    "rtl": "query=%E2%80%AEASK%7B%7D",
    "plus-spaces": "query=ASK+%7B+%7D&format=+json+&timeout=-inf",
}

#: What HEAD gets: Flask answers HEAD with the GET view and drops the body, so the GET sweep
#: covers how the view reads a query string; HEAD gets every header set, and a sample of these.
SOME_QUERY_STRINGS = {
    name: QUERY_STRINGS[name]
    for name in (
        "repeated-query",
        "huge-value",
        "invalid-escapes",
        "non-utf8",
        "nul-in-query",
        "crlf-in-query",
        "format-junk",
        "graph-junk",
    )
}

NOT_LATIN_1 = "текст".encode().decode("latin-1")  # UTF-8 bytes, as a WSGI server hands them on

#: Header sets; values are WSGI strings (Latin-1), bodies small, so headers do the work.
HEADERS: dict[str, dict[str, str]] = {
    "accept-garbage": {"Accept": "garbage"},
    "accept-q-abc": {"Accept": "*/*;q=abc"},
    "accept-q-out-of-range": {"Accept": "text/html;q=-1, */*;q=nan, application/json;q=1e999"},
    "accept-10kb": {"Accept": "text/" + "a" * 10240},
    "accept-many": {"Accept": ", ".join(f"t{i}/s{i};q=0.{i % 10}" for i in range(800))},
    "accept-params": {"Accept": 'text/turtle;charset=unknown;profile="\x7f";;=;'},
    "accept-empty": {"Accept": ""},
    "accept-not-latin-1": {"Accept": NOT_LATIN_1 + "/html"},
    "accept-language-junk": {"Accept-Language": "zz-ZZZZZZZZZ;q=abc, *;q=1e999, ,,,;, " * 300},
    "content-type-bad-params": {"Content-Type": "application/x-www-form-urlencoded; =; ;x"},
    "content-type-unknown-charset": {"Content-Type": "text/turtle; charset=unknown"},
    "content-type-query-latin-1": {"Content-Type": "application/sparql-query; charset=latin-1"},
    "content-type-multipart-no-boundary": {"Content-Type": "multipart/form-data"},
    "content-type-junk": {"Content-Type": ";;;/;;"},
    "content-length-too-big": {"Content-Length": "1000"},
    "content-length-negative": {"Content-Length": "-1"},
    "content-length-not-a-number": {"Content-Length": "abc"},
    "content-length-huge": {"Content-Length": "99999999999999999999"},
    "content-length-too-small": {"Content-Length": "1"},
    "if-none-match-junk": {"If-None-Match": '"unterminated, W/, *, "", W/"x'},
    "if-none-match-star": {"If-None-Match": "*"},
    "conditionals-junk": {
        "If-Modified-Since": "Mon, 99 Foo 99999 99:99:99 GMT",
        "If-Match": "W/junk",
        "If-Unmodified-Since": "yesterday",
    },
    "range-junk": {"Range": "bytes=abc, items=0-1"},
    "range-beyond": {"Range": "bytes=99999999999-"},
    "range-many": {"Range": "bytes=" + ",".join(["0-0"] * 1000)},
    "range-if-range": {"Range": "bytes=-0", "If-Range": "junk"},
    "authorization-junk": {"Authorization": "Bearer junk"},
    "authorization-long": {"Authorization": "Bearer " + "a" * 10000},
    "authorization-empty-bearer": {"Authorization": "Bearer  "},
    "authorization-basic-junk": {"Authorization": "Basic !!!"},
    "authorization-nul": {"Authorization": f"Bearer {TOKEN}\x00x"},
    "authorization-not-latin-1": {"Authorization": "Bearer " + NOT_LATIN_1},
    "x-forwarded-for-junk": {
        "X-Forwarded-For": "junk, , ::1, 999.999.999.999, <script>, " + "1.1.1.1," * 1000,
        "Forwarded": 'for="[::1";proto=javascript;host=%FF',
    },
    "host-junk": {"Host": "evil.example:99999"},
    "host-angle": {"Host": "<a>[::1"},
    "origin-null-preflight": {
        "Origin": "null",
        "Access-Control-Request-Method": "DELETE, \x7f",
        "Access-Control-Request-Headers": "x-" + "a" * 5000,
    },
    "other-headers-junk": {
        "Cookie": "a=b; ;;=;" + "c" * 5000,
        "User-Agent": "x" * 20000,
        "Content-Encoding": "gzip",
        "Expect": "100-continue",
    },
    "transfer-encoding-chunked": {"Transfer-Encoding": "chunked"},
    "header-not-latin-1": {"X-Junk": NOT_LATIN_1},
    "many-headers": {f"X-H{i}": "v" for i in range(300)},
}

_RANDOM = random.Random(11)
BINARY = bytes(_RANDOM.getrandbits(8) for _ in range(4096))


def multipart(parts: list[tuple[str, str | None, bytes]], boundary: str = "b0und4ry") -> bytes:
    """A multipart/form-data body, written by hand so that it may be odd."""
    out = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        out += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode("latin-1")
        out += content + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


MULTIPART = "multipart/form-data; boundary=b0und4ry"
XXE = (
    b"<?xml version='1.0'?><!DOCTYPE r [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>"
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    b'xmlns:ex="http://example.org/"><rdf:Description rdf:about="http://example.org/x">'
    b"<ex:p>&e;</ex:p></rdf:Description></rdf:RDF>"
)

#: Bodies: (Content-Type or None, bytes).
BODIES: dict[str, tuple[str | None, bytes]] = {
    "empty": (None, b""),
    "empty-turtle": ("text/turtle", b""),
    "binary": ("application/octet-stream", BINARY),
    "binary-as-turtle": ("text/turtle", BINARY),
    "binary-as-query": ("application/sparql-query", BINARY),
    "binary-no-type": (None, BINARY),
    "invalid-utf8-turtle": (
        "text/turtle",
        b'<http://example.org/a> <http://example.org/b> "\xff" .',
    ),
    "invalid-utf8-query": ("application/sparql-query", b"ASK {\xff\xfe}"),
    "invalid-utf8-form": ("application/x-www-form-urlencoded", b"query=\xff\xfe&data=\xc0\xaf"),
    "huge-ish-comment": ("text/turtle", b"#" + b"a" * 1_500_000),
    "over-every-limit": ("application/sparql-query", b"a" * 2_100_000),
    "huge-ish-query": ("application/sparql-query", b"ASK {} #" + b"a" * 200_000),
    "turtle-as-jsonld": ("application/ld+json", b"<http://example.org/a> <b> <c> ."),
    "json-as-turtle": ("text/turtle", b'{"@id": "http://example.org/a"}'),
    "jsonld-array": ("application/ld+json", b"[]"),
    "jsonld-null": ("application/ld+json", b"null"),
    "jsonld-number": ("application/ld+json", b"1e999"),
    "jsonld-wrong-shape": ("application/ld+json", b'{"@context": 5, "@graph": "x", "@id": 7}'),
    "jsonld-bad-iri": ("application/ld+json", b'{"@id": "http://[::1", "http://ex.org/p": "x"}'),
    "jsonld-remote-context": (
        "application/ld+json",
        b'{"@context": "http://127.0.0.1:9/c.jsonld", "@id": "http://example.org/a"}',
    ),
    "json-query": ("application/json", b'{"query": "ASK {}"}'),
    "ntriples-controls": (
        "application/n-triples",
        b'<http://e.org/a\x00> <http://e.org/b> "\x01" .',
    ),
    "rdfxml-external-entity": ("application/rdf+xml", XXE),
    "sparql-update": ("application/sparql-update", b"DROP ALL"),
    "text-plain": ("text/plain", b"hello"),
    "unknown-charset": ("text/turtle; charset=unknown", b"<a> <b> ."),
    "form-odd-fields": (
        "application/x-www-form-urlencoded",
        b"data=&format=zzz&file=x&query=&query=&update=x&%FF=%FF&=&&&",
    ),
    "form-bad-format": ("application/x-www-form-urlencoded", b"data=%3Ca%3E&format=%E5%B8%82"),
    "form-jsonld-string": ("application/x-www-form-urlencoded", b"format=json-ld&data=%22x%22"),
    "form-query-nul": ("application/x-www-form-urlencoded", b"query=ASK%7B%7D%00"),
    "multipart-odd": (
        MULTIPART,
        multipart(
            [
                ("file", "../../etc/passwd.ttl", b"<a> <b> ."),
                ("file", "", b"x"),
                ("format", None, b"\xff"),
                ("data", None, b"\xc0\xaf"),
                ("query", None, b"ASK {}"),
            ]
        ),
    ),
    "multipart-filename-not-utf8": (
        MULTIPART,
        multipart([("file", "\xff\xfe.ttl", b"<a> <b> .")]),
    ),
    "multipart-unknown-extension": (MULTIPART, multipart([("file", "x.exe", BINARY[:64])])),
    "multipart-no-boundary": ("multipart/form-data", b"--x\r\n\r\njunk"),
    "multipart-truncated": (MULTIPART, b'--b0und4ry\r\nContent-Disposition: form-data; name="f'),
    "multipart-wrong-boundary": (MULTIPART, multipart([("data", None, b"x")], "other")),
}

#: What GET, HEAD and OPTIONS get: their views read no body (Werkzeug leaves a GET's form out
#: of request.values), so a sample shows that a body is ignored, whatever it is.
SOME_BODIES = {
    name: BODIES[name]
    for name in (
        "binary",
        "invalid-utf8-form",
        "form-query-nul",
        "over-every-limit",
        "jsonld-wrong-shape",
        "multipart-odd",
        "multipart-truncated",
        "multipart-no-boundary",
    )
}

#: The seed query string of body requests: names a submission graph, so that Graph Store
#: writes read their body (every other handler ignores it).
BODY_QUERY = "graph=" + SUBMISSION_GRAPH + "hostile-sweep"
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
FORM = "application/x-www-form-urlencoded"


# ------------------------------------------------------------------------------ checking answers

LEAKS = (
    "Traceback",
    'File "',
    '.py"',
    ".py:",
    "site-packages",
    str(ROOT / "src"),
    "root:x:0:0",  # /etc/passwd, read through an XML external entity
)


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


def problems(
    answer: Answer | None, without_token: bool = False, prescribed: int | None = None
) -> list[str]:
    """What is wrong with an answer; none for a good one. `without_token`: the request went to
    a route that wants a curator's token, and did not carry one; `prescribed`: a 5xx the HTTP
    RFCs prescribe for this request."""
    if answer is None:
        return ["no answer: the connection closed without a status line"]
    found = []
    busy = answer.status == 503 and answer.header("Retry-After")
    if answer.status >= 500 and not busy and answer.status != prescribed:
        found.append(f"status {answer.status}")
    if without_token and answer.status < 400:
        found.append(f"status {answer.status} without a curator's token")
    text = answer.body.decode("utf-8", "replace")
    found += [f"body holds {leak!r}" for leak in LEAKS if leak in text]
    for name, value in answer.headers:
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            found.append(f"header {name} is not Latin-1: {value[:60]!r}")
        if "\r" in value or "\n" in value:
            found.append(f"header {name} holds a line break: {value[:60]!r}")
    if found:
        found.append(f"body: {text[:200]!r}")
    return found


# ------------------------------------------------------------------------------ in process


@dataclass
class Case:
    """One request: a name (what is hostile in it) and what is sent."""

    name: str
    method: str
    path: str  # raw, percent-encoded as in the request line
    query: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None
    body: bytes = b""

    @property
    def target(self) -> str:
        return self.path + ("?" + self.query if self.query else "")


def environ_key(name: str) -> str:
    if name.lower() in ("content-type", "content-length"):
        return name.upper().replace("-", "_")
    return "HTTP_" + name.upper().replace("-", "_")


def send(client: FlaskClient, case: Case) -> Answer:
    """Send a case in process, with the environ a WSGI server builds (PEP 3333): the path
    unquoted to bytes and handed on as Latin-1, the query string and headers raw. (The test
    client's own path handling would replace invalid UTF-8 before the app saw it.)"""
    overrides: dict[str, Any] = {
        "PATH_INFO": unquote_to_bytes(case.path).decode("latin-1"),
        "QUERY_STRING": case.query,
        "REQUEST_URI": case.target,
        "RAW_URI": case.target,
    }
    if case.content_type is not None:
        overrides["CONTENT_TYPE"] = case.content_type
    overrides.update({environ_key(k): v for k, v in case.headers.items()})
    with client.open(
        "/",
        method=case.method,
        input_stream=BytesIO(case.body),
        environ_overrides=overrides,
    ) as response:
        return Answer(response.status_code, response.headers.to_wsgi_list(), response.get_data())


def run_case(client: FlaskClient, case: Case, guarded: bool = False) -> list[str]:
    try:
        answer = send(client, case)
    except Exception as exc:  # the app let an exception out: a 500 on a real server
        return [f"raised {type(exc).__name__}: {str(exc)[:200]}"]
    return problems(answer, guarded and not is_curator(case))


def path_cases(route: Route, values: dict[str, str] = PATH_VALUES) -> Iterator[Case]:
    for variable, converter in route.converters:
        contexts = PATH_CONTEXTS if converter == "PathConverter" else (("", ""),)
        for prefix, suffix in contexts:
            for name, value in values.items():
                path = url_path(route, {variable: prefix + value + suffix})
                yield Case(f"path:{variable}={prefix}<{name}>{suffix}", route.method, path)


def query_cases(route: Route, queries: dict[str, str] | None = None) -> Iterator[Case]:
    if queries is None:
        queries = SOME_QUERY_STRINGS if route.method == "HEAD" else QUERY_STRINGS
    for name, query in queries.items():
        yield Case(f"query:{name}", route.method, url_path(route, {}), query)


def header_cases(route: Route, header_sets: dict[str, dict[str, str]] = HEADERS) -> Iterator[Case]:
    for name, headers in header_sets.items():
        yield Case(
            f"headers:{name}",
            route.method,
            url_path(route, {}),
            BODY_QUERY if route.method in BODY_METHODS else "",
            dict(headers),
            FORM,
            b"query=ASK%7B%7D",
        )


def body_cases(
    route: Route, bodies: dict[str, tuple[str | None, bytes]] | None = None
) -> Iterator[Case]:
    if bodies is None:
        bodies = BODIES if route.method in BODY_METHODS else SOME_BODIES
    queries = ("", BODY_QUERY) if route.method in BODY_METHODS else ("",)
    for query in queries:
        for name, (content_type, body) in bodies.items():
            where = "+graph" if query else ""
            yield Case(
                f"body:{name}{where}",
                route.method,
                url_path(route, {}),
                query,
                {},
                content_type,
                body,
            )


SWEEPS: dict[str, Callable[[Route], Iterator[Case]]] = {
    "queries": query_cases,
    "headers": header_cases,
    "bodies": body_cases,
}


def all_cases(route: Route) -> Iterator[Case]:
    yield from path_cases(route)
    yield from query_cases(route)
    yield from header_cases(route)
    yield from body_cases(route)


# ------------------------------------------------------------------------------ who may write


def factory_guarded() -> frozenset[str]:
    """The endpoints whose view asks for a curator's token (calls ``auth.curator``), read from
    the views' code as `factory_routes` reads the URL map: a write route added later is held to
    the token without touching this file."""
    with mock.patch.object(kg.web, "create_state", return_value=None):
        views = kg.web.create_app().view_functions
    guarded = set()
    for endpoint, view in views.items():
        code = getattr(view, "__code__", None)
        if code is not None and {"auth", "curator"} <= set(code.co_names):
            guarded.add(endpoint)
    return frozenset(guarded)


GUARDED = factory_guarded()
#: The write that makes a submission to check the others against.
ROUTE_PUT = next(r for r in ROUTES if r.endpoint == "curation.gsp_write" and r.method == "PUT")


def is_guarded(route: Route) -> bool:
    """Whether the route wants a curator's token. OPTIONS is answered by Flask itself (the
    methods allowed), never by the view, whichever endpoint the URL map names for it."""
    return route.endpoint in GUARDED and route.method != "OPTIONS"


def is_curator(case: Case) -> bool:
    """Whether the case carries a curator's token, exactly."""
    return case.headers.get("Authorization") == f"Bearer {TOKEN}"


def as_curator(case: Case) -> Case:
    """The case with the curator's token, unless it sends an Authorization of its own (the
    hostile ones stay hostile, and still must not get through)."""
    return replace(case, headers={"Authorization": f"Bearer {TOKEN}", **case.headers})


def sweep(client: FlaskClient, cases: Iterable[Case], guarded: bool) -> tuple[int, list[str]]:
    """Send every case; how many were sent, and what was wrong, one line a case."""
    sent = 0
    failures = []
    for case in cases:
        sent += 1
        found = run_case(client, case, guarded)
        if found:
            failures.append(f"{case.method} {case.target[:100]} [{case.name}]: {'; '.join(found)}")
    return sent, failures


# ------------------------------------------------------------------------------ the sweep


@pytest.fixture(scope="module")
def curator_app(make_app: Callable[..., Flask]) -> Flask:
    """An app with a curator, whose writes are not rate-limited: with the token, hostile bodies
    reach the parsers and the validation processes. Its var folder is its own."""
    return make_app(CURATOR_TOKENS=f"alice={TOKEN}", WRITE_RATE_PER_MINUTE=1_000_000)


@pytest.fixture()
def curator_client(curator_app: Flask) -> FlaskClient:
    return curator_app.test_client()


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.id)
def test_every_route_answers_hostile_requests_without_a_server_error(
    client: FlaskClient, route: Route
) -> None:
    sent, failures = sweep(client, all_cases(route), is_guarded(route))
    assert sent
    assert not failures, f"{len(failures)} of {sent} cases:\n" + "\n".join(failures)


@pytest.mark.parametrize("route", [r for r in ROUTES if is_guarded(r)], ids=lambda r: r.id)
def test_routes_that_want_a_token_answer_hostile_requests_with_one(
    curator_client: FlaskClient, route: Route
) -> None:
    cases = (as_curator(case) for case in all_cases(route))
    sent, failures = sweep(curator_client, cases, guarded=True)
    assert not failures, f"{len(failures)} of {sent} cases:\n" + "\n".join(failures)


#: No token, and every hostile Authorization of the sweep.
WRONG_AUTHORIZATIONS: list[dict[str, str]] = [{}] + [
    h for name, h in HEADERS.items() if name.startswith("authorization")
]


def good_write(route: Route, submission_id: str) -> Case:
    """A write the route takes from the curator: a conforming event, to her submission."""
    return Case(
        "good-write",
        route.method,
        url_path(route, {"submission_id": submission_id}),
        "graph=" + SUBMISSION_GRAPH + submission_id,
        {},
        "text/turtle",
        event(submission_id).encode(),
    )


#: The review page's writes take an article and a curator's decisions, not RDF: they have a
#: test of their own below.
REVIEW_WRITES = ("assist.make_draft", "assist.submit_draft")
ARTICLE = "A concert of Japanese music was held in Tashkent in May 2024."


def refused_without_the_token_then_taken(client: FlaskClient, case: Case) -> Answer:
    for headers in WRONG_AUTHORIZATIONS:
        answer = send(client, replace(case, headers=headers))
        assert answer.status in (401, 403), (case.path, headers, answer.status)
    answer = send(client, as_curator(case))
    assert answer.status < 300, (case.path, answer.status, answer.body[:300])
    return answer


def test_the_review_pages_writes_are_refused_without_the_token(
    curator_client: FlaskClient,
) -> None:
    """Drafting an article and submitting a draft's accepted facts: with no token, or a
    hostile one, refused; with the curator's, taken."""
    assert {r.endpoint for r in ROUTES if is_guarded(r)} >= set(REVIEW_WRITES)
    article = urlencode({"text": ARTICLE}).encode()
    form = "application/x-www-form-urlencoded"
    drafted = refused_without_the_token_then_taken(
        curator_client, Case("good-draft", "POST", "/curate/review", "", {}, form, article)
    )
    draft_id = json.loads(drafted.body)["id"]
    decisions = json.dumps({"facts": [{"index": 0}]}).encode()
    path = f"/curate/review/{draft_id}/submit"
    refused_without_the_token_then_taken(
        curator_client, Case("good-submit", "POST", path, "", {}, "application/json", decisions)
    )


def test_a_write_the_token_lets_through_is_refused_without_it(
    curator_client: FlaskClient,
) -> None:
    """Hostile bodies seldom pass validation, whoever sends them, so the sweep alone would not
    notice a route that forgot its token: each route that wants one is shown a write it takes
    from the curator, with no token or a hostile one first. Writes go first, deletions last,
    each taking a submission the writes made."""
    order = {"PUT": 0, "DELETE": 2}
    guarded = sorted(
        (r for r in ROUTES if is_guarded(r) and r.endpoint not in REVIEW_WRITES),
        key=lambda r: (order.get(r.method, 1), r.rule),
    )
    made: list[str] = []
    for number, route in enumerate(guarded):
        if route.method != "DELETE":
            submission_id = made[-1] if made else "guard-check"
        elif made:
            submission_id = made.pop()
        else:  # no write made one: make one
            submission_id = f"guard-check-{number}"
            answer = send(curator_client, as_curator(good_write(ROUTE_PUT, submission_id)))
            assert answer.status == 201, answer.body[:300]
        case = good_write(route, submission_id)
        for headers in WRONG_AUTHORIZATIONS:
            answer = send(curator_client, replace(case, headers=headers))
            assert answer.status in (401, 403), (route.id, headers, answer.status)
        answer = send(curator_client, as_curator(case))
        assert answer.status < 300, (route.id, answer.status, answer.body[:300])
        written = json.loads(answer.body)["id"] if answer.body else submission_id
        if route.method != "DELETE" and written not in made:
            made.append(written)


def test_the_sweep_covers_every_route_of_the_app(app: Flask) -> None:
    """The routes swept are the running app's (not only the factory's as read at collection),
    the token check knows the write routes, and the cases that once failed are swept."""
    assert routes_of(app) == ROUTES
    assert {"curation.submit", "curation.revert_submission", "curation.gsp_write"} <= GUARDED
    assert not GUARDED & {"curation.validate_addition", "sparql.endpoint"}
    resource = next(r for r in ROUTES if r.endpoint == "linkeddata.resource" and r.method == "GET")
    names = {case.name for case in all_cases(resource)}
    # a 4,000-byte document name once answered 500 (document_text made a file name of it)
    assert {"path:path=doc/<long>.txt", "path:path=doc/<long-non-latin-1>.txt"} <= names


# ------------------------------------------------------------------------------ on a real server

#: The sample the real server gets: what only it shows (the request line as it parses it,
#: headers as it encodes them, framing), on every route; the in-process sweep has the rest.
REAL_PATH_VALUES = {
    name: PATH_VALUES[name]
    for name in (
        "long",
        "long-non-latin-1",
        "ff",
        "invalid-utf8",
        "nul",
        "crlf",
        "quotes-angles-raw",
        "non-latin-1",
        "percent",
        "dotdot",
    )
}
REAL_QUERY_STRINGS = {
    name: QUERY_STRINGS[name] for name in ("huge-value", "non-utf8", "crlf-in-query", "format-junk")
}
REAL_HEADERS = {
    name: HEADERS[name]
    for name in (
        "accept-not-latin-1",
        "accept-10kb",
        "authorization-not-latin-1",
        "authorization-nul",
        "header-not-latin-1",
        "host-junk",
        "host-angle",
        "content-length-too-big",
        "content-length-negative",
        "content-length-not-a-number",
        "content-length-huge",
        "content-length-too-small",
        "transfer-encoding-chunked",
        "other-headers-junk",
        "many-headers",
    )
}
REAL_BODIES = {
    name: BODIES[name]
    for name in (
        "binary",
        "invalid-utf8-form",
        "over-every-limit",
        "multipart-odd",
        "multipart-truncated",
        "rdfxml-external-entity",
    )
}
#: Headers that frame the body: `requests` would write its own, so these go over a raw socket.
FRAMING = {"content-length", "transfer-encoding"}


def real_cases(route: Route) -> Iterator[Case]:
    """The real server's sample of a route; bodies only where a view reads them."""
    yield from path_cases(route, REAL_PATH_VALUES)
    yield from query_cases(route, REAL_QUERY_STRINGS)
    yield from header_cases(route, REAL_HEADERS)
    if route.method in BODY_METHODS:
        yield from body_cases(route, REAL_BODIES)


def raw_request(case: Case, port: int) -> bytes:
    """The case as bytes on the wire, exactly: the target as written, the case's headers over
    ours (it may frame the body its own way), one connection for one request."""
    headers = {"Host": f"127.0.0.1:{port}", "Connection": "close"}
    if case.content_type is not None:
        headers["Content-Type"] = case.content_type
    if case.body or case.method in BODY_METHODS:
        headers["Content-Length"] = str(len(case.body))
    own = {name.lower() for name in case.headers}
    headers = {k: v for k, v in headers.items() if k.lower() not in own} | case.headers
    head = f"{case.method} {case.target} HTTP/1.1\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
    return head.encode("latin-1") + case.body


def is_complete(case: Case) -> bool:
    """Whether the server has the whole request once the case is sent: not when it was told
    of more body than comes, or of chunks that never come."""
    headers = {name.lower(): value for name, value in case.headers.items()}
    if headers.get("transfer-encoding", "").lower() == "chunked":
        return case.body.endswith(b"0\r\n\r\n")
    declared = headers.get("content-length", "")
    return not (declared.isdigit() and int(declared) > len(case.body))


def exchange(port: int, data: bytes, complete: bool = True, timeout: float = 20) -> bytes:
    """Send bytes on a connection of their own and read until the server closes it. An
    incomplete request is followed by the end of our side, so that the server need not wait
    for the rest (a complete one is not: waitress drops an answer to a client gone)."""
    received = bytearray()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
            if not complete:
                sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server answered before reading everything (413) and closed
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            received += chunk
    return bytes(received)


STATUS_LINE = re.compile(rb"HTTP/1\.[01] (\d{3})(?: [^\r\n]*)?")
HEADER_LINE = re.compile(rb"([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*", re.DOTALL)


def parse_answer(data: bytes, head_only: bool = False) -> tuple[Answer, bytes]:
    """The first answer in what a server sent (interim 1xx answers skipped), and what follows
    it. A line that is no header line (a line break in a value) stays in the value before it,
    for `problems` to find. Raises ValueError for what is not HTTP."""
    while True:
        head, sep, data = data.partition(b"\r\n\r\n")
        status_line, *lines = head.split(b"\r\n")
        status = STATUS_LINE.fullmatch(status_line)
        if not sep or status is None:
            raise ValueError(f"not an HTTP answer: {head[:200]!r}")
        if int(status[1]) >= 200:
            break
    headers: list[tuple[str, str]] = []
    for line in lines:
        header = HEADER_LINE.fullmatch(line)
        if header is not None and line[:1] not in b" \t":
            headers.append((header[1].decode("latin-1"), header[2].decode("latin-1")))
        elif headers:
            name, value = headers.pop()
            headers.append((name, value + "\r\n" + line.decode("latin-1")))
        else:
            raise ValueError(f"not a header line: {line[:200]!r}")
    answer = Answer(int(status[1]), headers, b"")
    if head_only or answer.status in (204, 304):
        pass
    elif (answer.header("Transfer-Encoding") or "").lower() == "chunked":
        answer.body, data = dechunk(data)
    elif (length := answer.header("Content-Length")) is not None:
        answer.body, data = data[: int(length)], data[int(length) :]
    else:
        answer.body, data = data, b""
    return answer, data


def parse_answers(data: bytes) -> list[Answer]:
    """Every answer in what a server sent, in order (to pipelined requests without HEAD)."""
    answers = []
    while data:
        answer, data = parse_answer(data)
        answers.append(answer)
    return answers


def dechunk(data: bytes) -> tuple[bytes, bytes]:
    """A chunked body, and what follows it."""
    body = b""
    while True:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            while True:  # trailers, if any, up to an empty line
                line, _, data = data.partition(b"\r\n")
                if not line:
                    return body, data
        body, data = body + data[:size], data[size + 2 :]


def send_raw(port: int, case: Case) -> Answer | None:
    """Send a case over a raw socket; None: the connection closed without an answer."""
    received = exchange(port, raw_request(case, port), is_complete(case))
    # only the first answer: waitress's own errors (400, 413) carry a body even to HEAD
    return parse_answer(received, case.method == "HEAD")[0] if received else None


def request_headers(case: Case) -> dict[str, str]:
    headers = dict(case.headers)
    if case.content_type is not None:
        headers.setdefault("Content-Type", case.content_type)
    return headers


def needs_raw(case: Case) -> bool:
    """Whether `requests` would send the case otherwise than written: its own framing, a
    target it re-encodes (an invalid escape, a raw quote, a dot segment), or a header it
    refuses to send."""
    if FRAMING & {name.lower() for name in case.headers}:
        return True
    url = "http://127.0.0.1" + case.target
    try:
        prepared = requests.Request(case.method, url, headers=request_headers(case)).prepare()
    except (requests.RequestException, ValueError):
        return True
    return prepared.path_url != case.target


def send_real(server: LiveServer, case: Case) -> Answer | None:
    """Send a case to a real server: with `requests`, or over a raw socket where `requests`
    would change it. None: the connection closed without an answer."""
    if needs_raw(case):
        return send_raw(server.port, case)
    try:
        response = requests.request(
            case.method,
            server.url + case.target,
            headers=request_headers(case),
            data=case.body or None,
            timeout=30,
            allow_redirects=False,
        )
    except requests.ConnectionError:
        return None
    return Answer(response.status_code, list(response.headers.items()), response.content)


def real_problems(server: LiveServer, case: Case, guarded: bool = False) -> list[str]:
    """What is wrong with the real server's answer to a case (see `problems`)."""
    try:
        answer = send_real(server, case)
    except (requests.RequestException, ValueError, OSError) as exc:
        # not HTTP, a broken body, or no answer in time
        return [f"{type(exc).__name__}: {str(exc)[:200]}"]
    if answer is None and not is_complete(case):
        return []  # the server waited for the rest, which never came
    return problems(answer, guarded and not is_curator(case))


class ServerLog:
    """What a real server writes to its log (standard error) from now on."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.path = Path(server.stderr.name)
        self.start = self.path.stat().st_size

    def new(self) -> str:
        with self.path.open("rb") as handle:
            handle.seek(self.start)
            return handle.read().decode("utf-8", "replace")


def log_problems(log: ServerLog) -> list[str]:
    """Tracebacks and unexpected errors the server logged since `log` began; asked after a
    request of our own, so that whatever it logs after answering is written by then."""
    requests.get(log.server.url + "/health", timeout=30)
    text = log.new()
    if "Traceback" in text or "unexpected error" in text:
        return [f"the log of {log.server.url} holds:\n{text[-3000:]}"]
    return []


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.id)
def test_a_sample_of_each_route_on_the_real_server(
    server: LiveServer, curated: LiveServer, route: Route
) -> None:
    """Routes that want a token go to the server with curators, with and without one."""
    guarded = is_guarded(route)
    target = curated if guarded else server
    log = ServerLog(target)
    cases = list(real_cases(route))
    if guarded:
        cases += [as_curator(case) for case in cases]
    failures = [
        f"{case.method} {case.target[:100]} [{case.name}]: {'; '.join(found)}"
        for case in cases
        if (found := real_problems(target, case, guarded))
    ]
    failures += log_problems(log)
    assert not failures, f"{len(failures)} of {len(cases)} cases:\n" + "\n".join(failures)


def test_a_404_names_its_path_without_writing_triples_on_the_real_server(
    server: LiveServer,
) -> None:
    """A line end in the path once ended the 404's comment, and the rest of the path became
    triples in our answer (tests/test_linkeddata.py checks every line end in process)."""
    injected = "%3Chttp://e/s%3E%20%3Chttp://e/p%3E%20%3Chttp://e/o%3E%20.%20%23"
    case = Case("404-comment", "GET", f"/city/a%0D{injected}", headers={"Accept": "text/turtle"})
    answer = send_real(server, case)
    assert answer is not None and answer.status == 404, answer
    assert not problems(answer)
    assert (answer.header("Content-Type") or "").startswith("text/turtle"), answer.headers
    assert b"404 Not Found" in answer.body
    assert len(Graph().parse(data=answer.body, format="turtle")) == 0, answer.body


# ------------------------------------------------------------------------------ malformed requests


@dataclass(frozen=True)
class Raw:
    """A request as bytes, malformed in its request line, its headers or its framing.
    `complete`: the server has all there is to read (else our side ends after it, and no
    answer is an answer); `prescribed`: a 5xx the HTTP RFCs prescribe for it."""

    name: str
    data: bytes
    complete: bool = True
    prescribed: int | None = None


def request_bytes(line: str, *headers: str, body: bytes = b"") -> bytes:
    """A request line, header lines and a body, each line CRLF-ended; Host and Connection:
    close are added unless the header lines name their own."""
    names = {h.split(":", 1)[0].lower() for h in headers}
    extra = [h for h in ("Host: x", "Connection: close") if h.split(":")[0].lower() not in names]
    lines = "".join(f"{h}\r\n" for h in (line, *headers, *extra))
    return lines.encode("latin-1") + b"\r\n" + body


def get(*headers: str, target: str = "/health") -> bytes:
    return request_bytes(f"GET {target} HTTP/1.1", *headers)


def post_query(*headers: str, body: bytes = b"ASK {}") -> bytes:
    """A query POSTed to /sparql, framed by the given headers."""
    return request_bytes(
        "POST /sparql HTTP/1.1", "Content-Type: application/sparql-query", *headers, body=body
    )


CHUNKED = "Transfer-Encoding: chunked"
MALFORMED = [
    # the request line
    Raw("empty-lines", b"\r\n\r\n", complete=False),  # ignored before a request line: it waits
    Raw("method-only", b"GET\r\n\r\n"),
    Raw("http-0.9", b"GET /\r\n\r\n"),
    Raw("version-9.9", request_bytes("GET /health HTTP/9.9")),
    Raw("version-junk", request_bytes("GET /health HTTP/x.y")),
    Raw("version-lowercase", request_bytes("GET /health http/1.1")),
    Raw("no-host", b"GET /health HTTP/1.1\r\nConnection: close\r\n\r\n"),
    Raw("method-lowercase", request_bytes("get /health HTTP/1.1")),
    Raw("method-unknown", request_bytes("BREW /sparql HTTP/1.1")),
    Raw("method-trace", request_bytes("TRACE /health HTTP/1.1")),
    Raw("method-connect", request_bytes("CONNECT 127.0.0.1:22 HTTP/1.1")),
    Raw("method-nul", request_bytes("G\x00T /health HTTP/1.1")),
    Raw("method-long", request_bytes("A" * 10000 + " /health HTTP/1.1")),
    Raw("target-asterisk", request_bytes("OPTIONS * HTTP/1.1")),
    Raw("target-absolute", get(target="http://evil.example/health")),
    Raw("target-authority", get(target="evil.example:80")),
    Raw("target-no-slash", get(target="health")),
    Raw("target-raw-bytes", get(target="/city/\xff\xfe\x80")),
    Raw("target-nul", get(target="/city/a\x00b")),
    Raw("target-space", get(target="/city/a b")),
    Raw("target-tabs", request_bytes("GET\t/health\tHTTP/1.1")),
    Raw("target-double-spaces", request_bytes("GET  /health  HTTP/1.1")),
    Raw("target-huge", get(target="/sparql?query=" + "a" * 400_000)),
    # header lines
    Raw("header-no-colon", get("Junk")),
    Raw("header-space-before-colon", get("Accept : text/html")),
    Raw("header-empty-name", get(": x")),
    Raw("header-name-not-a-token", get("X(y)@: z")),
    Raw("header-obs-fold", get("Accept: text/html,", " */*")),
    Raw("header-bare-cr", get("X-A: a\rb")),
    # waitress ends a head only at CRLF CRLF: it waits for one
    Raw("header-bare-lf", b"GET /health HTTP/1.1\nHost: x\nConnection: close\n\n", complete=False),
    Raw("header-nul", get("X-A: a\x00b")),
    Raw("header-raw-bytes", get("Accept: \xff\xfe\x80")),
    Raw("header-huge", get("X-A: " + "a" * 400_000)),
    Raw("header-thousands", get(*(f"X-{i}: v" for i in range(20_000)))),
    Raw("host-twice", get("Host: a", "Host: b")),
    Raw("host-raw-bytes", get("Host: \xe5\xb8\x82:80", target="/city/khiva")),
    # not switched: the connection still speaks HTTP/1.1, and the next request closes it
    Raw("upgrade-websocket", get("Upgrade: websocket", "Connection: Upgrade") + get()),
    Raw("expect-junk", post_query("Expect: junk", "Content-Length: 6")),
    Raw("expect-continue", post_query("Expect: 100-continue", "Content-Length: 6")),
    # framing of the body
    Raw(
        "content-length-twice",
        post_query("Content-Length: 6", "Content-Length: 7", body=b"ASK {} "),
    ),
    Raw("content-length-list", post_query("Content-Length: 6, 6")),
    Raw("content-length-plus", post_query("Content-Length: +6")),
    Raw("content-length-hex", post_query("Content-Length: 0x6")),
    Raw("content-length-short-body", post_query("Content-Length: 100"), complete=False),
    Raw("content-length-over-waitress", post_query("Content-Length: 99999999"), complete=False),
    Raw(
        "content-length-and-chunked",
        post_query("Content-Length: 3", CHUNKED, body=b"6\r\nASK {}\r\n0\r\n\r\n"),
    ),
    Raw("chunked", post_query(CHUNKED, body=b"3\r\nASK\r\n3\r\n {}\r\n0\r\n\r\n")),
    Raw("chunked-size-junk", post_query(CHUNKED, body=b"zz\r\nASK {}\r\n0\r\n\r\n")),
    Raw("chunked-size-negative", post_query(CHUNKED, body=b"-6\r\nASK {}\r\n0\r\n\r\n")),
    # a chunk larger than any body: waitress waits for it (and counts it against its limit)
    Raw("chunked-size-huge", post_query(CHUNKED, body=b"f" * 18 + b"\r\nASK\r\n"), complete=False),
    Raw(
        "chunked-extension-trailer",
        post_query(CHUNKED, body=b'6;x="y"\r\nASK {}\r\n0\r\nX-Trailer: \xff\r\n\r\n'),
    ),
    Raw("chunked-data-overruns", post_query(CHUNKED, body=b"3\r\nASKXX6\r\n {}\r\n0\r\n\r\n")),
    Raw("chunked-truncated", post_query(CHUNKED, body=b"10\r\nASK"), complete=False),
    Raw(
        "chunked-to-http-1.0",
        post_query(CHUNKED, body=b"6\r\nASK {}\r\n0\r\n\r\n").replace(b"1.1", b"1.0", 1),
    ),
    # codings waitress does not implement: 501, as RFC 9112 (6.1) prescribes
    Raw(
        "transfer-encoding-gzip",
        post_query("Transfer-Encoding: gzip, chunked", body=b"0\r\n\r\n"),
        prescribed=501,
    ),
    Raw("transfer-encoding-unknown", post_query("Transfer-Encoding: zzz"), prescribed=501),
    Raw(
        "transfer-encoding-identity",
        post_query("Transfer-Encoding: identity", "Content-Length: 6"),
        prescribed=501,
    ),
    Raw("pipelined-junk", get("Connection: keep-alive") + b"JUNK JUNK JUNK\r\n\r\n"),
    Raw(
        "smuggled-after-body",
        post_query("Content-Length: 6", body=b"ASK {}GET /health HTTP/1.1\r\nHost: x\r\n\r\n"),
    ),
    # over waitress's own limit (twice the app's): its plain-text 413
    Raw(
        "body-over-waitress",
        post_query(CHUNKED, body=b"400000\r\n" + b"#" * 0x400000 + b"\r\n0\r\n\r\n"),
    ),
]


@pytest.mark.parametrize("raw", MALFORMED, ids=lambda raw: raw.name)
def test_a_malformed_request_leaves_the_server_well(server: LiveServer, raw: Raw) -> None:
    """Each answer (a pipelined request gets its own) is a good one, and the server answers
    /health next, without having logged a traceback."""
    log = ServerLog(server)
    received = exchange(server.port, raw.data, raw.complete)
    found = []
    if received or raw.complete:
        try:
            answers = parse_answers(received)
        except ValueError as exc:
            found.append(str(exc))
        else:
            if not answers:
                found += problems(None)
            for answer in answers:
                found += problems(answer, prescribed=raw.prescribed)
    health = requests.get(server.url + "/health", timeout=10)
    if health.status_code != 200:
        found.append(f"/health answered {health.status_code} next")
    found += log_problems(log)
    assert not found, "\n".join(found)
