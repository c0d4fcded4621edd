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
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
from load import Client, Query, load_queries  # noqa: E402
from run import Engine, Ours, OxigraphMemory, descendants, say  # noqa: E402

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
    parser.add_argument("--out", type=Path, default=HERE / "results")
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
        ]
        medians: dict[str, dict[str, float]] = {}
        try:
            for engine in engines:
                engine.start(data, work, 600.0)
            for query in queries:
                medians[query.name] = measure(engines, store, query, args.requests)
            if args.profile:
                args.out.mkdir(exist_ok=True)
                profile(engines[0], LOOKUP, args.profile, args.out)
        finally:
            for engine in engines:
                engine.stop()
    print(
        "\n| query | ours (ms) | oxigraph serve (ms) | pyoxigraph in-process (ms) "
        "| ours − pyoxigraph (ms) | ours ÷ oxigraph |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, found in medians.items():
        ours, oxi, own = found["ours"], found["oxigraph-mem"], found["pyoxigraph"]
        print(
            f"| {name} | {ours * 1e3:.2f} | {oxi * 1e3:.2f} | {own * 1e3:.2f} "
            f"| {(ours - own) * 1e3:.2f} | {ours / oxi:.2f} |"
        )


if __name__ == "__main__":
    main()
