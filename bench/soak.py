"""Soak: well-behaved clients with and without attackers on one `kg serve` (issue 11, Proof).

One `kg serve` on the real build (`kg build` into a temporary folder), every limit at its
default. Phase A: `--clients` well-behaved clients, each from its own loopback address
(127.0.0.2, 127.0.0.3, ...: separate users, so the per-address limits apply as in reality),
run the competency questions (tests/cq/*.rq) and entity pages for `--duration` seconds.
Phase B: the same clients, plus `--attackers` attacker threads from 127.0.0.1 that cycle
through the attacks of tests/security (egress through SERVICE to a loopback listener of ours,
6000-deep brackets, a cartesian ORDER BY that runs into the deadline, a 1 MB Turtle body and
bursts of small ones to /validate, a UTF-16 entity bomb, javascript: IRIs, hostile paths),
and `--slow-connections` raw sockets that send one header line every 3 s. The RSS of the
server's process tree is sampled every 2 s.

Targets: the well-behaved clients' p99 in B within 2x of A; no 5xx but designed 503s (the
JSON error shape); every well-behaved request answered; memory back near its start after B;
zero connections to the listener. Exit status 1 when a target is missed.

    .venv/bin/python bench/soak.py --duration 300 [--clients 12] [--attackers 4] [--json OUT]
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from load import ACCEPT, Query, load_queries, median, percentile  # noqa: E402
from run import (  # noqa: E402
    OUR_KG,
    ROOT,
    descendants,
    free_port,
    http_get,
    launch,
    rss_mb,
    stop_process,
    wait_until,
)

ATTACKER = "127.0.0.1"
BASE_IRI = "https://w3id.org/cakg/"
CLIENT_TIMEOUT_S = 30.0  # well-behaved requests
ATTACK_TIMEOUT_S = 60.0
SAMPLE_S = 2.0  # RSS sampling interval
SLOW_LINE_S = 3.0  # slow-header connections: one header line this often
BURST = 8  # small concurrent /validate requests per burst
SETTLE_S = 60.0  # at most this long for the RSS to hold still after phase B
P99_RATIO = 2.0
MEMORY_GROWTH = 1.25  # final RSS at most this times the RSS before phase A
SPARQL = {"Content-Type": "application/sparql-query"}
TURTLE = {"Content-Type": "text/turtle"}
PREFIXES = """@prefix kg: <https://w3id.org/cakg/ontology#> .
@prefix doc: <https://w3id.org/cakg/doc/> .
@prefix city: <https://w3id.org/cakg/city/> .
@prefix country: <https://w3id.org/cakg/country/> .
@prefix status: <https://w3id.org/cakg/vocab/status/> .
@prefix etype: <https://w3id.org/cakg/vocab/event-type/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""


# ---------------------------------------------------------------------- attack payloads
def event(subject: str) -> str:
    """A small conforming addition (a festival in Khiva with its evidence), as Turtle."""
    return PREFIXES + (
        f'<{subject}> a kg:CulturalEvent ; rdfs:label "Soak festival"@en ;\n'
        "  kg:eventType etype:festival ; kg:status status:happened ; kg:location city:khiva ;\n"
        '  kg:date "2024"^^xsd:gYear ; kg:evidence [ a kg:Evidence ;\n'
        '  kg:source doc:000_74681c818d2b02ab ; kg:quote "Lazgi festival" ] .\n'
    )


KZ = "country:kazakhstan"


def big_turtle(size: int = 1_000_000) -> bytes:
    """About `size` bytes of cities (issue 11, finding 4: 1.25 MB took 72 s)."""
    lines, total = [PREFIXES], len(PREFIXES)
    for i in itertools.count():
        if total >= size:
            break
        line = f'city:soak-{i} a kg:City ; rdfs:label "Soak {i}"@en ; kg:country {KZ} .\n'
        lines.append(line)
        total += len(line)
    return "".join(lines).encode()


def utf16_entity_bomb() -> bytes:
    """RDF/XML declared and sent as UTF-16LE whose entities multiply 10^6 times."""
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(6)
    )
    text = (
        '<?xml version="1.0" encoding="UTF-16LE"?>'
        f"<!DOCTYPE r [{entities}]>"
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:ex="http://example.org/"><rdf:Description rdf:about="http://example.org/x">'
        "<ex:p>&g;</ex:p></rdf:Description></rdf:RDF>"
    )
    return text.encode("utf-16-le")


def egress_queries(target: str) -> list[str]:
    """Queries that once made a query process connect to `target` (issue 11, finding 1)."""
    return [
        f"SELECT ?x WHERE {{ #x\rSERVICE <{target}/x> {{ ?x ?p ?o }} }}",
        f"PREFIX e:<{target}/> SELECT ?x {{ FILTER(1<2)SERVICE#>\ne:x {{ ?x ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE <{target}/plain> {{ ?s ?p ?o }} }}",
    ]


DEEP = [
    "SELECT * WHERE { #\rFILTER(" + "(" * 6000 + "1" + ")" * 6000 + ")\n}",
    "SELECT * WHERE { FILTER(" + "(" * 6000 + "1" + ")" * 6000 + ") }",
]
CARTESIAN = "SELECT ?a ?b ?d WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"  # ~3 GB in 10 s
#: In the order the attackers cycle through them; slow-headers runs beside them.
ATTACKS = [
    "egress",
    "cartesian-order-by",
    "deep-brackets",
    "validate-1mb",
    "hostile-path",
    "validate-burst",
    "utf16-entity-bomb",
    "javascript-iri",
    "slow-headers",
]
HOSTILE_PATHS = [
    "/city/%E5%B8%82",
    "/event/%F0%9F%8E%89",
    "/city/a%3Eb",
    "/city/khiva%3E%20%3Fp%20%3Fo%20.%20%3Cx",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/city/" + "a" * 9000,
    "/sparql?query=ASK%7B%7D&query=ASK%7B%7D",
]


# ---------------------------------------------------------------------- requests, recorded
@dataclass
class Outcome:
    who: str  # "well-behaved" or "attacker"
    phase: str
    kind: str  # query name, "page", or the attack
    seconds: float
    result: str  # "200", "404", "503 timeout" (designed: the JSON error shape), "timeout", ...


def designed_5xx(result: str) -> bool:
    return result.startswith("503 ")


def undesigned_5xx(result: str) -> bool:
    return result[:1] == "5" and not designed_5xx(result)


def answered(result: str) -> bool:
    return result[:1].isdigit()


class SourceAddress(HTTPAdapter):
    """Connections from one local address (Linux routes all of 127/8 to loopback)."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def session(address: str) -> requests.Session:
    s = requests.Session()
    s.mount("http://", SourceAddress(address))
    return s


class Recorder:
    """Sends requests and keeps what came of each."""

    def __init__(self, base: str, who: str, address: str) -> None:
        self.base, self.who, self.address = base, who, address
        self.session = session(address)
        self.phase = ""
        self.rows: list[Outcome] = []
        self.refused = 0  # connection failures in a row: the server is gone, stop

    def going(self, deadline: float) -> bool:
        return time.monotonic() < deadline and self.refused < 20

    def send(
        self,
        kind: str,
        method: str,
        path: str,
        timeout: float,
        via: requests.Session | None = None,
        **kwargs: Any,
    ) -> str:
        started = time.monotonic()
        try:
            response = (via or self.session).request(
                method, self.base + path, timeout=timeout, **kwargs
            )
            result = str(response.status_code)
            if response.status_code == 503:
                try:
                    body = response.json()
                    if isinstance(body, dict) and isinstance(body.get("error"), str):
                        result = f"503 {body['error']}"
                except ValueError:
                    pass
        except requests.Timeout:
            result = "timeout"
        except requests.ConnectionError:
            result = "connection"
        except requests.RequestException as exc:
            result = type(exc).__name__
        self.rows.append(Outcome(self.who, self.phase, kind, time.monotonic() - started, result))
        self.refused = self.refused + 1 if result == "connection" else 0
        return result


# ---------------------------------------------------------------------- the clients
class WellBehaved(Recorder):
    """Competency questions and entity pages, one at a time, from an address of its own."""

    def __init__(self, base: str, n: int, queries: list[Query], pages: list[str]) -> None:
        super().__init__(base, "well-behaved", f"127.0.0.{2 + n}")
        self.n, self.queries, self.pages = n, queries, pages

    def run(self, deadline: float) -> None:
        for i in itertools.count(self.n * 5):
            if not self.going(deadline):
                return
            if i % 3 == 2:
                page = self.pages[(i // 3) % len(self.pages)]
                self.send("page", "GET", page, CLIENT_TIMEOUT_S, headers={"Accept": "text/html"})
            else:
                self.ask(self.queries[i % len(self.queries)])

    def ask(self, q: Query) -> None:
        headers = {**SPARQL, "Accept": ACCEPT[q.kind]}
        self.send(
            q.name, "POST", "/sparql", CLIENT_TIMEOUT_S, data=q.text.encode(), headers=headers
        )


class Attacker(Recorder):
    """Cycles through the attacks, one at a time, from the attackers' address."""

    def __init__(self, base: str, n: int, listener: str, big: bytes) -> None:
        super().__init__(base, "attacker", ATTACKER)
        self.n, self.listener, self.big = n, listener, big

    def query(self, kind: str, text: str) -> None:
        self.send(kind, "POST", "/sparql", ATTACK_TIMEOUT_S, data=text.encode(), headers=SPARQL)

    def validate(self, kind: str, body: bytes, content_type: str, via: Any = None) -> None:
        headers = {"Content-Type": content_type}
        self.send(kind, "POST", "/validate", ATTACK_TIMEOUT_S, via, data=body, headers=headers)

    def egress(self) -> None:
        for text in egress_queries(self.listener):
            self.query("egress", text)
        get = "/sparql?query=" + quote(egress_queries(self.listener)[0], safe="")  # %0D
        self.send("egress", "GET", get, ATTACK_TIMEOUT_S)

    def deep_brackets(self) -> None:
        for text in DEEP:
            self.query("deep-brackets", text)

    def cartesian(self) -> None:
        self.query("cartesian-order-by", CARTESIAN)

    def big_validate(self) -> None:
        self.validate("validate-1mb", self.big, "text/turtle")

    def validate_burst(self) -> None:
        body = event(f"{BASE_IRI}event/soak-burst").encode()

        def one() -> None:
            with session(ATTACKER) as s:
                self.validate("validate-burst", body, "text/turtle", s)

        threads = [threading.Thread(target=one, daemon=True) for _ in range(BURST)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(ATTACK_TIMEOUT_S + 10)

    def entity_bomb(self) -> None:
        self.validate("utf16-entity-bomb", utf16_entity_bomb(), "application/rdf+xml")

    def javascript_iri(self) -> None:
        self.validate("javascript-iri", event("javascript:alert(1)//x").encode(), "text/turtle")

    def hostile_paths(self) -> None:
        for path in HOSTILE_PATHS:
            self.send("hostile-path", "GET", path, ATTACK_TIMEOUT_S)

    def run(self, deadline: float, names: list[str]) -> None:
        table: dict[str, Callable[[], None]] = {
            "egress": self.egress,
            "cartesian-order-by": self.cartesian,
            "deep-brackets": self.deep_brackets,
            "validate-1mb": self.big_validate,
            "hostile-path": self.hostile_paths,
            "validate-burst": self.validate_burst,
            "utf16-entity-bomb": self.entity_bomb,
            "javascript-iri": self.javascript_iri,
        }
        attacks = [table[name] for name in names if name in table]
        for i in itertools.count(self.n * 2):
            if not attacks or not self.going(deadline):
                return
            attacks[i % len(attacks)]()


@dataclass
class SlowStats:
    opened: int = 0
    failed_to_open: int = 0
    lifetimes: list[float] = field(default_factory=list)  # of connections the server ended
    endings: Counter[str] = field(default_factory=Counter)  # "closed", "reset", "408", ...


def slow_headers(port: int, count: int, deadline: float, stats: SlowStats) -> None:
    """Keep `count` connections sending one header line every SLOW_LINE_S, never finishing;
    replace each the server ends, and note how it ended and after how long."""
    open_: list[tuple[socket.socket, float, int]] = []

    def ended(s: socket.socket) -> str | None:
        s.setblocking(False)
        try:
            data = s.recv(4096)
            return data.split(b" ", 2)[1].decode("ascii", "replace") if data else "closed"
        except BlockingIOError:
            return None
        except OSError:
            return "reset"
        finally:
            s.settimeout(5)

    while time.monotonic() < deadline:
        still: list[tuple[socket.socket, float, int]] = []
        for s, opened, lines in open_:
            end = ended(s)
            if end is None:
                try:
                    s.sendall(f"X-Slow-{lines}: x\r\n".encode())
                except OSError:
                    end = "reset"
            if end is None:
                still.append((s, opened, lines + 1))
            else:
                stats.lifetimes.append(time.monotonic() - opened)
                stats.endings[end] += 1
                s.close()
        while len(still) < count:
            try:
                s = socket.create_connection(("127.0.0.1", port), 5, (ATTACKER, 0))
                s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            except OSError:
                stats.failed_to_open += 1
                break
            stats.opened += 1
            still.append((s, time.monotonic(), 0))
        open_ = still
        time.sleep(max(0.0, min(SLOW_LINE_S, deadline - time.monotonic())))
    for s, _, _ in open_:
        s.close()


class Listener:
    """A loopback TCP listener that counts the connections it gets: egress must reach it never."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.ports: list[int] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, (_, port) = self.sock.accept()
            except TimeoutError:
                continue
            self.ports.append(port)
            conn.close()

    def contacts(self) -> int:
        """Connections so far, counted to the end: ours is accepted after every earlier one."""
        with socket.create_connection(self.sock.getsockname()) as probe:
            mark = probe.getsockname()[1]
        end = time.monotonic() + 5
        while mark not in self.ports and time.monotonic() < end:
            time.sleep(0.05)
        self.stop.set()
        self.thread.join()
        self.sock.close()
        return len([p for p in self.ports if p != mark])


class Sampler:
    """RSS of the server's process tree (web process and children) every SAMPLE_S."""

    def __init__(self, pid: int, t0: float) -> None:
        self.pid, self.t0 = pid, t0
        self.samples: list[tuple[float, float]] = []  # (seconds since t0, MB)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def sample(self) -> float:
        mb = rss_mb(self.pid)
        self.samples.append((time.monotonic() - self.t0, mb))
        return mb

    def _run(self) -> None:
        while not self.stop.wait(SAMPLE_S):
            self.sample()

    def settle(self) -> float:
        """Once the load is over: sample until three samples in a row are within 2 % (the
        server finished what it was still doing), at most SETTLE_S; the last sample."""
        self.stop.set()
        self.thread.join()
        end = time.monotonic() + SETTLE_S
        last = [self.sample()]
        while time.monotonic() < end and (
            len(last) < 3 or max(last) - min(last) > 0.02 * max(last)
        ):
            time.sleep(SAMPLE_S)
            last = [*last[-2:], self.sample()]
        return last[-1]


# ---------------------------------------------------------------------- the server
def kg_command() -> str:
    return str(OUR_KG) if OUR_KG.exists() else (shutil.which("kg") or "kg")


def start_server(work: Path) -> tuple[subprocess.Popen[bytes], int, Path]:
    """`kg build` into work/build, then `kg serve` with every limit at its default."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    port = free_port()
    env.update(
        KG_BUILD_DIR=str(work / "build"),
        KG_VAR_DIR=str(work / "var"),
        KG_QUERY_LOG=str(work / "query.log"),
        KG_HOST="127.0.0.1",
        KG_PORT=str(port),
    )
    log = work / "serve.log"
    with log.open("ab") as out:
        subprocess.run([kg_command(), "build"], env=env, cwd=ROOT, stdout=out, check=True)
    proc = launch([kg_command(), "serve"], work, log, env)
    if not wait_until(lambda: http_get(port, "/health") == 200, 120, proc):
        stop_process(proc)
        raise RuntimeError(f"kg serve did not start; see {log}")
    return proc, port, log


def rss_by_process(pid: int) -> dict[str, float]:
    """MB of each process of the tree, as `name[pid]` (the first is the one we started)."""
    out: dict[str, float] = {}
    for p in descendants(pid):
        try:
            name = Path(f"/proc/{p}/comm").read_text().strip()
            status = Path(f"/proc/{p}/status").read_text().splitlines()
        except OSError:
            continue
        kb = [int(line.split()[1]) for line in status if line.startswith("VmRSS:")]
        out[f"{name}[{p}]"] = (kb[0] if kb else 0) / 1024
    return out


def entity_pages(base: str, limit: int = 40) -> list[str]:
    """Paths of entities of the build, spread over the sorted list of typed subjects."""
    query = (
        f"SELECT DISTINCT ?s WHERE {{ ?s a ?t FILTER(STRSTARTS(STR(?s), '{BASE_IRI}') "
        "&& !CONTAINS(STR(?s), '#') && !CONTAINS(STR(?s), '/graph/')) } ORDER BY ?s"
    )
    answer = requests.post(
        base + "/sparql",
        data=query,
        headers={**SPARQL, "Accept": ACCEPT["solutions"]},
        timeout=CLIENT_TIMEOUT_S,
    )
    answer.raise_for_status()
    iris = [b["s"]["value"] for b in answer.json()["results"]["bindings"]]
    step = max(1, len(iris) // limit)
    return ["/" + iri[len(BASE_IRI) :] for iri in iris[::step][:limit]]


def run_threads(targets: list[Callable[[], None]], wait: float) -> None:
    threads = [threading.Thread(target=t, daemon=True) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(wait)


# ---------------------------------------------------------------------- reporting
def summary(rows: list[Outcome], seconds: float) -> dict[str, Any]:
    """Throughput counts 200 answers; latencies are of every request, answered or not."""
    latencies = [r.seconds for r in rows]
    p50, p99 = median(latencies), percentile(latencies, 99)
    return {
        "requests": len(rows),
        "ok": sum(r.result == "200" for r in rows),
        "qps": sum(r.result == "200" for r in rows) / seconds if seconds else 0.0,
        "p50_ms": None if p50 is None else p50 * 1000,
        "p99_ms": None if p99 is None else p99 * 1000,
        "max_ms": max(latencies) * 1000 if latencies else None,
        "outcomes": dict(Counter(r.result for r in rows).most_common()),
    }


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def outcomes(counts: dict[str, int]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in counts.items()) or "-"


def rss_row(name: str, samples: list[tuple[float, float]]) -> str:
    if not samples:
        return f"| {name} | - | - | - | - |"
    mid = samples[len(samples) // 2][1]
    top = max(mb for _, mb in samples)
    return f"| {name} | {samples[0][1]:.0f} | {mid:.0f} | {samples[-1][1]:.0f} | {top:.0f} |"


def describe_head() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
        return done.stdout.strip()

    dirty = " + uncommitted changes in src/" if git("status", "--porcelain", "src") else ""
    return f"{git('rev-parse', '--short', 'HEAD')}{dirty}"


def http_server(header: str) -> str:
    """The Server header, and which server src/kg/web/server.py imports (the code can change)."""
    text = (ROOT / "src" / "kg" / "web" / "server.py").read_text("utf-8")
    names = [n for n in ("waitress", "gunicorn") if f"from {n}" in text or f"import {n}" in text]
    return f"Server: {header}; {', '.join(names) or 'unknown'} in src/kg/web/server.py"


def report(result: dict[str, Any]) -> str:
    s = result["settings"]
    lines = [
        f"# Soak ({s['date']}, {s['duration_s']:.0f} s per phase)",
        "",
        f"- server: `kg serve` at {s['commit']} ({s['http_server']}), real build "
        f"({s['triples']} triples), default limits; machine: {s['machine']}",
        f"- well-behaved: {s['clients']} clients, one address each (127.0.0.2...), "
        f"{s['queries']} competency questions and {s['pages']} entity pages (every third "
        "request a page)",
        f"- attackers: {s['attackers']} threads from {ATTACKER} cycling through "
        f"{'all attacks' if s['attacks'] == ATTACKS else ', '.join(s['attacks'])}, "
        f"plus {s['slow_connections']} slow-header connections (a line every {SLOW_LINE_S:.0f} s)",
        "",
        "| phase | clients | requests | 200/s | p50 ms | p99 ms | max ms | outcomes |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for key, phase, who in (
        ("A/well-behaved", "A", "well-behaved"),
        ("B/well-behaved", "B", "well-behaved"),
        ("B/attacker", "B", "attackers"),
    ):
        m = result["summaries"][key]
        lines.append(
            f"| {phase} | {who} | {m['requests']} | {m['qps']:.1f} | {ms(m['p50_ms'])} | "
            f"{ms(m['p99_ms'])} | {ms(m['max_ms'])} | {outcomes(m['outcomes'])} |"
        )
    lines += ["", "| attack (phase B) | requests | p50 ms | max ms | outcomes |"]
    lines.append("|---|---:|---:|---:|---|")
    for kind, m in result["attacks"].items():
        lines.append(
            f"| {kind} | {m['requests']} | {ms(m['p50_ms'])} | {ms(m['max_ms'])} | "
            f"{outcomes(m['outcomes'])} |"
        )
    slow = result["slow_headers"]
    life = median(slow["lifetimes"])
    lines += [
        "",
        f"Slow-header connections: {slow['opened']} opened, {len(slow['lifetimes'])} ended by "
        f"the server (median after {'-' if life is None else f'{life:.0f} s'}: "
        f"{outcomes(dict(slow['endings']))}), {slow['failed_to_open']} could not connect.",
        f"Egress listener contacts: {result['listener_contacts']}.",
        "This load driver used "
        + ", ".join(f"{v:.2f} cores in {k}" for k, v in result["driver_cores"].items())
        + f" (of {os.cpu_count()}, shared with the server).",
        "",
        "RSS of the server's process tree, MB (web process and its children):",
        "",
        "| span | start | middle | end | max |",
        "|---|---:|---:|---:|---:|",
    ]
    spans = result["phases"]
    samples = [tuple(x) for x in result["rss"]]
    for name in ("A", "B"):
        start, end = spans[name]
        lines.append(rss_row(f"phase {name}", [x for x in samples if start <= x[0] <= end]))
    lines.append(
        f"| before A / after B (settled in {result['settled_s']:.0f} s) | "
        f"{result['rss_before']:.0f} | | {result['rss_after']:.0f} | |"
    )
    step = max(1, len(samples) // 16)
    series = ", ".join(f"{t:.0f}s {mb:.0f}" for t, mb in samples[::step])
    each = ", ".join(f"{k} {v:.0f}" for k, v in result["rss_after_by_process"].items())
    lines += ["", f"Over time (s since A started, MB): {series}", ""]
    lines += [f"After B, per process (MB): {each}", ""]
    lines += ["| target | measured | result |", "|---|---|---|"]
    for check in result["checks"]:
        verdict = "PASS" if check["ok"] else "**FAIL**"
        lines.append(f"| {check['target']} | {check['measured']} | {verdict} |")
    lines += ["", f"Overall: {'PASS' if result['pass'] else 'FAIL'}"]
    return "\n".join(lines)


def checks(result: dict[str, Any], rows: list[Outcome]) -> list[dict[str, Any]]:
    a, b = result["summaries"]["A/well-behaved"], result["summaries"]["B/well-behaved"]
    ratio = b["p99_ms"] / a["p99_ms"] if a["p99_ms"] and b["p99_ms"] else float("inf")
    bad = Counter(f"{r.who} {r.result}" for r in rows if undesigned_5xx(r.result))
    lost = Counter(r.result for r in rows if r.who == "well-behaved" and not answered(r.result))
    before, after = result["rss_before"], result["rss_after"]
    contacts = result["listener_contacts"]
    return [
        {
            "target": f"p99 of the well-behaved, B / A <= {P99_RATIO:g}",
            "measured": f"{ms(b['p99_ms'])} / {ms(a['p99_ms'])} ms = {ratio:.2f}x",
            "ok": ratio <= P99_RATIO,
        },
        {
            "target": "no 5xx but designed 503s (JSON error shape)",
            "measured": outcomes(dict(bad)) if bad else "none",
            "ok": not bad,
        },
        {
            "target": "every well-behaved request answered",
            "measured": outcomes(dict(lost)) if lost else "all",
            "ok": not lost,
        },
        {
            "target": f"flat memory: after B <= {MEMORY_GROWTH:g}x before A",
            "measured": f"{after:.0f} / {before:.0f} MB = {after / before:.2f}x",
            "ok": after <= MEMORY_GROWTH * before,
        },
        {"target": "egress: listener contacts = 0", "measured": str(contacts), "ok": not contacts},
    ]


# ---------------------------------------------------------------------- main
def soak(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    listener = Listener()
    proc, port, log = start_server(work)
    base = f"http://127.0.0.1:{port}"
    try:
        health = requests.get(base + "/health", timeout=10)
        queries = load_queries(sorted((ROOT / "tests" / "cq").glob("*.rq")))
        pages = entity_pages(base)
        clients = [WellBehaved(base, n, queries, pages) for n in range(args.clients)]
        big = big_turtle()
        attackers = [Attacker(base, n, listener.url, big) for n in range(args.attackers)]
        warm = clients[0]
        warm.phase = "warm-up"
        for q in queries:
            warm.ask(q)
        for page in pages:
            warm.send("page", "GET", page, CLIENT_TIMEOUT_S)
        warm.rows.clear()

        t0 = time.monotonic()
        sampler = Sampler(proc.pid, t0)
        rss_before = sampler.sample()
        phases: dict[str, tuple[float, float]] = {}
        driver_cores: dict[str, float] = {}  # CPU this script used, in cores, per phase
        slow = SlowStats()
        for name in ("A", "B"):
            start = time.monotonic()
            deadline = start + args.duration
            print(f"phase {name}: {args.duration:.0f} s ...", file=sys.stderr, flush=True)
            for c in [*clients, *attackers]:
                c.phase = name
            targets: list[Callable[[], None]] = [partial(c.run, deadline) for c in clients]
            if name == "B":
                targets += [partial(a.run, deadline, args.attacks) for a in attackers]
                if "slow-headers" in args.attacks:
                    connections = args.slow_connections
                    targets.append(partial(slow_headers, port, connections, deadline, slow))
            cpu = time.process_time()
            run_threads(targets, args.duration + ATTACK_TIMEOUT_S * 2 + 30)
            phases[name] = (start - t0, deadline - t0)
            driver_cores[name] = (time.process_time() - cpu) / (time.monotonic() - start)
        print("waiting for the memory to settle ...", file=sys.stderr, flush=True)
        settle_start = time.monotonic()
        rss_after = sampler.settle()
        settled_s = time.monotonic() - settle_start
        rss_processes = rss_by_process(proc.pid)
        contacts = listener.contacts()
        if proc.poll() is not None:
            print(f"kg serve exited with {proc.returncode}; see {log}", file=sys.stderr)
    finally:
        stop_process(proc)

    rows = [r for c in [*clients, *attackers] for r in c.rows]

    def pick(phase: str, who: str) -> list[Outcome]:
        return [r for r in rows if r.phase == phase and r.who == who]

    attack_rows = pick("B", "attacker")
    result: dict[str, Any] = {
        "settings": {
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "duration_s": args.duration,
            "clients": args.clients,
            "attackers": args.attackers,
            "slow_connections": args.slow_connections if "slow-headers" in args.attacks else 0,
            "attacks": args.attacks,
            "commit": describe_head(),
            "http_server": http_server(health.headers.get("Server", "?")),
            "triples": health.json().get("triples"),
            "machine": f"nproc {os.cpu_count()}, Python {platform.python_version()}",
            "queries": len(queries),
            "pages": len(pages),
        },
        "summaries": {
            "A/well-behaved": summary(pick("A", "well-behaved"), args.duration),
            "B/well-behaved": summary(pick("B", "well-behaved"), args.duration),
            "B/attacker": summary(attack_rows, args.duration),
        },
        "attacks": {
            kind: summary([r for r in attack_rows if r.kind == kind], args.duration)
            for kind in dict.fromkeys(r.kind for r in attack_rows)
        },
        "slow_headers": asdict(slow),
        "listener_contacts": contacts,
        "phases": phases,
        "driver_cores": driver_cores,
        "rss": sampler.samples,
        "rss_before": rss_before,
        "rss_after": rss_after,
        "settled_s": settled_s,
        "rss_after_by_process": rss_processes,
    }
    result["checks"] = checks(result, rows)
    result["pass"] = all(c["ok"] for c in result["checks"])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=300, help="seconds per phase")
    parser.add_argument("--clients", type=int, default=12, help="well-behaved clients")
    parser.add_argument("--attackers", type=int, default=4, help="attacker threads")
    parser.add_argument("--slow-connections", type=int, default=20, help="slow-header sockets")
    parser.add_argument(
        "--attacks",
        nargs="+",
        choices=ATTACKS,
        default=ATTACKS,
        metavar="NAME",
        help=f"only these attacks (default: all): {' '.join(ATTACKS)}",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--workdir", type=Path, help="keep build and logs here (default: temp)")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 250:
        parser.error("--clients must be 1..250 (one loopback address each)")
    work = args.workdir or Path(tempfile.mkdtemp(prefix="kg-soak-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        result = soak(args, work)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str) + "\n", "utf-8")
    return 0 if result["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
