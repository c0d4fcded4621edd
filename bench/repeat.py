"""A notebook re-running its cells (issue #16): our endpoint, with its result cache and every
limit at its default, against `oxigraph serve` in memory, on the same generated dataset.

    .venv/bin/python bench/repeat.py [--size 100k] [--reruns 7]

The cells are the benchmark's queries (bench/queries), sent one after the other by one client
as a notebook does. The first run of the notebook is cold; then it is re-run `--reruns` times.
Printed per engine: the first run's time, the median re-run's, and their ratio to Oxigraph's;
and, for ours, the cache's hits and size from /metrics. Answers are checked to be the same
on both engines (counts and values, blank nodes aside).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
from load import Client, Query, load_queries, result_count  # noqa: E402
from run import Engine, Ours, OxigraphMemory, say  # noqa: E402

from kg.config import SETTINGS  # noqa: E402

CACHE_DEFAULT = next(s.default for s in SETTINGS if s.name == "RESULT_CACHE_BYTES")


def notebook(engine: Engine, cells: list[Query]) -> tuple[float, list[tuple[int, str]]]:
    """Run every cell once; the seconds it took and each cell's answer (count, digest)."""
    client = Client(engine.url, 60.0)
    answers = []
    started = time.monotonic()
    try:
        for cell in cells:
            reply = client.ask(cell)
            if reply.error:
                raise RuntimeError(f"{engine.name}: {cell.name}: {reply.error}")
            answers.append(result_count(cell, reply.body, reply.headers.get("content-type", "")))
    finally:
        client.close()
    return time.monotonic() - started, answers


def cache_figures(engine: Engine) -> str:
    base = engine.url.rsplit("/", 1)[0]
    text = urllib.request.urlopen(base + "/metrics", timeout=10).read().decode()
    found = {
        name: float(m[1])
        for name in ("kg_result_cache_hits_total", "kg_result_cache_bytes", "kg_query_runs_total")
        if (m := re.search(rf"^{name} (\S+)$", text, re.M))
    }
    return (
        f"cache hits {found.get('kg_result_cache_hits_total', 0):.0f}, "
        f"queries run {found.get('kg_query_runs_total', 0):.0f}, "
        f"cache holds {found.get('kg_result_cache_bytes', 0) / 1e6:.2f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="100k")
    parser.add_argument("--reruns", type=int, default=7)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    cells = load_queries(sorted((HERE / "queries").glob("*.rq")))
    with tempfile.TemporaryDirectory(prefix="kg-repeat-") as folder:
        work = Path(folder)
        data = work / "data.nq"
        quads = generate.write(data, generate.size_of(args.size), args.seed)
        say(f"{args.size}: {quads} quads, {len(cells)} cells, {args.reruns} re-runs")
        engines: list[Engine] = [
            # the result cache at its default size (the engine benchmark switches it off)
            Ours("ours", 60.0, 0, 0, settings={"RESULT_CACHE_BYTES": str(CACHE_DEFAULT)}),
            OxigraphMemory("oxigraph-mem", 60.0, 0, 0),
        ]
        results: dict[str, tuple[float, float]] = {}
        answers: dict[str, list[tuple[int, str]]] = {}
        try:
            for engine in engines:
                engine.start(data, work, 600.0)
            for engine in engines:
                first, answers[engine.name] = notebook(engine, cells)
                reruns = [notebook(engine, cells)[0] for _ in range(args.reruns)]
                results[engine.name] = (first, statistics.median(reruns))
            ours_cache = cache_figures(engines[0])
        finally:
            for engine in engines:
                engine.stop()
    same = answers["ours"] == answers["oxigraph-mem"]
    base = results["oxigraph-mem"][1]
    print("\n| engine | first run (ms) | median re-run (ms) | re-run vs oxigraph-mem |")
    print("|---|---:|---:|---:|")
    for name, (first, rerun) in results.items():
        print(f"| {name} | {first * 1000:.1f} | {rerun * 1000:.1f} | {base / rerun:.2f}× as fast |")
    print(f"\nours: {ours_cache}; same answers on both: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
