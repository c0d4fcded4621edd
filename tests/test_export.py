"""`kg export` writes accepted submissions back as Turtle; rebuilding from the files
reproduces the graph the server served."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from conftest import LiveServer
from rdflib import Dataset
from rdflib.compare import graph_diff, isomorphic
from test_curation import event

from kg.graph.dataset import load_built, union
from kg.graph.parsing import quiet_rdflib_deprecations


def kg(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).parent / "kg"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_export_then_rebuild_reproduces_the_served_graph(
    make_server: Callable[..., LiveServer], settings: dict[str, Any], tmp_path: Path
) -> None:
    var = tmp_path / "var"
    server = make_server(CURATOR_TOKENS="alice=tok-alice", VAR_DIR=var)
    for slug in ("export-one", "export-two"):
        r = requests.post(
            server.url + "/submissions",
            data=event(slug).encode(),
            timeout=60,
            headers={"Content-Type": "text/turtle", "Authorization": "Bearer tok-alice"},
        )
        assert r.status_code == 201
    served = Dataset()
    with quiet_rdflib_deprecations():
        served.parse(
            data=requests.get(server.url + "/dumps/cakg.nq", timeout=60).content, format="nquads"
        )

    data = tmp_path / "data"
    shutil.copytree(settings["DATA_DIR"], data)
    env = {
        "PATH": str(Path(sys.executable).parent),
        "KG_VAR_DIR": str(var),
        "KG_DATA_DIR": str(data),
        "KG_BUILD_DIR": str(tmp_path / "build"),
    }
    done = kg("export", env=env)
    assert done.returncode == 0, done.stderr
    assert "exported 2 submissions" in done.stdout
    assert len(list((data / "submissions").glob("*.ttl"))) == 2
    done = kg("build", env=env)
    assert done.returncode == 0, done.stdout + done.stderr

    rebuilt = load_built(tmp_path / "build")
    assert rebuilt is not None
    served_graph, rebuilt_graph = union(served), union(rebuilt)
    if not isomorphic(served_graph, rebuilt_graph):
        _, only_served, only_rebuilt = graph_diff(served_graph, rebuilt_graph)
        raise AssertionError(
            f"only served: {len(only_served)}, only rebuilt: {len(only_rebuilt)}\n"
            f"{sorted(only_served)[:5]}\n{sorted(only_rebuilt)[:5]}"
        )
    names = {str(g.identifier) for g in rebuilt.graphs() if len(g)}
    assert sum(1 for n in names if "/graph/submission/" in n) == 2
