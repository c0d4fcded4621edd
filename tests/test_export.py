"""`kg export` writes accepted submissions back as Turtle; rebuilding from the files
reproduces the graph the service served (the app in process, over the same var folder)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import requests
from flask import Flask
from helpers import event
from rdflib import Dataset
from rdflib.compare import graph_diff

from kg.graph.dataset import load_built, union
from kg.graph.parsing import quiet_rdflib_deprecations


def kg(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # a PYTHONPATH (a worktree's sources) is kept: the command must run the code under test
    path = {"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else {}
    return subprocess.run(
        [str(Path(sys.executable).parent / "kg"), *args],
        env=env | path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def merged(nquads: bytes) -> ox.Dataset:
    """The RDF merge of every graph of an N-Quads document, with its blank nodes named
    canonically (RDFC-1.0), so that two merges compare equal exactly when isomorphic."""
    quads = ox.parse(nquads, format=ox.RdfFormat.N_QUADS)
    dataset = ox.Dataset(ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return dataset


def differences(served: bytes, rebuilt: Path) -> str:
    """What differs, for the failure message (rdflib's diff: slow, but only on failure)."""
    dataset = Dataset()
    with quiet_rdflib_deprecations():
        dataset.parse(data=served, format="nquads")
    built = load_built(rebuilt)
    assert built is not None
    _, only_served, only_rebuilt = graph_diff(union(dataset), union(built))
    return (
        f"only served: {len(only_served)}, only rebuilt: {len(only_rebuilt)}\n"
        f"{sorted(only_served)[:5]}\n{sorted(only_rebuilt)[:5]}"
    )


def checkout(settings: dict[str, Any], tmp_path: Path, var: Path) -> tuple[Path, dict[str, str]]:
    """A copy of the data folder, and the environment in which `kg` exports the submissions
    under `var` into it and builds from it."""
    data = tmp_path / "data"
    shutil.copytree(settings["DATA_DIR"], data)
    return data, {
        "PATH": str(Path(sys.executable).parent),
        "KG_VAR_DIR": str(var),
        "KG_DATA_DIR": str(data),
        "KG_BUILD_DIR": str(tmp_path / "build"),
    }


def test_export_then_rebuild_reproduces_the_served_graph(
    make_app: Callable[..., Flask], settings: dict[str, Any], tmp_path: Path
) -> None:
    var = tmp_path / "var"
    client = make_app(CURATOR_TOKENS="alice=tok-alice", VAR_DIR=var, QUERY_WORKERS=1).test_client()
    for slug in ("export-one", "export-two"):
        r = client.post(
            "/submissions",
            data=event(slug).encode(),
            headers={"Content-Type": "text/turtle", "Authorization": "Bearer tok-alice"},
        )
        assert r.status_code == 201
    served = client.get("/dumps/cakg.nq", buffered=True).data

    data, env = checkout(settings, tmp_path, var)
    done = kg("export", env=env)
    assert done.returncode == 0, done.stderr
    assert "exported 2 submissions" in done.stdout
    assert len(list((data / "submissions").glob("*.ttl"))) == 2
    done = kg("build", env=env)
    assert done.returncode == 0, done.stdout + done.stderr

    rebuilt = (tmp_path / "build" / "cakg.nq").read_bytes()
    assert merged(served) == merged(rebuilt), differences(served, tmp_path / "build")
    names = {q.graph_name for q in ox.parse(rebuilt, format=ox.RdfFormat.N_QUADS)}
    submissions = [n for n in names if "/graph/submission/" in str(n)]
    assert len(submissions) == 2


#: Written for this test, in general English (not from the five documents).
ARTICLE = """Pottery from Rishtan shown in Kyoto

A pottery exhibition was held in Kyoto on May 4-9, 2025. Potters showed blue bowls.
"""


def test_a_reviewed_article_survives_export_and_rebuild(
    make_app: Callable[..., Flask], settings: dict[str, Any], tmp_path: Path
) -> None:
    """A submission from the review page cites a document registered with its text; exported
    and rebuilt, the build still finds the text its quotes are checked against, and serves it."""
    var = tmp_path / "var"
    app = make_app(CURATOR_TOKENS="alice=tok-alice", VAR_DIR=var, QUERY_WORKERS=1)
    client = app.test_client()
    alice = {"Authorization": "Bearer tok-alice"}
    made = client.post("/curate/review", data={"text": ARTICLE}, headers=alice)
    assert made.status_code == 201, made.text
    stored = client.post(
        made.json["location"] + "/submit", json={"facts": [{"index": 0}]}, headers=alice
    )
    assert stored.status_code == 201, stored.text
    document = stored.json["document"]
    served = client.get("/dumps/cakg.nq", buffered=True).data

    data, env = checkout(settings, tmp_path, var)
    done = kg("export", env=env)
    assert done.returncode == 0, done.stderr
    text = data / "submissions" / (document.rsplit("/", 1)[1] + ".txt")
    assert text.read_text("utf-8").startswith("Pottery from Rishtan"), done.stdout
    done = kg("build", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    rebuilt = (tmp_path / "build" / "cakg.nq").read_bytes()
    assert merged(served) == merged(rebuilt), differences(served, tmp_path / "build")

    # served from the rebuilt data, with the review page's folder gone
    shutil.rmtree(var)
    rebuilt_app = make_app(
        DATA_DIR=data, BUILD_DIR=tmp_path / "build", VAR_DIR=tmp_path / "var2", QUERY_WORKERS=1
    )
    path = "/" + document.split("/cakg/", 1)[1] + ".txt"
    answer = rebuilt_app.test_client().get(path)
    assert answer.status_code == 200
    assert answer.text.startswith("Pottery from Rishtan")


def test_export_remove_refuses_while_a_server_serves_the_submissions(
    make_server: Callable[..., Any], settings: dict[str, Any], tmp_path: Path
) -> None:
    """`kg export --remove` took the submissions from under a running server: it went on
    answering them until its next write, then dropped them from the graph until a rebuild and
    a restart, and nobody was told. While a server serves the folder it is refused, saying
    why; a plain export still runs, and once the server has stopped the removal does."""
    var = tmp_path / "var"
    server = make_server(CURATOR_TOKENS="alice=tok-alice", VAR_DIR=var, QUERY_WORKERS=1)
    stored = requests.post(
        server.url + "/submissions",
        data=event("export-live").encode(),
        headers={"Authorization": "Bearer tok-alice", "Content-Type": "text/turtle"},
        timeout=60,
    )
    assert stored.status_code == 201, stored.text
    _, env = checkout(settings, tmp_path, var)
    try:
        refused = kg("export", "--remove", env=env)
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert "kg serve" in refused.stderr and "--remove" in refused.stderr
        assert "Traceback" not in refused.stderr
        assert len(list((var / "submissions").glob("*.nq"))) == 1  # nothing was removed
        ask = {"query": "ASK { <https://w3id.org/cakg/event/export-live> ?p ?o }"}
        assert requests.get(server.endpoint, params=ask, timeout=60).json()["boolean"]
        exported = kg("export", env=env)
        assert exported.returncode == 0, exported.stderr
    finally:
        server.stop()
    removed = kg("export", "--remove", env=env)
    assert removed.returncode == 0, removed.stderr
    assert not list((var / "submissions").glob("*.nq"))
