"""The fixtures: settings and the built dataset, a CLI runner, in-process apps with a test
client, real servers on loopback, a loopback listener and a real browser. Helpers they use are
in helpers.py."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from helpers import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    ROOT,
    STORES,
    LiveServer,
    StoreServer,
    loaded_store,
)
from rdflib import Dataset, Graph

from kg import config
from kg.graph.dataset import assemble, union, write
from kg.graph.validate import load_shapes
from kg.web import create_app
from kg.web.state import EXTENSION

#: The shared server's settings, and the shared app's: production ones, with a short deadline
#: so that timeout tests stay quick.
# the query budget is raised: many tests run deadline-long queries from one address in a minute
LIMITS = {
    "QUERY_TIMEOUT_S": 4,
    "MAX_CONCURRENT_PER_CLIENT": 2,
    "QUERY_WORKERS": 2,
    "QUERY_SECONDS_PER_MINUTE": 600,
    # every test of the session validates from one address: a budget for all of them
    "VALIDATION_SECONDS_PER_MINUTE": 600,
}


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
def runner(built: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner for the `kg` command on the private build folder, built for the session."""
    monkeypatch.setenv("KG_BUILD_DIR", str(built))
    return CliRunner()


@pytest.fixture(scope="session")
def built(settings: dict[str, Any]) -> Path:
    """The build folder, with the dataset built once for the session."""
    dataset = assemble(settings["DATA_DIR"], settings["ONTOLOGY_DIR"], settings["SHAPES_DIR"])
    write(dataset, settings["BUILD_DIR"])
    return Path(settings["BUILD_DIR"])


# ---------------------------------------------------------------- the app in process


@pytest.fixture(scope="session")
def make_app(
    built: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., Flask]]:
    """Make apps over the build with given settings, each with its own var folder and query
    log; their stores (and query processes) are closed at the end of the session."""
    apps: list[Flask] = []

    def make(**settings: Any) -> Flask:
        var = tmp_path_factory.mktemp("app-var")
        made = create_app(
            {"BUILD_DIR": built, "VAR_DIR": var, "QUERY_LOG": var / "query.log", **settings}
        )
        apps.append(made)
        return made

    yield make
    for made in apps:
        made.extensions[EXTENSION].store.close()


@pytest.fixture(scope="session")
def app(make_app: Callable[..., Flask]) -> Flask:
    """The shared app, in this process: the shared server's settings, no curators."""
    return make_app(**LIMITS)


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    """A test client of the shared app: HTTP requests without a socket."""
    return app.test_client()


# ---------------------------------------------------------------- real servers on loopback


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
    for server in servers:  # all at once: each takes a moment to shut down
        server.process.terminate()
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def generated_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build folder of the benchmark's generated data at 40k quads (about 1,400 events, 190
    cities, 360 persons): more of everything than a page shows at once (PAGE_ITEMS)."""
    build = tmp_path_factory.mktemp("generated-build")
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "generate.py"),
            "--size",
            "40k",
            "--out",
            str(build / "cakg.nq"),
        ],
        check=True,
        capture_output=True,
    )
    return build


@pytest.fixture(scope="session")
def large_server(
    generated_build: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """`kg serve` over the generated data, with the default page settings."""
    # deadlines for a loaded machine: its tests ask what the pages show, not how soon (the
    # deadlines have tests of their own; bench/pages_at_scale.py measures the time)
    settings = {**LIMITS, "QUERY_TIMEOUT_S": 30, "PAGE_TIMEOUT_S": 60, "QUEUE_TIMEOUT_S": 30}
    server = LiveServer(generated_build, tmp_path_factory.mktemp("large-logs"), **settings)
    yield server
    server.stop()


@pytest.fixture(scope="module", params=sorted(STORES))
def store(
    request: pytest.FixtureRequest, built: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StoreServer]:
    """Each real remote store in turn, filled by `kg load`, one for each module that asks:
    a module's tests run against each, and may write to it."""
    server = loaded_store(request.param, built, tmp_path_factory.mktemp(request.param))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def server(make_server: Callable[..., LiveServer]) -> LiveServer:
    """The shared server: production settings, short deadline so timeout tests stay quick."""
    return make_server(**LIMITS)


@pytest.fixture(scope="session")
def curated(
    make_server: Callable[..., LiveServer], tmp_path_factory: pytest.TempPathFactory
) -> LiveServer:
    """A server that takes submissions from three curators, with a var folder of its own."""
    return make_server(
        CURATOR_TOKENS="alice=tok-alice bob=tok-bob carol=tok-carol",
        VAR_DIR=tmp_path_factory.mktemp("var"),
        WRITE_RATE_PER_MINUTE=1000,
    )


@pytest.fixture()
def listener() -> Iterator[tuple[str, list[int]]]:
    """A loopback TCP listener and the connections it receives (each one's client port);
    helpers.contacts() counts them to the end."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.05)  # how long the fixture takes to stop
    hits: list[int] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, (_, port) = server.accept()
            except TimeoutError:
                continue
            hits.append(port)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", hits
    stop.set()
    thread.join()
    server.close()


# ---------------------------------------------------------------- a real browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, driven by Playwright (no browser download). Without it the browser
    tests skip, or fail where KG_TEST_BROWSER=required (as CI sets it)."""
    if CHROMIUM is None:
        reason = "Debian chromium is not installed"
        if os.environ.get("KG_TEST_BROWSER") == "required":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture()
def browser_page(browser: Any) -> Iterator[Any]:
    """A fresh page that records every host it asks for (to prove pages load nothing remote)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.requested_hosts = set()
    page.on("request", lambda req: page.requested_hosts.add(urlparse(req.url).hostname))
    yield page
    context.close()
