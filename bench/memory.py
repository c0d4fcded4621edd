"""Memory of our endpoint and of `oxigraph serve` in memory, as PSS over each process tree.

Issue 16: the whole server's memory, every process counted, shared pages counted once
(PSS: a page shared by n processes counts 1/n in each). For each engine, on one generated
dataset: PSS at idle after load, and after the bench mix ran once; ours also per process
(the web process, each query process, any other). Optionally the median latency of each
query of the mix over a few single runs, and (ours) how long the pool takes to replace a
killed query process (the time until /health counts it ready again).

    PYTHONPATH=src .venv/bin/python bench/memory.py --size 100k --runs 5
    PYTHONPATH=src .venv/bin/python bench/memory.py --size 100k \
        --engines oxigraph-mem spawn:QUERY_FORK=false ours fork30:QUERY_PRIVATE_MB=30

Our server is started as `python -m kg.launcher serve` with this interpreter, so the code on
PYTHONPATH is what is measured (bench/run.py starts the installed `kg`).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
import run  # noqa: E402
from load import Client, load_queries  # noqa: E402
from run import (  # noqa: E402
    Engine,
    OxigraphMemory,
    descendants,
    free_port,
    http_get,
    link_build,
    our_env,
    wait_until,
)

if not run.PEERS.exists():  # a git worktree: the peers are installed in the main checkout's
    main_checkout = Path(os.environ.get("KG_BENCH_PEERS", "/work/main/bench/.venv-peers/bin"))
    run.PEERS = main_checkout


def pss_kb(pid: int) -> dict[str, int]:
    """Pss, Rss and the anonymous and file-backed parts of one process, in kB."""
    out: dict[str, int] = {}
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return out
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        if key in (
            "Rss",
            "Pss",
            "Pss_Anon",
            "Pss_File",
            "Pss_Shmem",
            "Shared_Clean",
            "Private_Dirty",
        ):
            out[key] = int(rest.split()[0])
    return out


def label(pid: int, root: int) -> str:
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "?"
    if pid == root:
        return "web" if "kg" in cmd else "server"
    try:
        ppid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        ppid = root
    if ppid != root:  # forked by the fork server
        return "query (forked)"
    if "fork_server" in cmd or _has_forked(pid):
        return "fork server"
    if "resource_tracker" in cmd:
        return "resource-tracker"
    if "spawn_main" in cmd or "forkserver" in cmd:
        return "worker"
    return cmd[:60]


def _has_forked(pid: int) -> bool:
    try:
        return bool(Path(f"/proc/{pid}/task/{pid}/children").read_text().split())
    except OSError:
        return False


def tree_memory(root: int) -> list[tuple[int, str, dict[str, int]]]:
    return [(p, label(p, root), pss_kb(p)) for p in sorted(descendants(root))]


def summary(rows: list[tuple[int, str, dict[str, int]]]) -> dict[str, object]:
    total = sum(r[2].get("Pss", 0) for r in rows) / 1024
    rss = sum(r[2].get("Rss", 0) for r in rows) / 1024
    return {
        "pss_mb": round(total, 1),
        "rss_mb": round(rss, 1),
        "processes": [
            {
                "pid": p,
                "what": what,
                "pss_mb": round(m.get("Pss", 0) / 1024, 1),
                "pss_anon_mb": round(m.get("Pss_Anon", 0) / 1024, 1),
                "pss_file_mb": round(m.get("Pss_File", 0) / 1024, 1),
                "rss_mb": round(m.get("Rss", 0) / 1024, 1),
            }
            for p, what, m in rows
        ],
    }


class OursHere(Engine):
    """`kg serve` of the code on PYTHONPATH (this interpreter), with bench/run.py's settings."""

    def __init__(self, settings: dict[str, str]) -> None:
        super().__init__("ours", 30.0, 1000, 5)
        self.settings = settings

    def start(self, data: Path, work: Path, startup_limit: float) -> None:
        build = link_build(data, work)
        self.port = free_port()
        started = time.monotonic()
        env = our_env(work, build, self.port, "ours", **self.settings)
        env["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")
        self._spawn([sys.executable, "-m", "kg.launcher", "serve"], work, env)
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        if not wait_until(lambda: http_get(self.port, "/health") == 200, startup_limit, self.proc):
            raise RuntimeError(f"ours did not start; see {self.log}")
        self.startup_s = time.monotonic() - started


def health(port: int) -> dict[str, object]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/health", headers={"Accept": "application/json"})
        return dict(json.loads(conn.getresponse().read()))
    finally:
        conn.close()


def replacement_times(engine: Engine, tries: int) -> list[float]:
    """Kill a query process (SIGKILL, as at the deadline) and time until it is replaced:
    a query sent right after is answered, and /health counts every query process ready."""
    assert engine.proc is not None
    times = []
    for _ in range(tries):
        before = health(engine.port)
        want = before.get("query_workers")
        labels = {p: label(p, engine.proc.pid) for p in descendants(engine.proc.pid)}
        workers = [p for p, what in labels.items() if what == "query (forked)"] or [
            p for p, what in labels.items() if what == "worker"
        ]
        # the query processes are the youngest workers holding the most memory
        victims = sorted(workers, key=lambda p: pss_kb(p).get("Pss", 0), reverse=True)
        if not victims:
            return times
        os.kill(victims[0], signal.SIGKILL)
        killed = time.monotonic()
        # the pool notices a dead process when it hands it a job: send queries until all ready
        client = Client(engine.url, 30)
        try:
            for _ in range(int(want or 2) + 1):
                client.ask(load_queries([HERE / "queries" / "01-lookup-event-by-iri.rq"])[0])
        finally:
            client.close()
        while time.monotonic() - killed < 60:
            h = health(engine.port)
            if h.get("query_workers_ready") == want:
                break
            time.sleep(0.005)
        times.append(time.monotonic() - killed)
        time.sleep(0.5)
    return times


def measure(
    engines: dict[str, Engine],
    data: Path,
    work: Path,
    queries,
    runs: int,
    replace: int,
    settle: float = 0.0,
) -> dict[str, dict]:
    """Start every engine, then measure them side by side: PSS idle, after the mix once,
    single runs of each query interleaved engine by engine (noise hits all alike), PSS
    after the runs, then (ours) replacement of killed query processes."""
    out: dict[str, dict] = {}
    try:
        for name, engine in engines.items():
            run_dir = work / f"{name}-{os.getpid()}"
            run_dir.mkdir()
            engine.start(data, run_dir, 1200)
        time.sleep(2.0)
        for name, engine in engines.items():
            assert engine.proc is not None
            out[name] = {"startup_s": round(engine.startup_s, 2)}
            out[name]["idle"] = summary(tree_memory(engine.proc.pid))
        clients = {name: Client(engine.url, 60) for name, engine in engines.items()}
        try:
            for name, engine in engines.items():
                for q in queries:  # the mix once
                    reply = clients[name].ask(q)
                    if not reply.ok:
                        print(f"  {name} {q.name}: {reply.error}", file=sys.stderr)
                out[name]["after_mix"] = summary(tree_memory(engine.proc.pid))  # type: ignore[union-attr]
            times: dict[str, dict[str, list[float]]] = {n: {} for n in engines}
            for _ in range(runs):
                for q in queries:
                    for name in engines:
                        reply = clients[name].ask(q)
                        times[name].setdefault(q.name, []).append(reply.seconds)
        finally:
            for client in clients.values():
                client.close()
        for name, engine in engines.items():
            out[name]["latency_ms"] = {
                q: round(statistics.median(ts) * 1000, 2) for q, ts in times[name].items()
            }
            out[name]["after_runs"] = summary(tree_memory(engine.proc.pid))  # type: ignore[union-attr]
        if settle:  # time for Linux KSM, where it runs, to merge identical pages
            time.sleep(settle)
            for name, engine in engines.items():
                out[name]["settled"] = summary(tree_memory(engine.proc.pid))  # type: ignore[union-attr]
        for name, engine in engines.items():
            if replace and isinstance(engine, OursHere):
                out[name]["replace_s"] = [round(t, 3) for t in replacement_times(engine, replace)]
                out[name]["after_replace"] = summary(tree_memory(engine.proc.pid))  # type: ignore[union-attr]
        return out
    finally:
        for engine in engines.values():
            engine.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="100k")
    parser.add_argument(
        "--engines",
        nargs="+",
        default=["ours", "oxigraph-mem"],
        help="oxigraph-mem, ours, or a variant of ours: NAME:KEY=VALUE,KEY=VALUE (KG_ settings)",
    )
    parser.add_argument("--runs", type=int, default=5, help="single runs per query (latency)")
    parser.add_argument("--replace", type=int, default=3, help="kills to time (ours)")
    parser.add_argument(
        "--settle", type=float, default=0.0, help="seconds to wait after the runs, then measure"
    )
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None, help="write the JSON here too")
    args = parser.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="kg-memory-"))
    work.mkdir(parents=True, exist_ok=True)
    data = work / f"data-{args.size}.nq"
    if not data.exists():
        n = generate.write(data, generate.size_of(args.size))
        print(f"generated {n} quads", file=sys.stderr)
    queries = load_queries(sorted((HERE / "queries").glob("*.rq")))
    engines: dict[str, Engine] = {}
    settings: dict[str, dict[str, str]] = {}
    for spec in args.engines:
        name, _, rest = spec.partition(":")
        if name == "oxigraph-mem":
            engines[name] = OxigraphMemory(name, 30.0, 1000, 5)
            continue
        settings[name] = dict(kv.split("=", 1) for kv in rest.split(",") if kv)
        engines[name] = OursHere(settings[name])
        engines[name].name = name
    report: dict[str, object] = {"size": args.size, "settings": settings}
    report.update(measure(engines, data, work, queries, args.runs, args.replace, args.settle))
    for name in engines:
        brief = report[name]
        print(
            f"{name}: PSS idle {brief['idle']['pss_mb']} MB, after mix "  # type: ignore[index]
            f"{brief['after_mix']['pss_mb']} MB, after runs {brief['after_runs']['pss_mb']} MB"
            + (f", settled {brief['settled']['pss_mb']} MB" if "settled" in brief else ""),  # type: ignore[index]
            file=sys.stderr,
        )
    text = json.dumps(report, indent=1)
    if args.out:
        args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
