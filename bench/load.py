"""HTTP load driver for SPARQL endpoints: keep-alive clients in threads, bounded in count and time.

Every request is a SPARQL 1.1 Protocol POST with the query as the body
(``Content-Type: application/sparql-query``), asking for SPARQL JSON results
(SELECT/ASK) or N-Triples (CONSTRUCT/DESCRIBE). Each thread keeps one HTTP/1.1 connection
open and reconnects when the server closed it. Every loop stops by itself: after
``max_requests`` requests or ``max_seconds`` seconds, whichever comes first, and every
request has a timeout.

    python bench/load.py http://127.0.0.1:8080/sparql bench/queries/*.rq -c 8 --seconds 10
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import itertools
import json
import re
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ACCEPT = {
    "solutions": "application/sparql-results+json",
    "graph": "application/n-triples",
}
_FORM = re.compile(r"^\s*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE | re.MULTILINE)
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@dataclass(frozen=True)
class Query:
    name: str
    text: str

    @property
    def kind(self) -> str:
        """'graph' for CONSTRUCT/DESCRIBE, else 'solutions' (first query form keyword wins)."""
        match = _FORM.search(_strip_comments(self.text))
        return "graph" if match and match[1].upper() in ("CONSTRUCT", "DESCRIBE") else "solutions"


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def load_queries(paths: Sequence[Path]) -> list[Query]:
    return [Query(p.stem, p.read_text("utf-8")) for p in sorted(paths)]


@dataclass
class Reply:
    status: int  # HTTP status, or 0 when there was no HTTP answer
    body: bytes
    seconds: float
    error: str | None = None  # None, "timeout", "connection: ...", or "http NNN"
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names

    @property
    def ok(self) -> bool:
        return self.error is None


class Client:
    """One keep-alive HTTP/1.1 connection to a SPARQL endpoint."""

    def __init__(self, url: str, timeout: float) -> None:
        parts = urlsplit(url)
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"refusing to load anything but loopback, not {parts.hostname}")
        self.host = parts.hostname
        self.port = parts.port or 80
        self.path = parts.path or "/"
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None
        self.reconnects = 0

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _send(self, query: Query) -> tuple[int, bytes, dict[str, str]]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self.reconnects += 1
        body = query.text.encode("utf-8")
        self.conn.request(
            "POST",
            self.path,
            body=body,
            headers={
                "Content-Type": "application/sparql-query",
                "Accept": ACCEPT[query.kind],
                "Connection": "keep-alive",
            },
        )
        response = self.conn.getresponse()
        data = response.read()
        headers = {k.lower(): v for k, v in response.getheaders()}
        if headers.get("connection", "").lower() == "close" or response.will_close:
            self.close()
        return response.status, data, headers

    def ask(self, query: Query) -> Reply:
        started = time.monotonic()
        fresh = self.conn is None
        for attempt in (1, 2):
            try:
                status, data, headers = self._send(query)
                break
            except TimeoutError:
                self.close()
                return Reply(0, b"", time.monotonic() - started, "timeout")
            except (
                http.client.RemoteDisconnected,
                ConnectionResetError,
                BrokenPipeError,
                http.client.CannotSendRequest,
                http.client.ResponseNotReady,
            ) as exc:
                # a kept-alive connection the server had closed: retry once on a new one
                self.close()
                if attempt == 2 or fresh:
                    return Reply(
                        0, b"", time.monotonic() - started, f"connection: {type(exc).__name__}"
                    )
                started = time.monotonic()
            except OSError as exc:
                self.close()
                return Reply(
                    0, b"", time.monotonic() - started, f"connection: {type(exc).__name__}"
                )
        seconds = time.monotonic() - started
        if seconds > self.timeout:
            return Reply(status, data, seconds, "timeout", headers)
        return Reply(status, data, seconds, None if status == 200 else f"http {status}", headers)


# ---------------------------------------------------------------------- result counts
def result_count(query: Query, body: bytes, content_type: str = "") -> tuple[int, str]:
    """The number of solutions (or triples), and a digest of the values with blank nodes
    blanked out, so two engines' answers can be compared. Graph answers are read in the
    format the server says it sent (rdflib-endpoint answers DESCRIBE in RDF/XML whatever
    the Accept header asks)."""
    if query.kind == "graph":
        triples = _triples(body, content_type)
        return len(triples), _digest(triples)
    data = json.loads(body)
    if "boolean" in data:
        return 1, _digest([(str(data["boolean"]).lower(),)])
    names = data["head"].get("vars", [])
    rows = [tuple(_term(b.get(v)) for v in names) for b in data["results"]["bindings"]]
    return len(rows), _digest(rows)


def _term(t: dict[str, str] | None) -> str:
    if t is None:
        return ""
    kind = t.get("type")
    if kind == "bnode":
        return "_"
    if kind == "uri":
        return f"<{t['value']}>"
    if "xml:lang" in t:
        return f'"{t["value"]}"@{t["xml:lang"].lower()}'
    datatype = t.get("datatype", XSD_STRING)
    return f'"{t["value"]}"' if datatype == XSD_STRING else f'"{t["value"]}"^^<{datatype}>'


def _triples(body: bytes, content_type: str) -> list[tuple[str, ...]]:
    try:  # exact, with pyoxigraph when it is there (the project's venv has it)
        import pyoxigraph as ox

        media = content_type.split(";")[0].strip().lower()
        fmt = ox.RdfFormat.from_media_type(media) if media else None
        if fmt is None or "xml" in media:
            fmt = ox.RdfFormat.RDF_XML if "xml" in media else ox.RdfFormat.N_TRIPLES
        out = []
        for t in ox.parse(body, format=fmt):
            out.append(
                tuple(
                    "_" if isinstance(x, ox.BlankNode) else str(x)
                    for x in (t.subject, t.predicate, t.object)
                )
            )
        return out
    except ImportError:
        lines = [ln.strip() for ln in body.decode("utf-8").splitlines()]
        rows: list[tuple[str, ...]] = []
        for ln in lines:
            if not ln or ln.startswith("#"):
                continue
            s, p, o = ln.rstrip(" .").split(" ", 2)
            rows.append(("_" if s.startswith("_:") else s, p, "_" if o.startswith("_:") else o))
        return rows


def _digest(rows: list[tuple[str, ...]]) -> str:
    h = hashlib.sha1()
    for row in sorted(rows):
        h.update("\t".join(row).encode("utf-8") + b"\n")
    return h.hexdigest()[:12]


# ---------------------------------------------------------------------- load
@dataclass
class LoadResult:
    concurrency: int
    seconds: float
    latencies: list[float] = field(default_factory=list)  # of successful requests
    errors: Counter[str] = field(default_factory=Counter)
    per_query_errors: Counter[str] = field(default_factory=Counter)
    samples: dict[str, bytes] = field(default_factory=dict)  # first answer body per error
    reconnects: int = 0

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def total(self) -> int:
        return self.ok + sum(self.errors.values())

    @property
    def throughput(self) -> float:
        return self.ok / self.seconds if self.seconds > 0 else 0.0

    def percentile(self, q: float) -> float | None:
        return percentile(self.latencies, q)


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


def run_load(
    urls: str | Sequence[str],
    queries: Sequence[Query],
    concurrency: int,
    max_requests: int,
    max_seconds: float,
    timeout: float,
    offset: int = 0,
) -> LoadResult:
    """`concurrency` threads send the mix round-robin until `max_requests` requests were
    started or `max_seconds` passed. Each thread has its own keep-alive connection, to one
    of `urls` in turn (several copies of one server)."""
    if not queries:
        raise ValueError("no queries")
    targets = [urls] if isinstance(urls, str) else list(urls)
    counter = itertools.count()
    lock = threading.Lock()
    result = LoadResult(concurrency, 0.0)
    started = time.monotonic()
    deadline = started + max_seconds

    def worker(url: str) -> None:
        client = Client(url, timeout)
        latencies: list[float] = []
        errors: Counter[str] = Counter()
        per_query: Counter[str] = Counter()
        samples: dict[str, bytes] = {}
        refused = 0  # connection failures in a row: the server is gone, stop hammering it
        try:
            while time.monotonic() < deadline and refused < 20:
                i = next(counter)
                if i >= max_requests:
                    break
                query = queries[(i + offset) % len(queries)]
                reply = client.ask(query)
                if reply.ok:
                    latencies.append(reply.seconds)
                else:
                    errors[reply.error or "?"] += 1
                    per_query[f"{query.name}: {reply.error}"] += 1
                    samples.setdefault(reply.error or "?", reply.body[:300])
                refused = refused + 1 if (reply.error or "").startswith("connection") else 0
        finally:
            client.close()
            with lock:
                result.latencies.extend(latencies)
                result.errors.update(errors)
                result.per_query_errors.update(per_query)
                for key, body in samples.items():
                    result.samples.setdefault(key, body)
                result.reconnects += client.reconnects

    threads = [
        threading.Thread(target=worker, args=(targets[i % len(targets)],), daemon=True)
        for i in range(concurrency)
    ]
    for t in threads:
        t.start()
    for t in threads:
        # a thread ends at most one request (timeout) after the deadline
        t.join(max_seconds + 2 * timeout + 5)
    result.seconds = time.monotonic() - started
    return result


def single_runs(url: str, query: Query, runs: int, timeout: float) -> list[Reply]:
    """`runs` sequential requests of one query on one keep-alive connection."""
    client = Client(url, timeout)
    try:
        return [client.ask(query) for _ in range(runs)]
    finally:
        client.close()


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "url", help="the endpoint, e.g. http://127.0.0.1:8080/sparql (loopback only)"
    )
    parser.add_argument("queries", nargs="+", type=Path, help=".rq files")
    parser.add_argument("-c", "--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--seconds", type=float, default=10.0, help="at most this long per level")
    parser.add_argument("--requests", type=int, default=10_000, help="at most this many per level")
    parser.add_argument("--timeout", type=float, default=30.0, help="per request, seconds")
    args = parser.parse_args(argv)
    queries = load_queries(args.queries)
    client = Client(args.url, args.timeout)
    for q in queries:
        reply = client.ask(q)
        shown = result_count(q, reply.body)[0] if reply.ok else reply.error
        print(f"{q.name:45s} {reply.seconds * 1000:9.1f} ms  {shown}")
    client.close()
    for c in args.concurrency:
        r = run_load(args.url, queries, c, args.requests, args.seconds, args.timeout)
        p50, p99 = r.percentile(50), r.percentile(99)
        print(
            f"c={c}: {r.throughput:.1f} q/s, p50 {p50 * 1000 if p50 else float('nan'):.1f} ms, "
            f"p99 {p99 * 1000 if p99 else float('nan'):.1f} ms, {r.ok} ok, errors {dict(r.errors)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
