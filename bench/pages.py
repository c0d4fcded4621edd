"""Page weight and time to render, measured in Debian's Chromium over loopback (issue #15).

    .venv/bin/python bench/pages.py [--runs 5] [--port 8093]

Needs a build (`kg build`) and Chromium. Starts `kg serve` on a free loopback port, opens each
page `--runs` times in a fresh browser context (no cache), and prints per page: the bytes
transferred (the page and every asset it loads, bodies as received), the number of requests,
and the medians of first contentful paint and of the load event, in ms. The target of
issue #15 is under 300 KB a page; nothing may come from outside the server (the hosts asked
for are checked).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
KG = Path(sys.executable).parent / "kg"
#: Each kind of page: the landing page, the query page, the timeline, the map, the dumps,
#: an event, a city, a person, a document (the largest), the ontology, an error page.
PAGES = [
    "/",
    "/query",
    "/timeline",
    "/map",
    "/dumps/",
    "/event/lazgi-festival-2022",
    "/city/tashkent",
    "/person/abduaziz-khidirov",
    "/doc/001_827a15a1c1169bd2",
    "/ontology",
    "/curate/review",
    "/no/such/page",
]
LIMIT = 300_000
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "KG_PORT": str(port)}
    process = subprocess.Popen([str(KG), "serve"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    for _ in range(600):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit("the server did not start")


def measure(browser: Any, url: str) -> dict[str, Any]:
    """One visit in a fresh context: bytes, requests, hosts, first paint and load (ms)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sizes: list[int] = []
    hosts: set[str] = set()

    def finished(request: Any) -> None:
        hosts.add(urlsplit(request.url).hostname or "")
        response = request.response()
        sizes.append(len(response.body()) if response is not None else 0)

    page.on("requestfinished", finished)
    page.goto(url, wait_until="load")
    # first contentful paint is reported after the load event at times: wait for it (1 s)
    timing = page.evaluate(
        """() => new Promise(done => {
          const nav = performance.getEntriesByType('navigation')[0];
          const answer = fcp => done({fcp: fcp, load: nav.loadEventEnd});
          new PerformanceObserver(list => {
            const paint = list.getEntriesByName('first-contentful-paint')[0];
            if (paint) answer(paint.startTime);
          }).observe({type: 'paint', buffered: true});
          setTimeout(() => answer(null), 1000);
        })"""
    )
    context.close()
    return {"bytes": sum(sizes), "requests": len(sizes), "hosts": hosts, **timing}


def median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("Debian's chromium is needed (apt-get install chromium)")
    port = args.port or free_port()
    server = serve(port)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=FLAGS)
            rows = [
                (
                    path,
                    [measure(browser, f"http://127.0.0.1:{port}{path}") for _ in range(args.runs)],
                )
                for path in PAGES
            ]
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    head = f"{'page':32} {'KB':>7} {'req':>4} {'paint ms':>9} {'load ms':>8}"
    print(head, " under 300 KB, loopback only")
    for path, runs in rows:
        size = runs[0]["bytes"]
        hosts = set().union(*(r["hosts"] for r in runs))
        fcp, load = median([r["fcp"] for r in runs]), median([r["load"] for r in runs])
        paint = f"{fcp:9.0f}" if fcp is not None else f"{'-':>9}"
        ok = "yes" if size < LIMIT else "NO"
        local = "yes" if hosts <= {"127.0.0.1"} else f"NO: {sorted(hosts)}"
        row = f"{path:32} {size / 1000:7.1f} {runs[0]['requests']:4d} {paint} {load:8.0f}"
        print(row, f" {ok}, {local}")


if __name__ == "__main__":
    main()
