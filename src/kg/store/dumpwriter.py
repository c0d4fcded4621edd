"""The process that writes one version's dump files: ``python -m kg.store.dumpwriter``, run by
:mod:`kg.store.dumps`, never imported by the web process.

The web process once parsed every quad into a Python list and each format into one string
(100k quads: +70 MB it kept, in the process that serves every request). Here every format is
written streaming, holding no more than a buffer of the data:

- the formats of datasets (N-Quads, TriG, JSON-LD): the N-Quads sources parsed and written
  straight on, quad by quad, in their order, as the web process wrote them;
- the formats of graphs (N-Triples, Turtle) hold the merge, each triple once: every quad's
  triple is written as a line of N-Triples, and ``sort -u`` (which spills to disk past its
  buffer) keeps each line once; Turtle is written from those lines, grouped by subject.

Not through an Oxigraph store, which would have been simpler: it keeps typed literals as
values and writes them back in canonical form (``"…+00:00"^^xsd:dateTime`` as ``"…Z"``), so
the dumps would no longer hold the terms the build and the submissions state.

It imports pyoxigraph and the standard library only, so that it starts quickly. The job comes
as JSON on stdin (:func:`kg.store.dumps.writer_job` writes it): the folder to write into, the
N-Quads sources, each dump's name, media type and prefixes, and the name of the sums file. A
failure is one line on stderr and exit status 1; the caller removes the folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

#: The memory ``sort`` may use before it spills to files of its own (in the scratch folder).
SORT_BUFFER = "64M"


def read(sources: Sequence[str]) -> Iterator[ox.Quad]:
    """Every quad of the files, in order and as written (blank node labels too)."""
    for source in sources:
        yield from ox.parse(path=source, format=ox.RdfFormat.N_QUADS)


def write_merge(sources: Sequence[str], scratch: Path) -> Path:
    """The merge of every graph as N-Triples, each triple once (sorted), in `scratch`. One
    line per triple, and equal triples written alike, so equal lines are equal triples."""
    lines, merge = scratch / "triples.nt", scratch / "merge.nt"
    triples = (quad.triple for quad in read(sources))
    ox.serialize(triples, output=str(lines), format=ox.RdfFormat.N_TRIPLES)
    done = subprocess.run(
        ["sort", "-u", "-S", SORT_BUFFER, "-T", str(scratch), "-o", str(merge), str(lines)],
        env={**os.environ, "LC_ALL": "C"},  # bytes compared, whatever the server's locale
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise OSError(f"sort failed ({done.returncode}): {done.stderr.decode(errors='replace')}")
    lines.unlink()
    return merge


def write_dump(spec: dict[str, Any], sources: Sequence[str], merge: Path, out: Path) -> None:
    fmt = ox.RdfFormat.from_media_type(spec["media"])
    if fmt is None:
        raise ValueError(f"no RDF format has the media type {spec['media']}")
    if fmt.supports_datasets:
        quads = read(sources)
        ox.serialize(quads, output=str(out), format=fmt, prefixes=spec["prefixes"])
    elif fmt == ox.RdfFormat.N_TRIPLES:
        shutil.copyfile(merge, out)  # the merge is written so already
    else:
        triples = ox.parse(path=str(merge), format=ox.RdfFormat.N_TRIPLES)
        ox.serialize(triples, output=str(out), format=fmt, prefixes=spec["prefixes"])


def write(job: dict[str, Any]) -> None:
    """Write every dump, then the sums."""
    folder, sources = Path(job["folder"]), job["sources"]
    # in the folder being written: if this process is killed, its caller removes both
    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        merge = write_merge(sources, Path(scratch))
        for spec in job["dumps"]:
            write_dump(spec, sources, merge, folder / spec["name"])
    names = [spec["name"] for spec in job["dumps"]]
    lines = [f"{sha256(folder / name)}  {name}" for name in names]
    (folder / job["sums"]).write_text("\n".join(lines) + "\n")


def sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def main() -> int:
    try:
        write(json.load(sys.stdin))
    except (OSError, SyntaxError, ValueError) as exc:  # a bad or missing file, a full disk
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
