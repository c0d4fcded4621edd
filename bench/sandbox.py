"""What safety costs, measured: the same queries on a pool whose processes live in an empty
network namespace and on one whose processes do not, interleaved in one run, and the guard's
scan of each query (kg/store/guard.py), which runs before a query is handed to a process.

    .venv/bin/python bench/sandbox.py [--rounds 30] [--mix cq|bench]

Needs a build (`kg build`); runs the competency questions (tests/cq/*.rq, default) or the
benchmark's queries (bench/queries/*.rq, on the real build) as the mix, and prints the median
latency of each pool and of the guard, and the ratios: sandboxed/open, and sandboxed with the
guard (each query's scan added to its run) over open without it.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from kg import config
from kg.graph.build import dump_file
from kg.namespaces import BASE
from kg.store import guard
from kg.store.engine import QueryJob
from kg.store.pool import QueryPool

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--mix", choices=("cq", "bench"), default="cq")
    args = parser.parse_args()
    settings = config.load()
    dump = dump_file(settings)
    folder = ROOT / "tests" / "cq" if args.mix == "cq" else ROOT / "bench" / "queries"
    queries = {p.stem: p.read_text("utf-8") for p in sorted(folder.glob("*.rq"))}
    pools = {
        "sandboxed": QueryPool(dump, 1, 5, isolate=True),
        "open": QueryPool(dump, 1, 5, isolate=False),
    }
    for pool in pools.values():
        pool.start()
    times: dict[str, list[float]] = {name: [] for name in [*pools, "guard"]}
    try:
        for round_ in range(args.rounds):
            order = list(pools.items())[:: 1 if round_ % 2 else -1]  # each goes first in turn
            for text in queries.values():
                started = time.perf_counter()
                guard.check(
                    text,
                    max_depth=int(settings["MAX_QUERY_DEPTH"]),
                    local_graph_prefixes=[BASE + "graph/"],
                )
                times["guard"].append((time.perf_counter() - started) * 1000)
                for name, pool in order:  # interleaved: both see the same machine
                    started = time.perf_counter()
                    pool.run(QueryJob(text), timeout=30)
                    times[name].append((time.perf_counter() - started) * 1000)
    finally:
        for pool in pools.values():
            pool.close()
    print(f"{len(queries)} queries x {args.rounds} rounds, one query process each")
    print("confinement:", {name: pool.confinement for name, pool in pools.items()})
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, value in medians.items():
        p90 = statistics.quantiles(times[name], n=10)[-1]
        print(f"{name:10} median {value:.3f} ms   p90 {p90:.3f} ms")
    print(f"ratio sandboxed/open: {medians['sandboxed'] / medians['open']:.3f}")
    guarded = [a + b for a, b in zip(times["sandboxed"], times["guard"], strict=True)]
    together = statistics.median(guarded) / medians["open"]
    print(f"ratio sandboxed with the guard / open without: {together:.3f}")


if __name__ == "__main__":
    main()
