"""The dump files of each version of the data (issue 16, found by the remote-store tests):
servers that share a VAR_DIR (copies in front of one store, or servers of other data) write
and prune the same folder. A server once read a dump another had just pruned (a 500), and two
versions written in the same second shared one folder (the remote store's version begins with
its time), so one version's dumps were served for the other."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import time
from pathlib import Path

import pyoxigraph as ox

from kg.store.dumps import DUMP_FORMATS, dump_folder, write_dumps

EX = "https://w3id.org/cakg/test/"


def quads(label: str, n: int = 300) -> list[ox.Quad]:
    return [
        ox.Quad(ox.NamedNode(f"{EX}{label}/{i}"), ox.NamedNode(EX + "p"), ox.Literal(label))
        for i in range(n)
    ]


def test_versions_that_begin_alike_get_folders_of_their_own(tmp_path: Path) -> None:
    first = "20261207T043303-aaaaaaaaaaaa"
    second = "20261207T043303-bbbbbbbbbbbb"
    assert dump_folder(tmp_path, first) != dump_folder(tmp_path, second)
    assert dump_folder(tmp_path, first) == dump_folder(tmp_path, first)


def test_a_listing_matches_the_files_it_lists(tmp_path: Path) -> None:
    listing = write_dumps(tmp_path, "v1", lambda: quads("one"))
    assert [item.name for item in listing] == list(DUMP_FORMATS)
    for item in listing:
        data = (item.folder / item.name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == item.sha256
        assert len(data) == item.size
    text = (listing[0].folder / "SHA256SUMS").read_text()
    assert all(f"{item.sha256}  {item.name}" in text for item in listing)


def test_other_versions_go_once_they_are_a_minute_old(tmp_path: Path) -> None:
    old = write_dumps(tmp_path, "old", lambda: quads("old"))[0].folder
    recent = write_dumps(tmp_path, "recent", lambda: quads("recent"))[0].folder
    assert old.is_dir()  # a server may still be sending it
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    newest = write_dumps(tmp_path, "newest", lambda: quads("newest"))[0].folder
    assert not old.exists()
    assert recent.is_dir() and newest.is_dir()
    assert sorted(p.name for p in (tmp_path / "dumps").iterdir()) == sorted(
        [recent.name, newest.name]
    )


def _serve(root: str, label: str, rounds: int, errors: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """One server: its version's dumps, asked for again and again while another prunes them."""
    mine = quads(label)
    try:
        for _ in range(rounds):
            for item in write_dumps(Path(root), label, lambda: mine):
                data = (item.folder / item.name).read_bytes()
                if hashlib.sha256(data).hexdigest() != item.sha256:
                    errors.put(f"{label}: {item.name} does not have its listed digest")
    except Exception as exc:  # what a view would have turned into a 500
        errors.put(f"{label}: {type(exc).__name__}: {exc}")


def test_servers_of_two_versions_sharing_a_folder_never_lose_each_others_files(
    tmp_path: Path,
) -> None:
    context = multiprocessing.get_context("spawn")
    errors = context.Queue()
    servers = [
        context.Process(target=_serve, args=(str(tmp_path), label, 300, errors))
        for label in ("version-a", "version-b", "version-a")
    ]
    for server in servers:
        server.start()
    for server in servers:
        server.join(timeout=120)
    found = []
    while not errors.empty():
        found.append(errors.get())
    assert [server.exitcode for server in servers] == [0, 0, 0]
    assert found == []
