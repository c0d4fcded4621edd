"""The dump files of one version of the served data: written by Oxigraph the first time they
are asked for, with their size and SHA-256, in a folder per version under ``VAR_DIR/dumps``.

Several servers may share that folder (copies in front of one remote store, or servers of
other data started in one place), so a folder is written aside and renamed into place whole:
a reader sees every file of a version or none. Other versions' folders are pruned once they
are a minute old, not at once, so that a server still serving one is not robbed of the file
it is about to send; a reader that finds its folder gone all the same writes it again.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .. import formats
from ..namespaces import PREFIXES

#: name → (how Oxigraph writes it, its media type)
DUMP_FORMATS = {
    "cakg.ttl": (ox.RdfFormat.TURTLE, formats.TURTLE),
    "cakg.nt": (ox.RdfFormat.N_TRIPLES, formats.NTRIPLES),
    "cakg.nq": (ox.RdfFormat.N_QUADS, formats.NQUADS),
    "cakg.trig": (ox.RdfFormat.TRIG, formats.TRIG),
    "cakg.jsonld": (ox.RdfFormat.JSON_LD, formats.JSONLD),
}
SUMS = "SHA256SUMS"
#: How old another version's folder must be before it is pruned (issue 12, finding 7: a
#: folder per version was kept forever), and a folder left half-written by a killed server.
PRUNE_AFTER_S = 60.0
ABANDONED_AFTER_S = 3600.0
_WRITING = ".writing-"
_ATTEMPTS = 3
_lock = threading.Lock()  # one writer per process; other processes race to the rename


@dataclass(frozen=True)
class Dump:
    name: str
    media: str
    size: int
    sha256: str
    folder: Path


def dump_folder(var_dir: Path, version: str) -> Path:
    """The folder of one version's dumps: named by a hash of the whole version (a remote
    store's versions begin with their time, so two of one second once shared a folder)."""
    return Path(var_dir) / "dumps" / hashlib.sha256(version.encode("utf-8")).hexdigest()[:16]


def write_dumps(var_dir: Path, version: str, quads: Callable[[], Sequence[ox.Quad]]) -> list[Dump]:
    """This version's dumps, written first if no server has yet; `quads` is called only then."""
    folder = dump_folder(var_dir, version)
    for _ in range(_ATTEMPTS):
        if not folder.is_dir():
            with _lock:
                if not folder.is_dir():
                    _publish(folder, quads())
        try:
            return _listing(folder)
        except FileNotFoundError:
            continue  # pruned by a server of another version after all: write it again
    raise FileNotFoundError(f"the dumps in {folder} were removed while being read")


def _publish(folder: Path, quads: Sequence[ox.Quad]) -> None:
    """Write every dump and the sums aside, then rename the whole folder into place."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    aside = folder.parent / f"{_WRITING}{os.getpid()}-{secrets.token_hex(4)}"
    aside.mkdir()
    try:
        sums = []
        for name, (fmt, _) in DUMP_FORMATS.items():
            data = _serialize(quads, fmt)
            (aside / name).write_bytes(data)
            sums.append(f"{hashlib.sha256(data).hexdigest()}  {name}")
        (aside / SUMS).write_text("\n".join(sums) + "\n")
        try:
            aside.rename(folder)
        except OSError:  # another server put the same version in place first: keep theirs
            pass
    finally:
        shutil.rmtree(aside, ignore_errors=True)
    _prune(folder)


def _serialize(quads: Sequence[ox.Quad], fmt: ox.RdfFormat) -> bytes:
    prefixes = PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES):  # graph formats: the merge
        return ox.serialize({q.triple for q in quads}, format=fmt, prefixes=prefixes) or b""
    return ox.serialize(quads, format=fmt, prefixes=prefixes) or b""


def _listing(folder: Path) -> list[Dump]:
    lines = (folder / SUMS).read_text().splitlines()
    digests = {name: digest for digest, name in (line.split("  ", 1) for line in lines)}
    return [
        Dump(name, media, (folder / name).stat().st_size, digests[name], folder)
        for name, (_, media) in DUMP_FORMATS.items()
    ]


def _prune(current: Path) -> None:
    """Remove other versions' folders older than PRUNE_AFTER_S, and abandoned half-writes."""
    now = time.time()
    for folder in current.parent.iterdir():
        if folder == current:
            continue
        age = ABANDONED_AFTER_S if folder.name.startswith(_WRITING) else PRUNE_AFTER_S
        try:
            old = now - folder.stat().st_mtime > age
        except FileNotFoundError:
            continue  # pruned by another server meanwhile
        if old:
            shutil.rmtree(folder, ignore_errors=True)
