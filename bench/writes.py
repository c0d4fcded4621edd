"""A curator's writes through the HTTP API: `POST /submissions` of one event with its evidence,
one after the other, and `POST /validate` of one, against `kg serve` on the built graph with
every default limit, for one or more checkouts side by side (each checkout's `src` on
PYTHONPATH, the data of this one).

    .venv/bin/python bench/writes.py [--writes 12] [--src src /tmp/old/src]

Printed per checkout: median seconds of a write and of a validation (the first of each left
out: it starts the validation process), and the ratio to the first checkout.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from validation import EVENT, PREFIXES, QUOTE  # noqa: E402

TOKEN = "bench-token"


def serve(src: Path, build: Path, var: Path, port: int) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        PYTHONPATH=str(src),
        KG_PORT=str(port),
        KG_BUILD_DIR=str(build),
        KG_VAR_DIR=str(var),
        KG_CURATOR_TOKENS=f"bench={TOKEN}",
        KG_WRITE_RATE_PER_MINUTE="1000",  # the writes of one curator, back to back
    )
    command = [sys.executable, "-c", "from kg.cli import main; main()", "serve"]
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(200):
        try:
            if requests.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return server
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    server.kill()
    raise SystemExit(f"kg serve from {src} did not start")


def measure(url: str, writes: int, label: str) -> tuple[float, float]:
    stored, checked = [], []
    for n in range(writes):
        body = (PREFIXES + EVENT.format(n=f"{label}-{n}", quote=QUOTE)).encode()
        started = time.perf_counter()
        answer = requests.post(
            url + "/submissions",
            data=body,
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"},
            timeout=120,
        )
        stored.append(time.perf_counter() - started)
        assert answer.status_code == 201, answer.text
        started = time.perf_counter()
        answer = requests.post(
            url + "/validate",
            data=body.replace(b"bench-", b"check-"),
            headers={"Content-Type": "text/turtle", "Accept": "application/json"},
            timeout=120,
        )
        checked.append(time.perf_counter() - started)
        assert answer.status_code == 200, answer.text
    return statistics.median(stored[1:]), statistics.median(checked[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=12)
    parser.add_argument("--src", nargs="+", type=Path, default=[ROOT / "src"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        build = Path(folder) / "build"
        env = dict(os.environ, KG_BUILD_DIR=str(build))
        subprocess.run(
            [sys.executable, "-c", "from kg.cli import main; main()", "build"],
            env=env,
            check=True,
            capture_output=True,
        )
        print(f"{'checkout':40} {'write s':>8} {'validate s':>11} {'write ×':>8}")
        first = None
        for number, src in enumerate(args.src):
            var = Path(folder) / f"var-{number}"
            server = serve(src.resolve(), build, var, 18600 + number)
            try:
                write_s, check_s = measure(
                    f"http://127.0.0.1:{18600 + number}", args.writes, str(number)
                )
            finally:
                server.terminate()
                server.wait()
            first = first or write_s
            print(f"{str(src):40} {write_s:8.3f} {check_s:11.3f} {first / write_s:8.2f}")


if __name__ == "__main__":
    main()
