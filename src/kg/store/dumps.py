"""The dump files of one version of the served data: written by Oxigraph the first time they
are asked for, with their size and SHA-256, in a folder per version under ``VAR_DIR/dumps``.

They are written by a process of their own (:mod:`.dumpwriter`) from N-Quads files (the
store's own, or written for it), streaming: the web process, which serves every request,
holds none of the data (100k quads once grew it by 70 MB for good, 1M by gigabytes). A writer
that fails or is killed is a ``500`` that says so, its stderr goes to the log, and its folder
is removed.

Several servers may share that folder (copies in front of one remote store, or servers of
other data started in one place), so a folder is written aside and renamed into place whole:
a reader sees every file of a version or none. Other versions' folders are pruned once they
are a minute old, not at once, so that a server still serving one is not robbed of the file
it is about to send; a reader that finds its folder gone all the same writes it again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .. import formats
from ..errors import WorkFailed
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
#: The module the writing process runs, and where our package is: the writer imports the very
#: code that runs here, whatever sys.path the server was started with.
WRITER = "kg.store.dumpwriter"
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]
#: Given a scratch folder (removed afterwards), N-Quads files that together hold every quad of
#: the version: the store's own files, or files it writes there.
Sources = Callable[[Path], Sequence[Path]]
log = logging.getLogger(__name__)


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


def write_dumps(var_dir: Path, version: str, quads: Callable[[], Iterable[ox.Quad]]) -> list[Dump]:
    """This version's dumps from quads held in memory (a few, as tests have), written first if
    no server has yet; `quads` is called only then, and written to an N-Quads file for the
    writer."""
    return write_dumps_from(var_dir, version, lambda scratch: [nquads_file(scratch, quads())])


def write_dumps_from(var_dir: Path, version: str, sources: Sources) -> list[Dump]:
    """This version's dumps, written first if no server has yet; `sources` is called only then."""
    folder = dump_folder(var_dir, version)
    for _ in range(_ATTEMPTS):
        if not folder.is_dir():
            with _lock:
                if not folder.is_dir():
                    _publish(folder, sources)
        try:
            return _listing(folder)
        except FileNotFoundError:
            continue  # pruned by a server of another version after all: write it again
    raise FileNotFoundError(f"the dumps in {folder} were removed while being read")


def nquads_file(folder: Path, quads: Iterable[ox.Quad]) -> Path:
    """Quads written to an N-Quads file in `folder`, as they come (not first into one string)."""
    path = folder / "quads.nq"
    ox.serialize(quads, output=str(path), format=ox.RdfFormat.N_QUADS)
    return path


def _publish(folder: Path, sources: Sources) -> None:
    """Write every dump and the sums aside, then rename the whole folder into place."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    aside = folder.parent / f"{_WRITING}{os.getpid()}-{secrets.token_hex(4)}"
    aside.mkdir()
    try:
        # named like a folder being written: pruned as abandoned if this process is killed
        with tempfile.TemporaryDirectory(prefix=_WRITING, dir=folder.parent) as scratch:
            _run_writer(writer_job(aside, sources(Path(scratch))))
        try:
            aside.rename(folder)
        except OSError:  # another server put the same version in place first: keep theirs
            pass
    finally:
        shutil.rmtree(aside, ignore_errors=True)
    _prune(folder)


def writer_job(folder: Path, sources: Sequence[Path]) -> dict[str, Any]:
    """What :mod:`.dumpwriter` is to write: it knows no format or prefix of its own."""
    return {
        "folder": str(folder),
        "sources": [str(source) for source in sources],
        "dumps": [
            {"name": name, "media": fmt.media_type, "prefixes": _prefixes(fmt)}
            for name, (fmt, _) in DUMP_FORMATS.items()
        ],
        "sums": SUMS,
    }


def _prefixes(fmt: ox.RdfFormat) -> dict[str, str] | None:
    return PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None


def _run_writer(job: dict[str, Any]) -> None:
    """Run the writer on `job` and wait for it; raise WorkFailed if it did not finish."""
    if shutil.which("sort") is None:  # the writer keeps each triple of the merge once with it
        raise WorkFailed(
            "the dumps could not be written: they need the `sort` command (coreutils), which "
            "is not on the server's PATH"
        )
    done = subprocess.run(
        [sys.executable, "-m", WRITER],
        input=json.dumps(job).encode(),
        capture_output=True,
        env=_writer_environment(),
        check=False,
    )
    if done.returncode == 0:
        return
    said = done.stderr.decode("utf-8", "replace").strip()[-2000:]
    how = (
        f"was killed by signal {-done.returncode}"
        if done.returncode < 0
        else f"exited with status {done.returncode}"
    )
    log.error("the process writing the dumps %s: %s", how, said or "(nothing on stderr)")
    # the client is told what failed, not the writer's words (paths of the server's files)
    raise WorkFailed(f"the dumps could not be written: the process writing them {how}")


def _writer_environment() -> dict[str, str]:
    path = os.environ.get("PYTHONPATH")
    first = str(_PACKAGE_ROOT)
    return {**os.environ, "PYTHONPATH": first + (os.pathsep + path if path else "")}


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
