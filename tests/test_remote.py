"""The same service on a remote SPARQL store: `oxigraph serve` (PyPI) as the reference store,
two stateless `kg serve` copies in front of it, reached only through the W3C protocols.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from conftest import LiveServer, free_port
from test_competency import QUESTIONS, compare
from test_curation import event

OXIGRAPH = Path(sys.executable).parent / "oxigraph"
TOKENS = "alice=tok-alice bob=tok-bob"
ALICE = {"Authorization": "Bearer tok-alice", "Content-Type": "text/turtle"}
BOB = {"Authorization": "Bearer tok-bob", "Content-Type": "text/turtle"}


class Oxigraph:
    """`oxigraph serve` on disk, so that it can be stopped and started again."""

    def __init__(self, location: Path) -> None:
        self.location = location
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                str(OXIGRAPH),
                "serve",
                "--location",
                str(self.location),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--union-default-graph",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(self.url + "/query", params={"query": "ASK {}"}, timeout=1)
                return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("oxigraph did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None

    def settings(self) -> dict[str, str]:
        return {
            "STORE_URL": self.url + "/query",
            "STORE_UPDATE_URL": self.url + "/update",
            "STORE_GSP_URL": self.url + "/store",
        }


@pytest.fixture(scope="module")
def store(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Oxigraph]:
    oxigraph = Oxigraph(tmp_path_factory.mktemp("oxigraph"))
    oxigraph.start()
    env = {
        "PATH": str(Path(sys.executable).parent),
        "KG_BUILD_DIR": str(built),
        **{f"KG_{k}": v for k, v in oxigraph.settings().items()},
    }
    done = subprocess.run(
        [str(Path(sys.executable).parent / "kg"), "load"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "loaded" in done.stdout
    yield oxigraph
    oxigraph.stop()


@pytest.fixture(scope="module")
def pair(store: Oxigraph, make_server: Callable[..., LiveServer]) -> tuple[LiveServer, LiveServer]:
    """Two copies of the server in front of the one store."""
    settings = {**store.settings(), "CURATOR_TOKENS": TOKENS, "WRITE_RATE_PER_MINUTE": 1000}
    return make_server(**settings), make_server(**settings)


def ask(server: LiveServer, query: str) -> bool:
    return bool(
        requests.get(server.endpoint, params={"query": query}, timeout=30).json()["boolean"]
    )


@pytest.mark.parametrize("path", QUESTIONS, ids=lambda p: p.stem)
def test_competency_questions_on_the_remote_store(
    pair: tuple[LiveServer, LiveServer], path: Path
) -> None:
    query = path.read_text("utf-8")
    data = requests.post(pair[0].endpoint, data={"query": query}, timeout=30).json()
    if "boolean" in data:
        names, bindings = ["ask"], [{"ask": {"value": str(data["boolean"]).lower()}}]
    else:
        names, bindings = data["head"]["vars"], data["results"]["bindings"]
    compare(query, path, names, bindings)


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        pytest.param("/city/khiva", "text/turtle", id="entity-turtle"),
        pytest.param("/event/lazgi-festival-2022", "text/html", id="entity-html"),
        pytest.param("/ontology", "application/ld+json", id="ontology"),
        pytest.param("/", "text/html", id="landing"),
        pytest.param("/timeline", "text/html", id="timeline"),
        pytest.param("/.well-known/void", "text/turtle", id="void"),
        pytest.param("/dumps/cakg.nq", "*/*", id="dump"),
        pytest.param("/sparql", "text/turtle", id="service-description"),
    ],
)
def test_every_feature_works_on_the_remote_store(
    pair: tuple[LiveServer, LiveServer], path: str, accept: str
) -> None:
    r = requests.get(pair[1].url + path, headers={"Accept": accept}, timeout=60)
    assert r.status_code == 200, r.text[:300]


def test_limits_hold_on_the_remote_store(
    pair: tuple[LiveServer, LiveServer], listener: Any
) -> None:
    url, hits = listener
    r = requests.get(
        pair[0].endpoint,
        params={"query": f"SELECT * {{ SERVICE <{url}/> {{ ?s ?p ?o }} }}"},
        timeout=30,
    )
    assert r.status_code == 400 and hits == []


def test_a_submission_through_one_copy_is_visible_through_the_other(
    pair: tuple[LiveServer, LiveServer],
) -> None:
    first, second = pair
    etag = requests.get(
        second.url + "/city/khiva", headers={"Accept": "text/turtle"}, timeout=10
    ).headers["ETag"]
    r = requests.post(
        first.url + "/submissions", data=event("remote-one").encode(), headers=ALICE, timeout=60
    )
    assert r.status_code == 201, r.text
    assert ask(second, "ASK { <https://w3id.org/cakg/event/remote-one> kg:year 2024 }")
    listed = requests.get(second.url + "/submissions", timeout=30).json()["submissions"]
    assert r.json()["id"] in {s["id"] for s in listed}
    khiva = requests.get(second.url + "/city/khiva", headers={"Accept": "text/turtle"}, timeout=10)
    assert khiva.headers["ETag"] != etag and "event:remote-one" in khiva.text
    assert (
        requests.delete(
            second.url + f"/submissions/{r.json()['id']}",
            headers={"Authorization": "Bearer tok-alice"},
            timeout=30,
        ).status_code
        == 204
    )
    assert not ask(first, "ASK { <https://w3id.org/cakg/event/remote-one> ?p ?o }")


def test_concurrent_writes_to_both_copies_are_all_kept(pair: tuple[LiveServer, LiveServer]) -> None:
    def submit(i: int) -> requests.Response:
        server, headers = (pair[0], ALICE) if i % 2 else (pair[1], BOB)
        return requests.post(
            server.url + "/submissions",
            data=event(f"both-{i}").encode(),
            headers=headers,
            timeout=120,
        )

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = [r.status_code for r in pool.map(submit, range(12))]
    assert statuses == [201] * 12
    for i in range(12):
        assert ask(pair[i % 2], f"ASK {{ <https://w3id.org/cakg/event/both-{i}> ?p ?o }}")


def test_store_down_then_back(pair: tuple[LiveServer, LiveServer], store: Oxigraph) -> None:
    first, second = pair
    store.stop()
    try:
        r = requests.get(first.endpoint, params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
        assert r.status_code == 503 and r.json()["error"] == "store_unavailable"
        assert int(r.headers["Retry-After"]) > 0
        w = requests.post(
            second.url + "/submissions",
            data=event("while-down").encode(),
            headers=ALICE,
            timeout=60,
        )
        assert w.status_code == 503
        assert "Traceback" not in w.text
    finally:
        store.start()
    assert ask(first, "ASK { ?s ?p ?o }")  # recovers by itself
    assert not ask(
        second, "ASK { <https://w3id.org/cakg/event/while-down> ?p ?o }"
    )  # no partial write
    r = requests.post(
        second.url + "/submissions", data=event("after-down").encode(), headers=ALICE, timeout=60
    )
    assert r.status_code == 201
    assert ask(first, "ASK { <https://w3id.org/cakg/event/after-down> ?p ?o }")
