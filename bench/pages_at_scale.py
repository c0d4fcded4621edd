"""Pages over more data: each page's time and size, and the web process's memory, with the
project's graph and the benchmark's generated data side by side (issue #16).

    .venv/bin/python bench/pages_at_scale.py [--sizes 100k 1m] [--runs 3] [--workdir DIR]

For the project's build (`kg build` first) and each generated size, starts `kg serve` with its
defaults on a loopback port and asks for each page (plain HTTP, no browser: what the server
does, not what a browser draws; `bench/pages.py` measures that). A page is asked for once
after start (its data is gathered: the first reader's wait) and then `--runs` times (the page
cache answers: every other reader's wait); it prints the first time, the median of the others,
the size, and the web process's own memory (RssAnon) after all its pages. Pages that differ
by data (an entity) are chosen from the data: the busiest country, a city, a person.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
KG = Path(sys.executable).parent / "kg"
#: The pages of every data set; the entity pages are added per data set.
PAGES = ["/", "/timeline", "/timeline?page=2", "/timeline?country=kz", "/map", "/dumps/"]
ENTITIES = {
    "project": ["/country/jp", "/city/tashkent", "/person/abduaziz-khidirov"],
    "generated": ["/country/jp", "/city/ci-00000", "/person/pe-000000"],
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def own_memory_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1])
    return 0


def get(url: str) -> tuple[int, int, float]:
    """Status, size and seconds of one GET (a page that fails is measured as it failed)."""
    started = time.perf_counter()
    asked = urllib.request.Request(url, headers={"Accept": "text/html"})  # a page, not RDF
    try:
        with urllib.request.urlopen(asked, timeout=300) as answer:
            body, status = answer.read(), answer.status
    except urllib.error.HTTPError as error:
        body, status = error.read(), error.code
    return status, len(body), time.perf_counter() - started


def serve(build: Path, work: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env.update(KG_BUILD_DIR=str(build), KG_VAR_DIR=str(work / f"var-{port}"), KG_PORT=str(port))
    log = (work / f"serve-{port}.log").open("wb")
    process = subprocess.Popen([str(KG), "serve"], cwd=ROOT, env=env, stdout=log, stderr=log)
    for _ in range(3000):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            return process, port
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"the server over {build} did not start; see {log.name}")


def measure(build: Path, pages: list[str], runs: int, work: Path) -> dict[str, tuple[Any, ...]]:
    process, port = serve(build, work)
    results: dict[str, tuple[Any, ...]] = {"(start)": (own_memory_kb(process.pid),)}
    try:
        for path in pages:
            status, size, first = get(f"http://127.0.0.1:{port}{path}")
            again = [get(f"http://127.0.0.1:{port}{path}")[2] for _ in range(runs)]
            results[path] = (status, size, first, statistics.median(again))
            print(f"  {path:28} {status} first {first:7.2f} s", flush=True)
        results["(end)"] = (own_memory_kb(process.pid),)
    finally:
        process.terminate()
        process.wait(timeout=60)
    return results


def generated(size: str, work: Path) -> Path:
    build = work / f"build-{size}"
    build.mkdir(exist_ok=True)
    if not (build / "cakg.nq").exists():
        script = ROOT / "bench" / "generate.py"
        out = str(build / "cakg.nq")
        subprocess.run([sys.executable, str(script), "--size", size, "--out", out], check=True)
    return build


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="*", default=["100k", "1m"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="pages-at-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    sets = [("project", ROOT / "build", "project")]
    sets += [(size, generated(size, work), "generated") for size in args.sizes]
    table = {}
    for name, build, kind in sets:
        print(f"{name}: {build}", flush=True)
        table[name] = measure(build, PAGES + ENTITIES[kind], args.runs, work)
    report(table)


def report(table: dict[str, dict[str, tuple[Any, ...]]]) -> None:
    names = list(table)
    print("\nfirst s / cached s / KB per page; status if not 200")
    print(f"{'page':28}" + "".join(f" {n:>26}" for n in names))
    for i, path in enumerate(PAGES + ["(country)", "(city)", "(person)"]):
        cells = []
        for name in names:
            rows = [k for k in table[name] if not k.startswith("(")]
            status, size, first, again = table[name][rows[i]]
            flag = "" if status == 200 else f" [{status}]"
            cells.append(f"{first:7.2f} {again:6.3f} {size / 1000:7.1f}{flag}")
        print(f"{path:28}" + "".join(f" {c:>26}" for c in cells))
    start = "".join(f" {table[n]['(start)'][0] / 1024:26.0f}" for n in names)
    end = "".join(f" {table[n]['(end)'][0] / 1024:26.0f}" for n in names)
    print(f"{'web RssAnon MB at start':28}{start}")
    print(f"{'web RssAnon MB after pages':28}{end}")


if __name__ == "__main__":
    main()
