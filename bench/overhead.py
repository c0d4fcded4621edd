"""What our endpoint adds to the engine's own time (issue #16): one client, one query at a
time, on a keep-alive connection, against `oxigraph serve` in memory and against pyoxigraph
itself in this process (the engine with no HTTP at all), on the same generated dataset.

    .venv/bin/python bench/overhead.py [--size 100k] [--requests 400]

Queries: a one-row lookup (the fixed cost per request) and the benchmark's result-heavy
queries. Printed per query: the median time on each, ours minus the engine's own time, and
ours ÷ Oxigraph's. Our server runs with every limit at its default, the result cache off
(a repeated query would be answered from it: bench/repeat.py measures that).

With `--profile SECONDS`, py-spy samples our web process (and its query processes) while
the one-row lookup runs, and writes flame graphs (SVG) and the top functions beside it.
"""

from __future__ import annotations

import argparse
import http.client
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
from load import Client, Query, load_queries  # noqa: E402
from run import (  # noqa: E402
    ROOT,
    Engine,
    Ours,
    OxigraphMemory,
    descendants,
    free_port,
    http_get,
    say,
    wait_until,
)

LOOKUP = Query(
    "00-one-row-lookup",
    "SELECT ?label WHERE { <https://w3id.org/cakg/event/ev-000042> "
    "<http://www.w3.org/2000/01/rdf-schema#label> ?label } LIMIT 1",
)
#: the mix's queries that answer hundreds of rows (issue #16 names them)
HEAVY = ("06-label-search-contains", "08-optional-heavy", "09-property-path-partners")


def engine_own(store: ox.Store, query: Query) -> float:
    """Seconds pyoxigraph takes to answer and write the answer (JSON, N-Triples), in-process."""
    started = time.perf_counter()
    result = store.query(query.text)
    if isinstance(result, ox.QuerySolutions | ox.QueryBoolean):
        result.serialize(format=ox.QueryResultsFormat.JSON)
    else:
        ox.serialize(result, format=ox.RdfFormat.N_TRIPLES)
    return time.perf_counter() - started


def timed(client: Client, query: Query) -> float:
    reply = client.ask(query)
    if reply.error:
        raise RuntimeError(f"{query.name}: {reply.error}")
    return reply.seconds


def measure(
    engines: list[Engine], store: ox.Store, query: Query, requests: int
) -> dict[str, float]:
    """Median seconds per engine, the engines interleaved request by request."""
    clients = {engine.name: Client(engine.url, 60.0) for engine in engines}
    times: dict[str, list[float]] = {name: [] for name in clients}
    times["pyoxigraph"] = []
    try:
        for client in clients.values():  # warm: connections open, caches filled
            for _ in range(5):
                timed(client, query)
        for _ in range(requests):
            for name, client in clients.items():
                times[name].append(timed(client, query))
            times["pyoxigraph"].append(engine_own(store, query))
    finally:
        for client in clients.values():
            client.close()
    return {name: statistics.median(found) for name, found in times.items()}


class Floor(Engine):
    """bench/floor.py: Flask on waitress with our settings, answering the lookup's bytes."""

    body = b""

    def start(self, data: Path, work: Path, startup_limit: float) -> None:
        answer = work / "floor-answer.json"
        answer.write_bytes(self.body)
        self.port = free_port()
        python = ROOT / ".venv" / "bin" / "python"
        self._spawn([str(python), str(HERE / "floor.py"), str(self.port), str(answer)], work)
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        if not wait_until(lambda: http_get(self.port, "/sparql") == 200, startup_limit, self.proc):
            raise RuntimeError(f"{self.name} did not start; see {self.log}")


def answer_of(engine: Engine, query: Query) -> bytes:
    """The bytes an engine answers a query with (SPARQL JSON)."""
    conn = http.client.HTTPConnection("127.0.0.1", engine.port, timeout=60)
    try:
        body = urllib.parse.urlencode({"query": query.text})
        headers = {"Accept": "application/sparql-results+json"}
        conn.request("GET", f"/sparql?{body}", headers=headers)
        return conn.getresponse().read()
    finally:
        conn.close()


def profile(engine: Engine, query: Query, seconds: float, out: Path) -> None:
    """py-spy on our web process while one client sends `query` for `seconds`."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    pid = engine.proc.pid if engine.proc else 0
    web = [p for p in [pid, *descendants(pid)] if _is_web(p)]
    stop = threading.Event()

    def load() -> None:
        client = Client(engine.url, 60.0)
        while not stop.is_set():
            timed(client, query)
        client.close()

    thread = threading.Thread(target=load)
    thread.start()
    try:
        for kind, args in (("svg", ["--format", "flamegraph"]), ("txt", ["--format", "raw"])):
            target = out / f"overhead-web.{kind}"
            subprocess.run(
                [spy, "record", "-p", str(web[0]), "-d", str(int(seconds)), "-o", str(target)]
                + ["--subprocesses", "-r", "500", *args],
                check=True,
                capture_output=True,
            )
            say(f"py-spy wrote {target}")
    finally:
        stop.set()
        thread.join()


def _is_web(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"serve" in cmdline and b"multiprocessing" not in cmdline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="100k")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", type=float, default=0.0, metavar="SECONDS")
    parser.add_argument(
        "--profile-query", default=LOOKUP.name, help="the query to profile (a mix query's name)"
    )
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="K=V[,K=V]",
        help="also run ours with these settings (without KG_), side by side; repeatable",
    )
    args = parser.parse_args()
    mix = {q.name: q for q in load_queries(sorted((HERE / "queries").glob("*.rq")))}
    queries = [LOOKUP, mix["01-lookup-event-by-iri"], *(mix[name] for name in HEAVY)]
    with tempfile.TemporaryDirectory(prefix="kg-overhead-") as folder:
        work = Path(folder)
        data = work / "data.nq"
        quads = generate.write(data, generate.size_of(args.size), args.seed)
        store = ox.Store()
        store.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
        store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")  # as ours does
        say(f"{args.size}: {quads} quads, {args.requests} requests per query and engine")
        engines: list[Engine] = [
            Ours("ours", 60.0, 0, 0),
            OxigraphMemory("oxigraph-mem", 60.0, 0, 0),
            *(Ours(variant, 60.0, 0, 0, settings=_settings(variant)) for variant in args.variant),
        ]
        floor = Floor("flask-floor", 60.0, 0, 0)
        medians: dict[str, dict[str, float]] = {}
        try:
            for engine in engines:
                engine.start(data, work, 600.0)
            floor.body = answer_of(engines[0], LOOKUP)
            floor.start(data, work, 60.0)
            for query in queries:
                measured = [*engines, floor] if query is LOOKUP else engines
                medians[query.name] = measure(measured, store, query, args.requests)
            if args.profile:
                args.out.mkdir(exist_ok=True)
                profiled = {q.name: q for q in queries}.get(args.profile_query)
                profile(engines[0], profiled or mix[args.profile_query], args.profile, args.out)
        finally:
            for engine in [*engines, floor]:
                engine.stop()
    if "flask-floor" in medians[LOOKUP.name]:
        found = medians[LOOKUP.name]
        ours, floor_s, own = found["ours"], found["flask-floor"], found["pyoxigraph"]
        print(
            f"\nthe floor (Flask on waitress, a fixed answer): {floor_s * 1e3:.2f} ms; "
            f"ours − floor: {(ours - floor_s) * 1e3:.2f} ms, of which the engine's own "
            f"{own * 1e3:.2f} ms"
        )
    print(
        "\n| query | ours (ms) | oxigraph serve (ms) | pyoxigraph in-process (ms) "
        "| ours − pyoxigraph (ms) | ours ÷ oxigraph |"
        + "".join(f" {variant} (ms) | ÷ oxigraph |" for variant in args.variant)
    )
    print("|---|---:|---:|---:|---:|---:|" + "---:|---:|" * len(args.variant))
    for name, found in medians.items():
        ours, oxi, own = found["ours"], found["oxigraph-mem"], found["pyoxigraph"]
        print(
            f"| {name} | {ours * 1e3:.2f} | {oxi * 1e3:.2f} | {own * 1e3:.2f} "
            f"| {(ours - own) * 1e3:.2f} | {ours / oxi:.2f} |"
            + "".join(f" {found[v] * 1e3:.2f} | {found[v] / oxi:.2f} |" for v in args.variant)
        )


def _settings(variant: str) -> dict[str, str]:
    """`QUERY_FORK=false,QUERY_WORKERS=1` as settings."""
    return dict(pair.split("=", 1) for pair in variant.split(","))


if __name__ == "__main__":
    main()
