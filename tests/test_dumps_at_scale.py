"""The dumps of more data than a page shows (the benchmark's generated graph, 40k quads): they
are written by a process of their own, streaming, not by the web process, which once parsed
every quad into a list and each format into one string (100k quads: +70 MB in the process
that serves every request, kept). They hold exactly the served data, their sums match, and a
writer that fails or is killed leaves a clear error and no half-written folder."""

from __future__ import annotations

import hashlib
import os
import signal
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from flask import Flask
from helpers import LiveServer, wait_until

from kg.errors import WorkFailed
from kg.store.dumps import DUMP_FORMATS, SUMS, write_dumps, write_dumps_from

EX = "https://w3id.org/cakg/test/"
XSD = "http://www.w3.org/2001/XMLSchema#"

#: How much the web process's own memory (RssAnon) may grow while it has the dumps of the
#: generated 40k quads written. Measured on the first GET /dumps/ of a fresh server (four runs
#: each): writing them in the web process grew it by 16.6-16.7 MB (the quads as Python objects,
#: each format as one string, the merge as a set; kept after the answer), written by a process
#: of their own by 0.2 MB. The bound sits wide of both: a third of the first, 30 times the
#: second.
WEB_GROWTH_BOUND_KB = 6 * 1024


def rss_anon_kb(pid: int) -> int:
    """A process's own resident memory (not its files' pages, not what it shares)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1])
    raise AssertionError(f"no RssAnon in /proc/{pid}/status")


@dataclass(frozen=True)
class FirstDumps:
    server: LiveServer
    var: Path
    listing: requests.Response
    before_kb: int
    after_kb: int


@pytest.fixture(scope="module")
def first_dumps(
    generated_build: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FirstDumps]:
    """A server of its own over the generated data, with a fresh VAR_DIR (so that its first
    GET /dumps/ writes them), warmed by pages that write no dumps, and that first GET with
    the web process's RssAnon before and after."""
    var = tmp_path_factory.mktemp("dumps-var")
    server = LiveServer(
        generated_build, tmp_path_factory.mktemp("dumps-logs"), VAR_DIR=var, QUERY_WORKERS=1
    )
    try:
        for path in ("/", "/dumps/no-such-dump", "/health"):  # templates, error pages
            requests.get(server.url + path, timeout=120)
        before = rss_anon_kb(server.process.pid)
        listing = requests.get(server.url + "/dumps/", timeout=600)
        after = rss_anon_kb(server.process.pid)
        yield FirstDumps(server, var, listing, before, after)
    finally:
        server.stop()


def build_quads(build: Path) -> list[ox.Quad]:
    return list(ox.parse(path=str(build / "cakg.nq"), format=ox.RdfFormat.N_QUADS))


def download(first: FirstDumps, name: str) -> bytes:
    answer = requests.get(f"{first.server.url}/dumps/{name}", timeout=120)
    assert answer.status_code == 200, answer.text[:500]
    return answer.content


def test_the_web_process_does_not_write_the_dumps(first_dumps: FirstDumps) -> None:
    """The web process's own memory grows by far less than the data would need (bound and
    figures in WEB_GROWTH_BOUND_KB): the work is done elsewhere."""
    assert first_dumps.listing.status_code == 200
    grown = first_dumps.after_kb - first_dumps.before_kb
    assert grown < WEB_GROWTH_BOUND_KB, f"the web process grew by {grown} kB"


@pytest.mark.parametrize("name", ["cakg.nq", "cakg.trig", "cakg.jsonld"])
def test_the_dataset_dumps_hold_exactly_the_served_quads(
    first_dumps: FirstDumps, generated_build: Path, name: str
) -> None:
    """The quads of the build, each as many times as the build states it (twice, for two of
    the generated quads, as the dumps always had them), and as the build writes them: a
    typed literal keeps its lexical form."""
    fmt = DUMP_FORMATS[name][0]
    dumped = ox.parse(download(first_dumps, name), format=fmt)
    assert Counter(dumped) == Counter(build_quads(generated_build))


@pytest.mark.parametrize("name", ["cakg.ttl", "cakg.nt"])
def test_the_graph_dumps_hold_exactly_the_merge(
    first_dumps: FirstDumps, generated_build: Path, name: str
) -> None:
    fmt = DUMP_FORMATS[name][0]
    dumped = list(ox.parse(download(first_dumps, name), format=fmt))
    merge = {quad.triple for quad in build_quads(generated_build)}
    assert {ox.Quad(t.subject, t.predicate, t.object) for t in merge} == set(dumped)
    assert len(dumped) == len(merge)  # the merge: a triple two graphs state, once


def test_the_listing_sizes_and_sums_match_the_files(first_dumps: FirstDumps) -> None:
    sums = download(first_dumps, SUMS).decode()
    listed = dict(reversed(line.split("  ", 1)) for line in sums.splitlines())
    assert list(listed) == list(DUMP_FORMATS)
    for name in DUMP_FORMATS:
        body = download(first_dumps, name)
        assert hashlib.sha256(body).hexdigest() == listed[name]
        assert f"<td>{len(body)}</td>" in first_dumps.listing.text
        assert listed[name] in first_dumps.listing.text


def test_turtle_and_trig_use_the_projects_prefixes(first_dumps: FirstDumps) -> None:
    for name in ("cakg.ttl", "cakg.trig"):
        head = download(first_dumps, name)[:4000].decode()
        assert "@prefix event: <https://w3id.org/cakg/event/> ." in head
        assert "@prefix kg: <https://w3id.org/cakg/ontology#> ." in head


def test_only_the_published_folder_is_left(first_dumps: FirstDumps) -> None:
    """No folder being written, no scratch file of the writer's: the dumps and their sums."""
    download(first_dumps, "cakg.nq")
    (folder,) = (first_dumps.var / "dumps").iterdir()
    assert sorted(p.name for p in folder.iterdir()) == sorted([*DUMP_FORMATS, SUMS])


def test_the_dumps_keep_the_terms_as_stated(tmp_path: Path) -> None:
    """A typed literal as its writer stated it (a submission's date with "+00:00"), not as an
    Oxigraph store would write its value back ("Z"): the export test rebuilt the data from the
    submissions and found the dump's date changed when the dumps went through a store."""
    stated = ox.Literal("2026-12-07T23:35:30+00:00", datatype=ox.NamedNode(XSD + "dateTime"))
    counted = ox.Literal("007", datatype=ox.NamedNode(XSD + "integer"))
    quads = [
        ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), term, ox.NamedNode(EX + "g"))
        for term in (stated, counted)
    ]
    for item in write_dumps(tmp_path, "v1", lambda: quads):
        fmt = DUMP_FORMATS[item.name][0]
        found = {quad.object for quad in ox.parse(path=item.folder / item.name, format=fmt)}
        assert found == {stated, counted}, item.name


# ---------------------------------------------------------------- a writer that fails


def leftovers(var: Path) -> list[str]:
    folder = var / "dumps"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_a_bad_file_is_a_clear_error_and_leaves_no_folder(tmp_path: Path) -> None:
    bad = tmp_path / "bad.nq"
    bad.write_text("<https://w3id.org/cakg/a> <https://w3id.org/cakg/b> this is not RDF .\n")
    with pytest.raises(WorkFailed) as failed:
        write_dumps_from(tmp_path / "var", "v1", lambda scratch: [bad])
    assert "dumps" in failed.value.message and "Traceback" not in failed.value.message
    assert leftovers(tmp_path / "var") == []


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WorkFailed):
        write_dumps_from(tmp_path / "var", "v1", lambda scratch: [tmp_path / "gone.nq"])
    assert leftovers(tmp_path / "var") == []


def writer_children() -> list[int]:
    """This process's children that write dumps."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == os.getpid() and b"kg.store.dumpwriter" in command:
            found.append(int(entry.name))
    return found


def test_a_killed_writer_is_a_clear_error_and_leaves_no_folder(
    generated_build: Path, tmp_path: Path
) -> None:
    sources = [generated_build / "cakg.nq"] * 5  # long enough a job to be killed midway
    outcome: list[BaseException | None] = []

    def write() -> None:
        try:
            write_dumps_from(tmp_path / "var", "v1", lambda scratch: sources)
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the test's thread
            outcome.append(exc)

    thread = threading.Thread(target=write)
    thread.start()
    (child,) = wait_until(writer_children, seconds=30, every=0.005)
    os.kill(child, signal.SIGKILL)
    thread.join(timeout=120)
    (failure,) = outcome
    assert isinstance(failure, WorkFailed), failure
    assert "killed" in failure.message
    assert leftovers(tmp_path / "var") == []


def test_the_service_answers_a_failed_writer_with_an_error_not_a_traceback(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    """A damaged submission file on disk: /dumps/ is a 500 that says the dumps could not be
    written, in the service's one error shape; nothing is left in VAR_DIR/dumps."""
    var = tmp_path / "var"
    client = make_app(VAR_DIR=var, QUERY_WORKERS=1).test_client()
    (var / "submissions" / "damaged.nq").write_text("<a> <b> not RDF at all\n")
    answer = client.get("/dumps/", headers={"Accept": "application/json"})
    assert answer.status_code == 500
    assert answer.json is not None and answer.json["error"] == "server_error"
    assert "dumps" in answer.json["message"]
    assert "Traceback" not in answer.text
    page = client.get("/dumps/cakg.nq", headers={"Accept": "text/html"})
    assert page.status_code == 500 and "Traceback" not in page.text
    assert leftovers(var) == []


def test_a_server_without_sort_says_the_dumps_need_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no `sort` on PATH the dumps failed with "exited with status 1", and only the log
    said why (a review found it): the answer names what is missing."""
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))
    with pytest.raises(WorkFailed) as failed:
        write_dumps_from(tmp_path / "var", "v1", lambda scratch: [])
    assert "`sort`" in failed.value.message and "PATH" in failed.value.message
    assert leftovers(tmp_path / "var") == []
