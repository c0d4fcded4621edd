"""Real triple stores for the remote-mode tests, started on loopback in a folder of the test's.

`oxigraph serve` (PyPI) is the reference store; Virtuoso (Debian's virtuoso-opensource-7-bin,
installed by `.ci/run`) is the established store the issue asks to test where it starts in
time. Each can be stopped and started again on the same data.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import requests
from conftest import free_port

OXIGRAPH = Path(sys.executable).parent / "oxigraph"
VIRTUOSO = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt")
VIRTUOSO_DOCS = Path(__file__).parents[1] / "docs" / "virtuoso"  # what the docs tell operators


class StoreServer:
    """A store process on loopback that answers `ASK {}` at `probe` once it is up."""

    name = ""
    probe = ""

    def __init__(self, location: Path) -> None:
        self.location = location
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def settings(self) -> dict[str, str]:
        raise NotImplementedError

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.command(),
            cwd=self.location,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                r = requests.get(self.url + self.probe, params={"query": "ASK {}"}, timeout=1)
                if r.status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start within 60 s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=60)
            self.process = None


class Oxigraph(StoreServer):
    """`oxigraph serve` on disk, with the union of its graphs as the default graph."""

    name = "oxigraph"
    probe = "/query"

    def command(self) -> list[str]:
        return [
            str(OXIGRAPH),
            "serve",
            "--location",
            str(self.location),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--union-default-graph",
        ]

    def settings(self) -> dict[str, str]:
        return {
            "STORE_URL": self.url + "/query",
            "STORE_UPDATE_URL": self.url + "/update",
            "STORE_GSP_URL": self.url + "/store",
        }


class Virtuoso(StoreServer):
    """Virtuoso open source 7, configured with docs/virtuoso/ as docs/remote-stores.md says."""

    name = "virtuoso"
    probe = "/sparql"

    def __init__(self, location: Path) -> None:
        super().__init__(location)
        self.isql_port = free_port()
        ini = (VIRTUOSO_DOCS / "virtuoso.ini").read_text("utf-8")
        ini = ini.format(dir=location, isql_port=self.isql_port, http_port=self.port)
        (location / "virtuoso.ini").write_text(ini, "utf-8")
        self.set_up = False

    def command(self) -> list[str]:
        return [str(VIRTUOSO), "+foreground", "+configfile", str(self.location / "virtuoso.ini")]

    def start(self) -> None:
        super().start()
        if not self.set_up:
            script = VIRTUOSO_DOCS / "setup.sql"
            done = subprocess.run(
                [str(ISQL), f"127.0.0.1:{self.isql_port}", "dba", "dba", str(script)],
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
                raise RuntimeError(f"Virtuoso set-up failed: {done.stdout}{done.stderr}")
            self.set_up = True

    def settings(self) -> dict[str, str]:
        return {
            "STORE_URL": self.url + "/sparql-auth",
            "STORE_UPDATE_URL": self.url + "/sparql-auth",
            "STORE_GSP_URL": self.url + "/sparql-graph-crud-auth",
            "STORE_AUTH": "digest",
            "STORE_USER": "cakg",
            "STORE_PASSWORD": "cakg-secret",
            "STORE_RESULTS": "json",
        }


STORES: dict[str, type[StoreServer]] = {"oxigraph": Oxigraph, "virtuoso": Virtuoso}
