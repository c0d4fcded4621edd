"""Benchmark our SPARQL endpoint against peers, side by side, in one run.

For each size it generates a synthetic cakg dataset (bench/generate.py), starts on loopback,
on free ports, every engine on the same N-Quads file:

  ours            `kg serve` (waitress + Flask + pyoxigraph query processes), default limits
                  except the per-client caps (KG_MAX_CONCURRENT_PER_CLIENT,
                  KG_QUERY_WORKERS_PER_CLIENT 16, KG_QUERY_SECONDS_PER_MINUTE 960):
                  8 clients share 127.0.0.1; and the result cache off (KG_RESULT_CACHE_BYTES
                  0): the mix repeats its queries, and the engine is what is measured
  oxigraph-mem    `oxigraph serve --union-default-graph`, in memory, data POSTed to /store
  oxigraph-disk   `oxigraph load --location` then `oxigraph serve --location --union-default-graph`
  rdflib-endpoint `rdflib-endpoint serve` (rdflib Dataset with default_union=True)

and, with --remote, the remote mode: ours-remote and ours-remote-x2 (one and two `kg serve`
copies in front of one `oxigraph serve` on disk), and ours-virtuoso (in front of Virtuoso 7)
if --engines names it.

then checks that every engine gives the same number of results (and the same values, blank
nodes aside) for each query, measures each query alone (median of N runs), runs the query mix
at 1 and 8 concurrent clients (median throughput of a few short rounds, engines interleaved
round by round so drift hits all of them alike), runs the probes, and prints one table per
size with the ratios to our endpoint. Everything is bounded: request counts, seconds per round,
a timeout per request, and a startup limit per engine.

    .venv/bin/python bench/run.py --sizes 10k 100k [--include-1m]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import itertools
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
from load import (  # noqa: E402
    ACCEPT,
    Client,
    LoadResult,
    Query,
    Reply,
    load_queries,
    median,
    percentile,
    result_count,
    run_load,
)

PEERS = HERE / ".venv-peers" / "bin"
OUR_KG = ROOT / ".venv" / "bin" / "kg"
DEADLINE_S = 10.0  # our default QUERY_TIMEOUT_S
ASK = Query("ask", "ASK {}")
REMOTE = {"ours-remote": 1, "ours-remote-x2": 2}  # copies of `kg serve` in front of one store
ENGINES = [
    "ours",
    *REMOTE,
    "ours-virtuoso",
    "oxigraph-mem",
    "oxigraph-disk",
    "rdflib-endpoint",
]


# ---------------------------------------------------------------------- processes
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def rss_mb(pid: int) -> float:
    total = 0
    for p in descendants(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def cpu_seconds() -> tuple[float, float]:
    """(CPU seconds all processes of the machine used since boot, CPU seconds this process and
    its reaped children used): their difference over a span is what others used meanwhile."""
    tick = os.sysconf("SC_CLK_TCK")
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    machine_busy = (user + nice + system + irq + softirq + steal) / tick
    t = os.times()
    return machine_busy, t.user + t.system + t.children_user + t.children_system


def wait_until(
    check: Callable[[], bool], seconds: float, proc: subprocess.Popen[bytes] | None
) -> bool:
    """Poll `check` until it is true, the process died, or `seconds` passed."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            if check():
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def http_get(port: int, path: str, timeout: float = 2.0) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


# ---------------------------------------------------------------------- engines
@dataclass
class Engine:
    name: str
    timeout: float  # per request, seconds
    max_requests: int  # per load round
    runs: int  # single runs per query
    proc: subprocess.Popen[bytes] | None = None
    port: int = 0
    url: str = ""
    startup_s: float = 0.0
    rss: float = 0.0
    version: str = ""
    log: Path | None = None
    urls: list[str] = field(default_factory=list)  # where load clients go: url, if empty

    def start(self, data: Path, work: Path, startup_limit: float) -> None:
        raise NotImplementedError

    @property
    def load_urls(self) -> list[str]:
        return self.urls or [self.url]

    def memory(self) -> float:
        return rss_mb(self.proc.pid) if self.proc is not None else 0.0

    def _spawn(self, cmd: list[str], work: Path, env: dict[str, str] | None = None) -> None:
        self.log = work / f"{self.name}.log"
        self.proc = launch(cmd, work, self.log, env)

    def answers(self) -> bool:
        reply = Client(self.url, 2.0).ask(ASK)
        return reply.status == 200

    def wait_idle(self, seconds: float) -> bool:
        """After a client-side timeout: wait until the engine answers a trivial query again."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            client = Client(self.url, min(5.0, max(0.5, end - time.monotonic())))
            try:
                if client.ask(ASK).status == 200:
                    return True
            finally:
                client.close()
        return False

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
        self.proc = None


def launch(
    cmd: list[str], work: Path, log_path: Path, env: dict[str, str] | None
) -> subprocess.Popen[bytes]:
    """Start a server with its output in a log, in its own process group (stopped as a whole)."""
    with log_path.open("ab") as log:
        return subprocess.Popen(
            cmd,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=work,
            start_new_session=True,
        )


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """Stop a process started in its own group, and whatever of the group is left."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):  # SIGKILL: query processes
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(wait)


def our_env(work: Path, build: Path, port: int, name: str, **settings: str) -> dict[str, str]:
    """`kg` with its defaults, except where the data is, the port, and 16 queries per client."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env.update(
        KG_BUILD_DIR=str(build),
        KG_VAR_DIR=str(work / f"{name}-var"),
        KG_HOST="127.0.0.1",
        KG_PORT=str(port),
        KG_MAX_CONCURRENT_PER_CLIENT="16",
        KG_QUERY_WORKERS_PER_CLIENT="16",  # the 8 load clients share one address
        KG_QUERY_SECONDS_PER_MINUTE="960",  # and their budget: 16 clients' worth of minutes
        # the engine's speed is measured, not the cache's: the mix repeats its queries, which
        # the result cache would answer (bench/repeat.py measures that, on its own)
        KG_RESULT_CACHE_BYTES="0",
    )
    env.update({f"KG_{k}": v for k, v in settings.items()})
    return env


def link_build(data: Path, work: Path) -> Path:
    """A build folder holding the generated data as `kg build` would write it."""
    build = work / "ours-build"
    build.mkdir(exist_ok=True)
    target = build / "cakg.nq"
    if not target.exists():
        os.link(data, target) if data.stat().st_dev == build.stat().st_dev else shutil.copy(
            data, target
        )
    return build


@dataclass
class Ours(Engine):
    settings: dict[str, str] = field(default_factory=dict)  # KG_ settings over our_env's

    def start(self, data: Path, work: Path, startup_limit: float) -> None:
        build = link_build(data, work)
        self.port = free_port()
        started = time.monotonic()
        env = our_env(work, build, self.port, "ours", **self.settings)
        self._spawn([str(OUR_KG), "serve"], work, env)
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        if not wait_until(lambda: http_get(self.port, "/health") == 200, startup_limit, self.proc):
            raise RuntimeError(f"{self.name} did not start; see {self.log}")
        self.startup_s = time.monotonic() - started


@dataclass
class OursRemote(Engine):
    """The remote mode: `oxigraph serve` on disk as the store, filled by `kg load`, with
    `instances` copies of `kg serve --store` in front; load clients alternate between them."""

    instances: int = 1
    others: list[subprocess.Popen[bytes]] = field(default_factory=list)  # store, more copies

    def start(self, data: Path, work: Path, startup_limit: float) -> None:
        build = link_build(data, work)
        started = time.monotonic()
        remote = self.start_store(work)
        with (work / "kg-load.log").open("ab") as log:
            subprocess.run(
                [str(OUR_KG), "load"],
                env=our_env(work, build, 0, "load", **remote),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                timeout=startup_limit,
                check=True,
            )
        ports = [free_port() for _ in range(self.instances)]
        for i, port in enumerate(ports):
            env = our_env(work, build, port, f"copy{i + 1}", **remote)
            if i == 0:
                self._spawn([str(OUR_KG), "serve"], work, env)
            else:
                self._spawn_other([str(OUR_KG), "serve"], work, f"copy{i + 1}", env)
        for port in ports:
            if not wait_until(lambda p=port: http_get(p, "/health") == 200, 60, self.proc):
                raise RuntimeError(f"{self.name} did not start; see {self.log}")
        self.port = ports[0]
        self.urls = [f"http://127.0.0.1:{p}/sparql" for p in ports]
        self.url = self.urls[0]
        self.startup_s = time.monotonic() - started

    def start_store(self, work: Path) -> dict[str, str]:
        """Start the store; return the settings that point `kg` at it."""
        store_port = free_port()
        store = self._spawn_other(
            [
                str(PEERS / "oxigraph"),
                "serve",
                "--location",
                str(work / "store-db"),
                "--bind",
                f"127.0.0.1:{store_port}",
                "--union-default-graph",
            ],
            work,
            "store",
        )
        base = f"http://127.0.0.1:{store_port}"
        if not wait_until(lambda: http_get(store_port, "/query?query=ASK%7B%7D") == 200, 60, store):
            raise RuntimeError(f"{self.name}: the store did not start; see {work}/store.log")
        return {
            "STORE_URL": f"{base}/query",
            "STORE_UPDATE_URL": f"{base}/update",
            "STORE_GSP_URL": f"{base}/store",
        }

    def _spawn_other(
        self, cmd: list[str], work: Path, name: str, env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        proc = launch(cmd, work, work / f"{name}.log", env)
        self.others.append(proc)
        return proc

    def memory(self) -> float:
        alive = [p for p in [self.proc, *self.others] if p is not None]
        return sum(rss_mb(p.pid) for p in alive)

    def stop(self) -> None:
        super().stop()
        for proc in self.others:
            stop_process(proc)
        self.others = []


VIRTUOSO_DOCS = ROOT / "docs" / "virtuoso"


@dataclass
class OursVirtuoso(OursRemote):
    """The remote mode on Virtuoso 7 (Debian's virtuoso-opensource-7-bin), configured with
    docs/virtuoso/ as docs/remote-stores.md says, filled by `kg load`."""

    def start_store(self, work: Path) -> dict[str, str]:
        http_port, isql_port = free_port(), free_port()
        db = work / "virtuoso"
        db.mkdir(exist_ok=True)
        ini = (VIRTUOSO_DOCS / "virtuoso.ini").read_text("utf-8")
        config = db / "virtuoso.ini"
        config.write_text(ini.format(dir=db, isql_port=isql_port, http_port=http_port), "utf-8")
        store = self._spawn_other(
            ["virtuoso-t", "+foreground", "+configfile", str(config)], work, "store"
        )
        if not wait_until(lambda: http_get(http_port, "/sparql?query=ASK%7B%7D") == 200, 60, store):
            raise RuntimeError(f"{self.name}: Virtuoso did not start; see {work}/store.log")
        subprocess.run(
            ["isql-vt", f"127.0.0.1:{isql_port}", "dba", "dba", str(VIRTUOSO_DOCS / "setup.sql")],
            capture_output=True,
            timeout=60,
            check=True,
        )
        base = f"http://127.0.0.1:{http_port}"
        return {
            "STORE_URL": f"{base}/sparql-auth",
            "STORE_UPDATE_URL": f"{base}/sparql-auth",
            "STORE_GSP_URL": f"{base}/sparql-graph-crud-auth",
            "STORE_AUTH": "digest",
            "STORE_USER": "cakg",
            "STORE_PASSWORD": "cakg-secret",
            "STORE_RESULTS": "json",
        }


class OxigraphMemory(Engine):
    def start(self, data: Path, work: Path, startup_limit: float) -> None:
        self.port = free_port()
        started = time.monotonic()
        self._spawn(
            [
                str(PEERS / "oxigraph"),
                "serve",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--union-default-graph",
            ],
            work,
        )
        self.url = f"http://127.0.0.1:{self.port}/query"
        if not wait_until(self.answers, 30, self.proc):
            raise RuntimeError(f"{self.name} did not start; see {self.log}")
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=startup_limit)
        try:
            with data.open("rb") as body:
                conn.request(
                    "POST",
                    "/store",
                    body=body,
                    headers={
                        "Content-Type": "application/n-quads",
                        "Content-Length": str(data.stat().st_size),
                    },
                )
                response = conn.getresponse()
                response.read()
        finally:
            conn.close()
        if response.status not in (200, 201, 204):
            raise RuntimeError(f"{self.name}: loading the data answered {response.status}")
        self.startup_s = time.monotonic() - started


class OxigraphDisk(Engine):
    def start(self, data: Path, work: Path, startup_limit: float) -> None:
        location = work / "oxigraph-db"
        started = time.monotonic()
        self.log = work / f"{self.name}.log"
        with self.log.open("ab") as log:
            if (location / "CURRENT").exists():  # a restart: the data is already there
                pass
            else:
                subprocess.run(
                    [
                        str(PEERS / "oxigraph"),
                        "load",
                        "--location",
                        str(location),
                        "--file",
                        str(data),
                    ],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    timeout=startup_limit,
                    check=True,
                )
        self.port = free_port()
        self._spawn(
            [
                str(PEERS / "oxigraph"),
                "serve",
                "--location",
                str(location),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--union-default-graph",
            ],
            work,
        )
        self.url = f"http://127.0.0.1:{self.port}/query"
        if not wait_until(self.answers, startup_limit, self.proc):
            raise RuntimeError(f"{self.name} did not start; see {self.log}")
        self.startup_s = time.monotonic() - started


class RdflibEndpoint(Engine):
    def start(self, data: Path, work: Path, startup_limit: float) -> None:
        self.port = free_port()
        started = time.monotonic()
        self._spawn(
            [
                str(PEERS / "rdflib-endpoint"),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                str(data),
            ],
            work,
        )
        self.url = f"http://127.0.0.1:{self.port}/"
        if not wait_until(self.answers, startup_limit, self.proc):
            raise RuntimeError(
                f"{self.name} did not start within {startup_limit:g} s; see {self.log}"
            )
        self.startup_s = time.monotonic() - started


# ---------------------------------------------------------------------- measurements
@dataclass
class Check:
    status: int
    error: str | None
    seconds: float
    count: int | None = None
    digest: str | None = None
    media: str = ""

    def shown(self) -> str:
        if self.error:
            return _short_error(self.error)
        return str(self.count)


def _short_error(error: str) -> str:
    return {"timeout": "TIMEOUT", "http 503": "503"}.get(error, error.replace("connection: ", ""))


def check(engine: Engine, query: Query, timeout: float | None = None) -> Check:
    client = Client(engine.url, timeout or engine.timeout)
    try:
        reply = client.ask(query)
    finally:
        client.close()
    result = Check(
        reply.status,
        reply.error,
        reply.seconds,
        media=reply.headers.get("content-type", "").split(";")[0],
    )
    if reply.ok:
        try:
            result.count, result.digest = result_count(
                query, reply.body, reply.headers.get("content-type", "")
            )
        except (ValueError, KeyError) as exc:
            result.error = f"unreadable answer: {type(exc).__name__}"
    elif reply.error == "timeout":
        if not engine.wait_idle(240):
            print(f"  ! {engine.name} stays busy after a timeout; restarting it", flush=True)
            raise _Restart()
    return result


class _Restart(Exception):
    pass


@dataclass
class SizeResult:
    label: str
    quads: int
    engines: list[str]
    checks: dict[str, dict[str, Check]] = field(default_factory=dict)  # engine -> query -> check
    singles: dict[str, dict[str, list[Reply]]] = field(default_factory=dict)
    loads: dict[str, dict[int, list[LoadResult]]] = field(default_factory=dict)
    probes: dict[str, dict[str, Check]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    skipped: dict[str, list[str]] = field(default_factory=dict)  # engine -> queries left out
    background: str = ""


def say(text: str) -> None:
    print(text, flush=True)


def make_engines(args: argparse.Namespace, size_label: str, quads: int) -> list[Engine]:
    big = quads >= 50_000
    engines: list[Engine] = []
    for name in args.engines:
        if name == "ours":
            engines.append(
                Ours(name, args.timeout, args.max_requests, args.runs, settings=args.ours_settings)
            )
        elif name in REMOTE:
            engines.append(
                OursRemote(name, args.timeout, args.max_requests, args.runs, instances=REMOTE[name])
            )
        elif name == "ours-virtuoso":
            engines.append(OursVirtuoso(name, args.timeout, args.max_requests, args.runs))
        elif name == "oxigraph-mem":
            engines.append(OxigraphMemory(name, args.timeout, args.max_requests, args.runs))
        elif name == "oxigraph-disk":
            engines.append(OxigraphDisk(name, args.timeout, args.max_requests, args.runs))
        elif name == "rdflib-endpoint":
            if quads >= 500_000 and not args.rdflib_1m:
                say(
                    f"  rdflib-endpoint left out at {size_label} (its load alone takes minutes; "
                    "--rdflib-1m includes it)"
                )
                continue
            engines.append(
                RdflibEndpoint(
                    name,
                    args.rdflib_timeout,
                    args.rdflib_requests if big else max(args.rdflib_requests, 200),
                    min(args.runs, 3) if big else args.runs,
                )
            )
    return engines


def measure_size(
    args: argparse.Namespace,
    label: str,
    work: Path,
    queries: list[Query],
    probes: list[Query],
    versions: dict[str, str],
) -> tuple[SizeResult, dict[str, Engine]]:
    data = work / f"cakg-{label}.nq"
    started = time.monotonic()
    cpu_before = cpu_seconds()
    quads = generate.write(data, generate.size_of(label), args.seed)
    say(
        f"\n== {label}: generated {quads} quads ({data.stat().st_size / 1e6:.0f} MB) "
        f"in {time.monotonic() - started:.1f} s"
    )
    engines = make_engines(args, label, quads)
    result = SizeResult(label, quads, [e.name for e in engines])
    live: list[Engine] = []
    try:
        for engine in engines:
            engine_work = work / f"{label}-{engine.name}"
            engine_work.mkdir(exist_ok=True)
            say(f"  starting {engine.name} …")
            try:
                engine.start(data, engine_work, args.startup_limit)
            except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
                result.warnings.append(f"WARNING: {engine.name} at {label} did not start: {exc}")
                say(f"  {result.warnings[-1]}")
                engine.stop()
                continue
            engine.version = versions.get(engine.name, "")
            live.append(engine)
            say(f"  {engine.name} ready in {engine.startup_s:.1f} s at {engine.url}")

        def died(engine: Engine, phase: str) -> bool:
            """True (and the engine is started again) if it exited: killed from outside."""
            if engine.proc is None or engine.proc.poll() is None:
                return False
            code = engine.proc.returncode
            result.warnings.append(
                f"WARNING: {label}: {engine.name} exited by itself or was killed (code {code}) "
                f"during {phase}; restarted, and that part measured again"
            )
            say(f"  {result.warnings[-1]}")
            startup = engine.startup_s
            engine.stop()
            try:
                engine.start(data, work / f"{label}-{engine.name}", args.startup_limit)
            except (RuntimeError, subprocess.SubprocessError, OSError) as exc:
                result.warnings.append(f"WARNING: {label}: {engine.name} did not restart: {exc}")
                say(f"  {result.warnings[-1]}")
            engine.startup_s = startup
            return True

        # 1. the same answers everywhere (and warm-up)
        for engine in live:
            result.checks[engine.name] = {}
            died(engine, "startup")
            for q in queries:
                try:
                    c = check(engine, q)
                except _Restart:
                    c = Check(0, "timeout", engine.timeout)
                    engine.stop()
                    engine.start(data, work / f"{label}-{engine.name}", args.startup_limit)
                if c.error and c.error.startswith("connection") and died(engine, "the check"):
                    c = check(engine, q)
                result.checks[engine.name][q.name] = c
            result.skipped[engine.name] = [
                q.name for q in queries if result.checks[engine.name][q.name].error == "timeout"
            ]
        compare(result, queries, live)
        # 2. each query alone, median of N runs, engines interleaved run by run
        say("  single-query runs …")
        for engine in live:
            result.singles[engine.name] = {q.name: [] for q in queries}
        for run in range(max(e.runs for e in live) if live else 0):
            for engine in live:
                if run >= engine.runs:
                    continue
                for _attempt in (1, 2):
                    replies: dict[str, Reply] = {}
                    client = Client(engine.url, engine.timeout)
                    try:
                        for q in queries:
                            if q.name in result.skipped[engine.name]:
                                continue
                            replies[q.name] = client.ask(q)
                            if replies[q.name].error == "timeout":
                                client.close()
                                engine.wait_idle(240)
                    finally:
                        client.close()
                    if not died(engine, f"single run {run + 1}"):
                        break
                for name, reply in replies.items():
                    result.singles[engine.name][name].append(reply)
        # 3. the mix under load, at 1 and 8 clients, in short rounds, engines interleaved
        for engine in live:
            result.loads[engine.name] = {c: [] for c in args.concurrency}
        for c in args.concurrency:
            say(
                f"  load at {c} client(s): {args.rounds} rounds × "
                f"≤{args.round_seconds:g} s per engine …"
            )
            for r in range(args.rounds):
                for engine in live:
                    mix = [q for q in queries if q.name not in result.skipped[engine.name]]
                    if not mix:
                        continue
                    for _attempt in (1, 2):
                        lr = run_load(
                            engine.load_urls,
                            mix,
                            c,
                            engine.max_requests,
                            args.round_seconds,
                            engine.timeout,
                            offset=r * 5 + c,
                        )
                        if not died(engine, f"load round {r + 1} at {c} client(s)"):
                            break
                    result.loads[engine.name][c].append(lr)
                    if lr.errors.get("timeout"):
                        engine.wait_idle(240)
        for engine in live:
            engine.rss = engine.memory()
        # 4. probes last: one of them may keep a peer busy long after the client gave up
        for engine in live:
            result.probes[engine.name] = {}
            died(engine, "the probes")
            for q in probes:
                client = Client(engine.url, args.probe_timeout)
                try:
                    reply = client.ask(q)
                finally:
                    client.close()
                c = Check(reply.status, reply.error, reply.seconds)
                if reply.ok:
                    c.count, c.digest = result_count(
                        q, reply.body, reply.headers.get("content-type", "")
                    )
                    c.digest = _values(reply.body, q)
                result.probes[engine.name][q.name] = c
                ref = result.probes[live[0].name].get(q.name)
                if (
                    ref is not None
                    and engine is not live[0]
                    and c.error is None
                    and ref.error is None
                    and c.digest != ref.digest
                ):
                    result.warnings.append(
                        f"WARNING: {label} probe {q.name}: {live[0].name} says {ref.digest}, "
                        f"{engine.name} says {c.digest}"
                    )
                    say(f"  {result.warnings[-1]}")
                if reply.error == "timeout":
                    break  # the engine may be busy for minutes: stop it rather than wait
            engine.stop()
    finally:
        for engine in engines:
            engine.stop()
    cpu_after = cpu_seconds()
    wall = time.monotonic() - started
    others = (cpu_after[0] - cpu_before[0]) - (cpu_after[1] - cpu_before[1])
    result.background = (
        f"{wall:.0f} s wall for this size; processes outside the benchmark used "
        f"{max(0.0, others):.0f} CPU-seconds meanwhile (≈{max(0.0, others) / wall:.2f} of the "
        f"{os.cpu_count()} cores)"
    )
    return result, {e.name: e for e in engines}


def _values(body: bytes, q: Query) -> str:
    """A short text of a one-row SELECT answer (for the probes table)."""
    if q.kind != "solutions":
        return ""
    data = json.loads(body)
    rows = data.get("results", {}).get("bindings", [])
    if len(rows) != 1:
        return f"{len(rows)} rows"
    return ", ".join(f"{k}={v['value']}" for k, v in rows[0].items())


def compare(result: SizeResult, queries: list[Query], engines: list[Engine]) -> None:
    """Warn, once per query and engine, when an engine's count (or values) differ from ours."""
    names = [e.name for e in engines]
    for q in queries:
        reference_name = next((n for n in names if result.checks[n][q.name].error is None), None)
        if reference_name is None:
            result.warnings.append(f"WARNING: {result.label} {q.name}: no engine answered")
            continue
        ref = result.checks[reference_name][q.name]
        for n in names:
            c = result.checks[n][q.name]
            if c.error is not None:
                result.warnings.append(
                    f"WARNING: {result.label} {q.name}: {n} gave no answer ({c.error}) "
                    f"after {c.seconds:.1f} s"
                )
            elif c.count != ref.count:
                result.warnings.append(
                    f"WARNING: {result.label} {q.name}: result count mismatch: "
                    f"{reference_name}={ref.count} {n}={c.count}"
                )
            elif c.digest != ref.digest:
                result.warnings.append(
                    f"WARNING: {result.label} {q.name}: same count ({c.count}) but different "
                    f"values: {reference_name} vs {n}"
                )
            if c.error is None and c.media not in (ACCEPT[q.kind], ""):
                result.warnings.append(
                    f"NOTE: {result.label} {q.name}: {n} answered {c.media} although "
                    f"{ACCEPT[q.kind]} was asked for (counted in that format)"
                )
    for w in result.warnings:
        say(f"  {w}")
    if not [w for w in result.warnings if w.startswith("WARNING")]:
        say(
            f"  counts check: all {len(names)} engines agree on all {len(queries)} queries "
            "(counts and values)"
        )


# ---------------------------------------------------------------------- report
def ms(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    value = seconds * 1000
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}" if value >= 1 else f"{value:.2f}"


def ratio(value: float | None, base: float | None) -> str:
    if value is None or base is None or base == 0:
        return "–"
    r = value / base
    return f"{r:.2f}×" if r < 10 else f"{r:.0f}×"


def report_size(
    res: SizeResult,
    engines: dict[str, Engine],
    queries: list[Query],
    probes: list[Query],
    concurrency: list[int],
) -> str:
    out: list[str] = []
    out.append(f"### {res.label} ({res.quads} quads)\n")
    if res.background:
        out.append(f"Noise: {res.background}.\n")
    out.append("| engine | version | startup incl. load (s) | RSS after load (MB) |")
    out.append("|---|---|---:|---:|")
    for name in res.engines:
        e = engines.get(name)
        if e is None or name not in res.checks:
            continue
        out.append(f"| {name} | {e.version} | {e.startup_s:.1f} | {e.rss:.0f} |")
    out.append("")
    n_mix = len(queries)
    out.append(
        f"Query mix: {n_mix} queries round-robin; throughput is the median of the rounds, "
        "p50/p99 over all successful requests of the rounds; ×ours = engine / ours.\n"
    )
    out.append(
        "| engine | clients | q/s | ×ours | p50 ms | ×ours | p99 ms | ×ours | requests | errors |"
    )
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    ours = res.loads.get("ours", {})
    for c in concurrency:
        base_rounds = ours.get(c, [])
        base_qps = median([r.throughput for r in base_rounds]) if base_rounds else None
        base_lat = [x for r in base_rounds for x in r.latencies]
        base_p50, base_p99 = percentile(base_lat, 50), percentile(base_lat, 99)
        for name in res.engines:
            rounds = res.loads.get(name, {}).get(c, [])
            if not rounds:
                continue
            qps = median([r.throughput for r in rounds])
            lat = [x for r in rounds for x in r.latencies]
            p50, p99 = percentile(lat, 50), percentile(lat, 99)
            errors: dict[str, int] = {}
            for r in rounds:
                for k, v in r.errors.items():
                    errors[_short_error(k)] = errors.get(_short_error(k), 0) + v
            skipped = res.skipped.get(name, [])
            mark = f" (mix without {', '.join(s[:2] for s in skipped)}: TIMEOUT)" if skipped else ""
            err = ", ".join(f"{k}: {v}" for k, v in sorted(errors.items())) or "0"
            total = sum(r.total for r in rounds)
            out.append(
                f"| {name}{mark} | {c} | {qps:.1f} | {ratio(qps, base_qps)} | {ms(p50)} | "
                f"{ratio(p50, base_p50)} | {ms(p99)} | {ratio(p99, base_p99)} | {total} | {err} |"
            )
    out.append("")
    # per-query medians
    heads = ["query", "results"]
    for name in res.engines:
        if name in res.singles:
            heads.append(f"{name} ms" if name == "ours" else f"{name} ms (×ours)")
    if "ours" in res.singles:
        heads.append("ours server ms")
    out.append(
        "Per query: median latency of single sequential runs (client-side, keep-alive); "
        "`ours server ms` is our X-Query-Time-Ms header (slot + query process round trip).\n"
    )
    out.append("| " + " | ".join(heads) + " |")
    out.append("|---|---:|" + "---:|" * (len(heads) - 2))
    for q in queries:
        counts: set[int] = set()
        for n in res.checks:
            count = res.checks[n][q.name].count
            if count is not None:
                counts.add(count)
        row = [q.name, "/".join(str(x) for x in sorted(counts)) or "–"]
        base = _single_median(res, "ours", q.name)
        for name in res.engines:
            if name not in res.singles:
                continue
            cell = _single_cell(res, name, q.name)
            if name != "ours" and not cell[1]:
                cell = (f"{cell[0]} ({ratio(_single_median(res, name, q.name), base)})", False)
            row.append(cell[0])
        if "ours" in res.singles:
            hdr = [
                float(r.headers.get("x-query-time-ms", "nan"))
                for r in res.singles["ours"][q.name]
                if r.ok
            ]
            row.append(f"{median(hdr):.1f}" if hdr else "–")
        out.append("| " + " | ".join(row) + " |")
    out.append("")
    summary = _overhead_summary(res, queries)
    if summary:
        out.append(summary + "\n")
    if probes and res.probes:
        out.append("Probes (single run each, not in the mix; see bench/probes/*.rq):\n")
        out.append("| probe | " + " | ".join(n for n in res.engines if n in res.probes) + " |")
        out.append("|---|" + "---|" * len([n for n in res.engines if n in res.probes]))
        for q in probes:
            row = [q.name]
            for name in res.engines:
                if name not in res.probes:
                    continue
                pc = res.probes[name].get(q.name)
                if pc is None:
                    row.append("not run")
                elif pc.error:
                    row.append(f"{_short_error(pc.error)} after {pc.seconds:.1f} s")
                else:
                    row.append(f"{pc.digest or pc.count} ({ms(pc.seconds)} ms)")
            out.append("| " + " | ".join(row) + " |")
        out.append("")
    for name in res.engines:
        for c in concurrency:
            rounds = res.loads.get(name, {}).get(c, [])
            per_query: dict[str, int] = {}
            samples: dict[str, bytes] = {}
            for r in rounds:
                for k, v in r.per_query_errors.items():
                    per_query[k] = per_query.get(k, 0) + v
                for k, body in r.samples.items():
                    samples.setdefault(k, body)
            if per_query:
                listed = ", ".join(f"{k} ×{v}" for k, v in sorted(per_query.items()))
                out.append(f"Errors of {name} at {c} client(s): {listed}.")
                for k, body in sorted(samples.items()):
                    text = body.decode("utf-8", "replace").replace("\n", " ")[:200]
                    out.append(f"First {k} answer: `{text}`")
                out.append("")
    if res.warnings:
        out.append("Checks:\n")
        out.extend(f"- {w}" for w in res.warnings)
    else:
        out.append(
            "Checks: every engine returned the same result counts and values for every query."
        )
    out.append("")
    return "\n".join(out)


def _overhead_summary(res: SizeResult, queries: list[Query]) -> str:
    """What a query costs on ours beyond oxigraph-mem, and how much of it is the web layer."""
    if "ours" not in res.singles or "oxigraph-mem" not in res.singles:
        return ""
    extra, web = [], []
    for q in queries:
        ours = _single_median(res, "ours", q.name)
        peer = _single_median(res, "oxigraph-mem", q.name)
        if ours is not None and peer is not None:
            extra.append((ours - peer) * 1000)
        server = [
            float(r.headers["x-query-time-ms"])
            for r in res.singles["ours"][q.name]
            if r.ok and "x-query-time-ms" in r.headers
        ]
        if ours is not None and server:
            web.append(ours * 1000 - (median(server) or 0.0))
    if not extra:
        return ""
    text = (
        f"Ours minus oxigraph-mem, per query (single runs): median {median(extra):.1f} ms "
        f"(from {min(extra):.1f} to {max(extra):.1f} ms)"
    )
    if web:
        text += (
            f"; of which outside the query process round trip (HTTP server, Flask, "
            f"checks, logging: client time − X-Query-Time-Ms): median {median(web):.1f} ms"
        )
    return text + "."


def _single_median(res: SizeResult, engine: str, query: str) -> float | None:
    replies = res.singles.get(engine, {}).get(query, [])
    return median([r.seconds for r in replies if r.ok])


def _single_cell(res: SizeResult, engine: str, query: str) -> tuple[str, bool]:
    """(text, is_failure)"""
    if query in res.skipped.get(engine, []):
        return "TIMEOUT", True
    replies = res.singles.get(engine, {}).get(query, [])
    ok = [r.seconds for r in replies if r.ok]
    failed = [r for r in replies if not r.ok]
    if not ok:
        return (_short_error(failed[0].error or "?") if failed else "–"), True
    text = ms(median(ok))
    if failed:
        text += f" ({len(failed)} failed: {_short_error(failed[0].error or '?')})"
    return text, False


def deadline_check(res: SizeResult, queries: list[Query]) -> str:
    lines = [
        f"Deadline check at {res.label}: does every query of the mix answer within our "
        f"default {DEADLINE_S:g} s deadline on our endpoint?\n"
    ]
    if "ours" not in res.checks:
        return lines[0] + "\nour endpoint did not run.\n"
    failures = []
    rows = ["| query | slowest of check + single runs | status |", "|---|---:|---|"]
    for q in queries:
        replies = [res.checks["ours"][q.name]] + list(res.singles.get("ours", {}).get(q.name, []))
        worst = max(r.seconds for r in replies)
        bad = [r for r in replies if r.error is not None]
        status = (
            "ok"
            if not bad and worst < DEADLINE_S
            else (_short_error(bad[0].error or "?") if bad else "slow")
        )
        if status != "ok":
            failures.append(q.name)
        rows.append(f"| {q.name} | {worst * 1000:.0f} ms | {status} |")
    verdict = (
        "**yes**: every query answered within the deadline"
        if not failures
        else f"**no**: {', '.join(failures)} did not answer within the deadline"
    )
    return "\n".join(lines + rows + ["", verdict, ""])


# ---------------------------------------------------------------------- main
def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    system = f"{platform.system()} {platform.release()}"
    return (
        f"nproc {os.cpu_count()}, CPU {cpu}, {mem} RAM, {system}, "
        f"Python {platform.python_version()}"
    )


def report_growth(results: list[SizeResult], concurrency: list[int]) -> str:
    """Throughput per engine across sizes, and how many times slower each step is."""
    labels = [r.label for r in results]
    steps = [f"{b.quads / a.quads:.0f}× the quads" for a, b in itertools.pairwise(results)]
    out = [
        "### How the cost grows with the graph\n",
        "Throughput (q/s, median of the rounds) of the whole mix per size; `÷` is how many "
        "times fewer queries per second than at the size before, with "
        + " and ".join(steps)
        + ".\n",
    ]
    heads = ["engine", "clients"]
    for i, label in enumerate(labels):
        heads.append(f"{label} q/s")
        if i:
            heads.append(f"÷ from {labels[i - 1]}")
    out.append("| " + " | ".join(heads) + " |")
    out.append("|---|---:|" + "---:|" * (len(heads) - 2))
    names = list(dict.fromkeys(n for r in results for n in r.engines))
    for c in concurrency:
        for name in names:
            cells, previous = [], None
            for i, r in enumerate(results):
                rounds = r.loads.get(name, {}).get(c, [])
                qps = median([x.throughput for x in rounds]) if rounds else None
                cells.append(f"{qps:.1f}" if qps is not None else "–")
                if i:
                    cells.append(ratio(previous, qps))
                previous = qps
            if any(cell != "–" for cell in cells):
                out.append(f"| {name} | {c} | " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def versions() -> dict[str, str]:
    out: dict[str, str] = {}
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        head = "?"
    try:
        import pyoxigraph

        ox_version = pyoxigraph.__version__
    except (ImportError, AttributeError):
        ox_version = "?"
    out["ours"] = f"{head}, pyoxigraph {ox_version}"
    try:
        v = subprocess.run(
            [str(PEERS / "oxigraph"), "--version"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
        out["oxigraph-mem"] = out["oxigraph-disk"] = v
        for name in REMOTE:
            out[name] = f"{head}, store {v}"
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        text = subprocess.run(
            ["virtuoso-t", "+version"], capture_output=True, text=True, timeout=10
        ).stderr
        version = next((ln.split()[1] for ln in text.splitlines() if ln.startswith("Version")), "?")
        out["ours-virtuoso"] = f"{head}, store Virtuoso {version}"
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        v = subprocess.run(
            [
                str(PEERS / "python"),
                "-c",
                "import importlib.metadata as m;"
                "print('rdflib-endpoint',m.version('rdflib-endpoint'),"
                "'rdflib',m.version('rdflib'))",
            ],
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.strip()
        out["rdflib-endpoint"] = v
    except (OSError, subprocess.SubprocessError):
        pass
    return out


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--sizes",
        nargs="+",
        default=None,
        help="dataset sizes (10k 100k 1m …); default: 10k 100k, with --remote 10k 100k 1m",
    )
    p.add_argument(
        "--include-1m", action="store_true", help="add the 1m size and its deadline check"
    )
    p.add_argument(
        "--engines",
        nargs="+",
        default=None,
        choices=ENGINES,
        help="default: ours oxigraph-mem oxigraph-disk rdflib-endpoint; with --remote: "
        "ours ours-remote ours-remote-x2 oxigraph-disk",
    )
    p.add_argument(
        "--remote",
        action="store_true",
        help="the remote mode: embedded against remote (one and two copies of kg serve) at "
        "10k, 100k and 1m, with the store alone (oxigraph-disk) for reference",
    )
    p.add_argument("--seed", type=int, default=42)
    p.add_argument(
        "--ours-setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting of ours (without KG_), e.g. QUERY_MEMORY_MB=16384 for data whose copy "
        "in a query process outgrows the default cap; the report lists it",
    )
    p.add_argument("--queries", type=Path, default=HERE / "queries")
    p.add_argument("--probes", type=Path, default=HERE / "probes")
    p.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    p.add_argument("--rounds", type=int, default=3, help="load rounds per engine and concurrency")
    p.add_argument("--round-seconds", type=float, default=5.0, help="length of one load round")
    p.add_argument(
        "--max-requests", type=int, default=5000, help="requests per load round, at most"
    )
    p.add_argument("--runs", type=int, default=5, help="single runs per query (median)")
    p.add_argument("--timeout", type=float, default=30.0, help="per request, ours and oxigraph")
    p.add_argument(
        "--rdflib-timeout", type=float, default=20.0, help="per request, rdflib-endpoint"
    )
    p.add_argument(
        "--rdflib-requests",
        type=int,
        default=30,
        help="requests per load round for rdflib-endpoint from 50k quads on",
    )
    p.add_argument("--rdflib-1m", action="store_true", help="run rdflib-endpoint at 1m too (slow)")
    p.add_argument("--probe-timeout", type=float, default=30.0)
    p.add_argument(
        "--startup-limit", type=float, default=600.0, help="seconds for an engine to load and start"
    )
    p.add_argument(
        "--workdir", type=Path, default=None, help="default: a temporary folder, removed after"
    )
    p.add_argument("--out", type=Path, default=HERE / "results", help="where the report is written")
    args = p.parse_args(argv)
    if args.engines is None:
        args.engines = (
            ["ours", *REMOTE, "oxigraph-disk"]
            if args.remote
            else ["ours", "oxigraph-mem", "oxigraph-disk", "rdflib-endpoint"]
        )
    if args.sizes is None:
        args.sizes = ["10k", "100k", "1m"] if args.remote else ["10k", "100k"]
    if args.include_1m and not any(generate.size_of(s) >= 1_000_000 for s in args.sizes):
        args.sizes.append("1m")
    args.ours_settings = dict(item.split("=", 1) for item in args.ours_setting)
    return args


def check_tools(engines: list[str]) -> list[str]:
    missing = []
    if "ours" in engines and not OUR_KG.exists():
        missing.append(f"{OUR_KG} (make install)")
    needs_oxigraph = {"oxigraph-mem", "oxigraph-disk", *REMOTE} & set(engines)
    if needs_oxigraph and not (PEERS / "oxigraph").exists():
        missing.append(f"{PEERS / 'oxigraph'} (make bench installs it)")
    if "ours-virtuoso" in engines and not shutil.which("virtuoso-t"):
        missing.append("virtuoso-t (apt-get install virtuoso-opensource-7-bin)")
    if "rdflib-endpoint" in engines and not (PEERS / "rdflib-endpoint").exists():
        missing.append(f"{PEERS / 'rdflib-endpoint'} (make bench installs it)")
    return missing


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    missing = check_tools(args.engines)
    if missing:
        for m in missing:
            print(f"error: missing {m}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    queries = load_queries(sorted(args.queries.glob("*.rq")))
    probes = load_queries(sorted(args.probes.glob("*.rq"))) if args.probes.exists() else []
    started = time.monotonic()
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    given = argv if argv is not None else sys.argv[1:]
    command = " ".join([Path(sys.executable).name, "bench/run.py", *given])
    header = [
        "## Benchmark run",
        "",
        f"- date: {when}",
        f"- machine: {machine()}",
        f"- command: `{command}`",
        f"- sizes: {', '.join(args.sizes)}; seed {args.seed}; {len(queries)} queries in the mix, "
        f"{len(probes)} probes; load at {', '.join(map(str, args.concurrency))} client(s), "
        f"{args.rounds} rounds × ≤{args.round_seconds:g} s (≤{args.max_requests} requests) "
        "per engine; "
        f"{args.runs} single runs per query",
        "- ours: `kg serve` with its default limits (deadline 10 s, queue 5 s, 100000 rows, "
        "50 MB, 2 query processes, 32 HTTP threads) except **KG_MAX_CONCURRENT_PER_CLIENT=16** "
        "(default 4), so that the 8 load clients, all from 127.0.0.1, are not refused with 429"
        + "".join(f", **KG_{k}={v}**" for k, v in args.ours_settings.items()),
        "- oxigraph: `oxigraph serve --union-default-graph` in memory (data POSTed to /store) "
        "and on disk (`oxigraph load --location`, then `serve --location`), no query timeout",
        "- ours-remote, ours-remote-x2: one and two copies of `kg serve --store` (the same "
        "limits as ours) in front of one `oxigraph serve --location DIR --union-default-graph` "
        "filled by `kg load`; load clients alternate between the copies",
        "- ours-virtuoso: one `kg serve --store` in front of Virtuoso 7 (Debian), configured "
        "with docs/virtuoso/ (digest authentication, JSON results), filled by `kg load`",
        f"- rdflib-endpoint: `rdflib-endpoint serve FILE.nq` (Dataset, default_union=True); "
        f"{args.rdflib_timeout:g} s per request; from 50k quads on at most {args.rdflib_requests} "
        "requests per round and 3 single runs; a query that timed out in the check is left out "
        "of its runs and marked TIMEOUT",
        "",
    ]
    say("\n".join(header))
    vers = versions()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    sections: list[str] = []
    results: list[SizeResult] = []
    try:
        for label in args.sizes:
            size_work = work / label
            size_work.mkdir(exist_ok=True)
            res, engines = measure_size(args, label, size_work, queries, probes, vers)
            results.append(res)
            text = report_size(res, engines, queries, probes, args.concurrency)
            if res.quads >= 1_000_000 * 0.9:
                text += "\n" + deadline_check(res, queries)
            sections.append(text)
            say("\n" + text)
    except KeyboardInterrupt:
        say("interrupted; every engine was stopped")
        return 130
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    if len(results) > 1:
        sections.append(report_growth(results, args.concurrency))
        say("\n" + sections[-1])
    elapsed = time.monotonic() - started
    footer = f"Total time: {elapsed / 60:.1f} min ({elapsed:.0f} s).\n"
    say(footer)
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    report = "\n".join(header) + "\n" + "\n".join(sections) + "\n" + footer
    (args.out / f"run-{stamp}.md").write_text(report, encoding="utf-8")
    (args.out / "latest.md").write_text(report, encoding="utf-8")
    say(f"report written to {args.out / f'run-{stamp}.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
