"""Shared fixtures: settings pointing at the real sources, the assembled dataset, a CLI runner."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from rdflib import Dataset, Graph

from kg import config
from kg.graph.dataset import assemble, union, write
from kg.graph.validate import load_shapes

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Settings with the real data and a private build folder."""
    return config.load({"BUILD_DIR": tmp_path_factory.mktemp("build")})


@pytest.fixture(scope="session")
def dataset(settings: dict[str, Any]) -> Dataset:
    return assemble(settings["DATA_DIR"], settings["ONTOLOGY_DIR"])


@pytest.fixture(scope="session")
def graph(dataset: Dataset) -> Graph:
    """The union of every named graph: what queries see as the default graph."""
    return union(dataset)


@pytest.fixture(scope="session")
def shapes(settings: dict[str, Any]) -> Graph:
    return load_shapes(settings["SHAPES_DIR"])


@pytest.fixture()
def runner(settings: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner for the `kg` command whose builds go to the private build folder."""
    monkeypatch.setenv("KG_BUILD_DIR", str(settings["BUILD_DIR"]))
    return CliRunner()


# ---------------------------------------------------------------- a real server on loopback


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """`kg serve` in its own process (gunicorn), talking HTTP on a loopback port."""

    def __init__(self, build_dir: Path, log_dir: Path, **settings: Any) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.endpoint = self.url + "/sparql"
        self.query_log = log_dir / f"query-{self.port}.log"
        env = dict(os.environ)
        env.update({f"KG_{k}": str(v) for k, v in settings.items()})
        env.update(
            {
                "KG_BUILD_DIR": str(build_dir),
                "KG_PORT": str(self.port),
                "KG_QUERY_LOG": str(self.query_log),
            }
        )
        self.stderr = (log_dir / f"server-{self.port}.err").open("w")
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "kg"), "serve"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
        )
        self.banner = self.process.stdout.readline() if self.process.stdout else ""
        self._wait_until_healthy()

    def _wait_until_healthy(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"kg serve exited with {self.process.returncode}")
            try:
                if requests.get(self.url + "/health", timeout=1).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or still loading
                time.sleep(0.1)
        raise RuntimeError("kg serve did not become healthy")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
        if self.process.stdout:
            self.process.stdout.close()
        self.stderr.close()


@pytest.fixture(scope="session")
def built(settings: dict[str, Any]) -> Path:
    """The build folder, with the dataset built once for the session."""
    dataset = assemble(settings["DATA_DIR"], settings["ONTOLOGY_DIR"], settings["SHAPES_DIR"])
    write(dataset, settings["BUILD_DIR"])
    return Path(settings["BUILD_DIR"])


@pytest.fixture(scope="session")
def make_server(
    built: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., LiveServer]]:
    """Start servers with given settings; all are stopped at the end of the session."""
    servers: list[LiveServer] = []
    log_dir = tmp_path_factory.mktemp("server-logs")

    def start(**settings: Any) -> LiveServer:
        server = LiveServer(built, log_dir, **settings)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def server(make_server: Callable[..., LiveServer]) -> LiveServer:
    """The shared server: production settings, short deadline so timeout tests stay quick."""
    return make_server(QUERY_TIMEOUT_S=4, MAX_CONCURRENT_PER_CLIENT=2, QUERY_WORKERS=2)


@pytest.fixture()
def listener() -> Iterator[tuple[str, list[int]]]:
    """A loopback TCP listener that counts the connections it receives."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    hits: list[int] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            hits.append(1)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", hits
    stop.set()
    thread.join()
    server.close()


# ---------------------------------------------------------------- a real browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, driven by Playwright (no browser download)."""
    if CHROMIUM is None:
        pytest.skip("Debian chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


def shot(page: Any, name: str) -> None:
    """Keep a screenshot in test-artifacts/ for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture()
def browser_page(browser: Any) -> Iterator[Any]:
    """A fresh page that records every host it asks for (to prove pages load nothing remote)."""
    from urllib.parse import urlparse

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.requested_hosts = set()
    page.on("request", lambda req: page.requested_hosts.add(urlparse(req.url).hostname))
    yield page
    context.close()
