"""What several test modules share: waiting by polling, the real server on loopback, the real
triple stores of the remote mode and each mode's settings, a browser's flags and screenshots,
namespaces and their prefixes, countries' names, sample facts and an XXE attack, the
competency questions and the one error shape. Fixtures live in conftest.py; no test module
imports another."""

from __future__ import annotations

import csv
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote, urlsplit

import requests

if TYPE_CHECKING:
    import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # where `kg` and `oxigraph` are installed
T = TypeVar("T")


# ---------------------------------------------------------------- waiting


def wait_until(condition: Callable[[], T], seconds: float = 30, every: float = 0.05) -> T:
    """Ask `condition` until it gives something true, and return that; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {seconds} s: {condition}")
        time.sleep(every)


def slow_query_handler(source: str, submissions: str | None, seconds: float) -> Any:
    """A query process's handler that takes `seconds` longer to set up (as a large dataset's
    load does), for the tests of who waits for a process to start."""
    from kg.store.pool import query_handler

    time.sleep(seconds)
    return query_handler(source, submissions)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def answers(url: str, **params: str) -> bool:
    """Whether `url` answers 200 right now (False while nothing listens)."""
    try:
        return requests.get(url, params=params, timeout=1).status_code == 200
    except requests.RequestException:
        return False


def contacts(listener: tuple[str, list[int]]) -> list[int]:
    """The connections the `listener` fixture has had, counted to the end: it accepts them in
    order, so once a probe connection of ours is counted, every earlier one is too."""
    url, hits = listener
    address = urlsplit(url)
    with socket.create_connection((str(address.hostname), int(address.port or 80))) as probe:
        mark = probe.getsockname()[1]
    wait_until(lambda: mark in hits, seconds=5)
    hits.remove(mark)
    return hits


# ---------------------------------------------------------------- a real server on loopback


class LiveServer:
    """`kg serve` in its own process (waitress), talking HTTP on a loopback port."""

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
            [str(BIN / "kg"), "serve"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
        )
        self.banner = self.process.stdout.readline() if self.process.stdout else ""
        wait_until(self._healthy, seconds=60)

    def _healthy(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"kg serve exited with {self.process.returncode}")
        return answers(self.url + "/health")

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


def ask_from(
    server: LiveServer, address: str, query: str = "ASK {}", headers: dict[str, str] | None = None
) -> http.client.HTTPResponse:
    """GET a query from another loopback address, which the per-address limits count as a
    client of its own; the response, read."""
    conn = http.client.HTTPConnection(
        "127.0.0.1", server.port, timeout=60, source_address=(address, 0)
    )
    try:
        conn.request("GET", "/sparql?query=" + quote(query), headers=headers or {})
        response = conn.getresponse()
        response.read()
        return response
    finally:
        conn.close()


# ---------------------------------------------------------------- real triple stores

OXIGRAPH = BIN / "oxigraph"
VIRTUOSO = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt")
VIRTUOSO_DOCS = ROOT / "docs" / "virtuoso"  # what the docs tell operators


class StoreServer:
    """A store process on loopback, started in a folder of the test's, that answers `ASK {}`
    at `probe` once it is up; it can be stopped and started again on the same data."""

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
        wait_until(lambda: answers(self.url + self.probe, query="ASK {}"), seconds=60)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=60)
            self.process = None


class Oxigraph(StoreServer):
    """`oxigraph serve` (PyPI) on disk, as docs/remote-stores.md starts it: the reference
    store. `options` are more command-line options (to try ones the docs advise against)."""

    name = "oxigraph"
    probe = "/query"

    def __init__(self, location: Path, options: tuple[str, ...] = ()) -> None:
        super().__init__(location)
        self.options = options

    def command(self) -> list[str]:
        return [
            str(OXIGRAPH),
            "serve",
            "--location",
            str(self.location),
            "--bind",
            f"127.0.0.1:{self.port}",
            *self.options,
        ]

    def settings(self) -> dict[str, str]:
        return {
            "STORE_URL": self.url + "/query",
            "STORE_UPDATE_URL": self.url + "/update",
            "STORE_GSP_URL": self.url + "/store",
        }


class Virtuoso(StoreServer):
    """Virtuoso open source 7 (Debian's virtuoso-opensource-7-bin, installed by `.ci/run`),
    configured with docs/virtuoso/ as docs/remote-stores.md says."""

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


def loaded_store(name: str, built: Path, folder: Path) -> StoreServer:
    """A real store, started in `folder` and filled by `kg load` from the build, as
    docs/remote-stores.md says; skipped where Virtuoso is missing, unless CI requires it."""
    if name == "virtuoso" and VIRTUOSO is None:
        import pytest  # only the tests that start a store need it

        reason = "virtuoso-t is not installed (Debian: virtuoso-opensource-7-bin)"
        if os.environ.get("KG_TEST_VIRTUOSO") == "required":
            pytest.fail(reason)
        pytest.skip(reason)
    server = STORES[name](folder)
    server.start()
    env = {
        "PATH": str(BIN),
        # the sources under test, where they are given (as for `kg serve`, which inherits it)
        **{k: os.environ[k] for k in ("PYTHONPATH",) if k in os.environ},
        "KG_BUILD_DIR": str(built),
        **{f"KG_{k}": v for k, v in server.settings().items()},
    }
    done = subprocess.run(
        [str(BIN / "kg"), "load"], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    if done.returncode != 0 or "loaded" not in done.stdout:
        server.stop()
        raise AssertionError(f"kg load failed: {done.stderr}")
    return server


#: Where `kg serve` keeps its data: its embedded store, or each real store in turn.
MODES = ("embedded", *sorted(STORES))


def in_modes(fixture: str, *modes: str) -> Callable[[Any], None]:
    """A module's ``pytest_generate_tests``: its module-scoped `fixture` (one server per store
    mode) takes these modes. A file whose modes each take minutes runs one mode, and a file of
    the same tests (``from test_x import *``) the next one, so that the parallel run, a file
    per process, runs the modes side by side instead of one after another."""

    def generate(metafunc: Any) -> None:
        if fixture in metafunc.fixturenames:
            metafunc.parametrize(fixture, modes, indirect=True, scope="module")

    return generate


@contextmanager
def mode_settings(
    mode: str, built: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """The settings that put `kg serve` in `mode`: none for the embedded store; for a real
    store, those of one of its own (`loaded_store`, in a new temporary folder), stopped when
    the block ends."""
    if mode == "embedded":
        yield {}
        return
    store = loaded_store(mode, built, tmp_path_factory.mktemp(mode))
    try:
        yield store.settings()
    finally:
        store.stop()


# ---------------------------------------------------------------- a real browser


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "test-artifacts"
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


def shot(page: Any, name: str) -> None:
    """Keep a screenshot in test-artifacts/ for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


# ---------------------------------------------------------------- namespaces

BASE = "https://w3id.org/cakg/"
KG = BASE + "ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_INTEGER = XSD + "integer"
#: The prefixes of test ids and messages; an IRI takes the first whose namespace it starts with.
PREFIX_NAMES = {
    XSD: "xsd",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf",
    "http://www.w3.org/2000/01/rdf-schema#": "rdfs",
    "http://www.w3.org/2002/07/owl#": "owl",
    "http://www.w3.org/2004/02/skos/core#": "skos",
    "http://www.w3.org/2003/01/geo/wgs84_pos#": "geo",
    "http://www.w3.org/ns/shacl#": "sh",
    "http://www.w3.org/ns/prov#": "prov",
    "http://purl.org/dc/terms/": "dcterms",
    "http://purl.org/vocab/vann/": "vann",
    KG: "kg",
    BASE: "cakg",  # after kg, whose namespace is in it
}


def prefixed(iri: str) -> str | None:
    """`iri` as prefix:name with a prefix of PREFIX_NAMES; None if none fits."""
    for namespace, prefix in PREFIX_NAMES.items():
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return None


def cldr_country_name(code: str, language: str) -> str:
    """The name of the country with ISO 3166 code `code` in `language`, as CLDR gives it
    (through babel): what the build names countries with and pages show."""
    from babel import Locale  # only the tests of names need it

    return str(Locale.parse(language).territories[code])


# ---------------------------------------------------------------- sample facts

PREFIXES = """@prefix kg: <https://w3id.org/cakg/ontology#> .
@prefix doc: <https://w3id.org/cakg/doc/> .
@prefix city: <https://w3id.org/cakg/city/> .
@prefix country: <https://w3id.org/cakg/country/> .
@prefix status: <https://w3id.org/cakg/vocab/status/> .
@prefix etype: <https://w3id.org/cakg/vocab/event-type/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""
QUOTE = "Representatives of Kazakhstan also participated in the “Lazgi” festival"


def event(slug: str, label: str | None = None, status: str = "happened", year: str = "2024") -> str:
    """A festival in Khiva as Turtle, with a verbatim quote as its evidence: a submission."""
    return (
        PREFIXES
        + f"""
<https://w3id.org/cakg/event/{slug}> a kg:CulturalEvent ;
    rdfs:label "{label or slug}"@en ;
    kg:eventType etype:festival ;
    kg:status status:{status} ;
    kg:location city:khiva ;
    kg:date "{year}"^^xsd:gYear ;
    kg:evidence [ a kg:Evidence ; kg:source doc:000_74681c818d2b02ab ; kg:quote "{QUOTE}" ] .
"""
    )


SECRET = "TOP-SECRET"  # what the local file an XXE attack reads holds


def external_entity(target: str, listener_url: str, folder: Path) -> str:
    """RDF/XML declaring an external entity (XXE, its DTD on line 2) that an event's label
    uses: a file in `folder` that holds SECRET (`target` "file"), or a URL of the `listener`
    fixture's (`target` "http")."""
    secret = folder / "secret.txt"
    secret.write_text(SECRET)
    entity = f"file://{secret}" if target == "file" else f"{listener_url}/x"
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY e SYSTEM "{entity}">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">'
        '<rdf:Description rdf:about="https://w3id.org/cakg/event/xxe"><rdfs:label>&e;</rdfs:label>'
        "</rdf:Description></rdf:RDF>"
    )


# ---------------------------------------------------------------- competency questions

CQ_DIR = Path(__file__).parent / "cq"
QUESTIONS = sorted(CQ_DIR.glob("*.rq"))


def expected_rows(path: Path) -> tuple[list[str], list[tuple[str, ...]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], [tuple(r) for r in rows[1:] if r]


def compare(query: str, path: Path, names: list[str], bindings: list[dict[str, Any]]) -> None:
    """The answer is the question's CSV: as a list when the query orders, else as a set."""
    header, expected = expected_rows(path.with_suffix(".csv"))
    assert names == header
    actual = [tuple(b[n]["value"] if n in b else "" for n in names) for b in bindings]
    if re.search(r"\bORDER\s+BY\b", query, re.IGNORECASE):
        assert actual == expected
    else:
        assert sorted(actual) == sorted(expected)


def bindings(server: LiveServer, query: str) -> list[dict[str, dict[str, str]]]:
    """The rows of a SELECT, asked of the server's endpoint as SPARQL JSON."""
    answer = requests.post(
        server.endpoint,
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    answer.raise_for_status()
    rows: list[dict[str, dict[str, str]]] = answer.json()["results"]["bindings"]
    return rows


def json_solutions(data: dict[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """Variable names and bindings of SPARQL JSON results; an ASK answer as one column `ask`."""
    if "boolean" in data:
        return ["ask"], [{"ask": {"value": str(data["boolean"]).lower()}}]
    return data["head"]["vars"], data["results"]["bindings"]


# ---------------------------------------------------------------- the error shape


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The one error shape: JSON with status, error and message; never a traceback. For a
    `requests` response and a test client's alike."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    body: dict[str, Any] = json.loads(response.text)
    assert body["status"] == status
    assert isinstance(body["error"], str) and body["message"]
    if code is not None:
        assert body["error"] == code
    assert "Traceback" not in response.text
    return body


def draft_article(built: Path, text: str, **given: str) -> Any:
    """What `kg extract` drafts from `text` (a kg.assist.extract.Draft), linked against the
    built graph; `given` as its options (date, publisher…)."""
    # imported here: the assistant loads spaCy, which most tests never need
    from kg.assist.extract import extract
    from kg.assist.text import read_source
    from kg.graph.dataset import load_built, union

    dataset = load_built(built)
    assert dataset is not None
    return extract(
        read_source(text.encode(), "article.txt", max_bytes=100_000), union(dataset), **given
    )


class Unreadable:
    """An answer its reader cannot unpickle (as a reply too large to rebuild would fail)."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (int, ("not a number",))


def unreadable_handler(source: str, submissions: str | None) -> Any:
    """A query process's handler whose answer to `ASK {}` cannot be read by the web process."""
    from kg.store.pool import query_handler

    handle = query_handler(source, submissions)

    def answer(job: Any) -> Any:
        return Unreadable() if job.query == "ASK {}" else handle(job)

    return answer


def failing_sync_handler(source: str, submissions: str | None) -> Any:
    """A query process's handler whose catch-up with the submissions fails in the fork
    server, once (as an unreadable submission folder would)."""
    from kg.store.pool import query_handler

    handle = query_handler(source, submissions)
    failed = []

    def before_fork() -> None:
        if not failed:
            failed.append(True)
            raise OSError("the submission folder could not be read")
        handle.before_fork()

    handle.before_fork = before_fork
    return handle


def churning_handler(source: str, submissions: str | None) -> Any:
    """A query process's handler that, for `ASK {}`, fills 48 MB and frees it again (as
    writing a large answer does): memory faulted in and given back, none of it kept."""
    from kg.store.pool import query_handler

    handle = query_handler(source, submissions)

    def answer(job: Any) -> Any:
        if job.query == "ASK {}":
            block = bytearray(48 * 2**20)  # past 32 MB malloc maps it anew: every page faulted in
            del block
        return handle(job)

    return answer
