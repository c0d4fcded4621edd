"""The query processes' network sandbox, measured: the same queries on a pool whose processes
live in an empty network namespace and on one whose processes do not, interleaved in one run.

    .venv/bin/python bench/sandbox.py [--rounds 30]

Needs a build (`kg build`); runs the competency questions (tests/cq/*.rq) as the mix and prints
the median latency per query and overall for each pool, and their ratio.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from kg import config
from kg.graph.build import dump_file
from kg.store.engine import QueryJob
from kg.store.pool import QueryPool

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    dump = dump_file(config.load())
    queries = {p.stem: p.read_text("utf-8") for p in sorted((ROOT / "tests" / "cq").glob("*.rq"))}
    pools = {
        "sandboxed": QueryPool(dump, 1, 5, isolate=True),
        "open": QueryPool(dump, 1, 5, isolate=False),
    }
    for pool in pools.values():
        pool.start()
    times: dict[str, list[float]] = {name: [] for name in pools}
    try:
        for round_ in range(args.rounds):
            order = list(pools.items())[:: 1 if round_ % 2 else -1]  # each goes first in turn
            for text in queries.values():
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


if __name__ == "__main__":
    main()
