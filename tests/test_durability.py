"""A crash (kill -9) at any moment during a write leaves the whole submission or none of it.

Two levels: the store's writer killed mid-write, many times at random moments; and the
running server killed while it accepts a submission, then restarted.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path

import requests
from helpers import LiveServer
from rdflib import Namespace, URIRef
from rdflib.namespace import PROV

from kg.store.submissions import SubmissionStore, graph_iri

VOID = Namespace("http://rdfs.org/ns/void#")

WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import RDFS
    from kg.store.submissions import SubmissionStore, prepare

    store = SubmissionStore(Path(sys.argv[1]))
    graph = Graph()
    for i in range(5000):
        graph.add((URIRef(f"https://w3id.org/cakg/event/crash-{i}"), RDFS.label, Literal(f"e{i}")))
    print("ready", flush=True)
    n = 0
    while True:
        submission_id = store.new_id()
        data, _ = prepare(submission_id, graph, "crasher", f"write {n}", None)
        store.write(submission_id, data)
        n += 1
""")


def assert_whole(store: SubmissionStore, seen: set[str]) -> int:
    """Every new submission parses and holds exactly the triples it declares."""
    for submission_id in store.ids():
        if submission_id in seen:
            continue
        name = URIRef(graph_iri(submission_id))
        graph = store.read(submission_id).graph(name)
        declared = int(str(graph.value(name, VOID.triples)))
        agent = graph.value(name, PROV.wasAttributedTo)
        assert sum(1 for s, _, _ in graph if s not in (name, agent)) == declared, submission_id
        seen.add(submission_id)
    return len(store.ids())


def test_writer_killed_at_random_moments(tmp_path: Path) -> None:
    folder = tmp_path / "submissions"
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    rng = random.Random(20261123)
    kept = 0
    seen: set[str] = set()
    for _ in range(6):
        process = subprocess.Popen(
            [sys.executable, str(script), str(folder)], stdout=subprocess.PIPE, text=True
        )
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.05, 0.8))
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        process.stdout.close()
        leftovers = list(folder.glob("*.tmp"))
        store = SubmissionStore(folder)  # opening recovers: half-written files go
        assert not list(folder.glob("*.tmp"))
        kept = assert_whole(store, seen)
        assert leftovers or kept >= 0
    assert kept >= 1, "the writer never finished a submission in 6 runs"


def test_server_killed_while_accepting(
    make_server: Callable[..., LiveServer], tmp_path: Path
) -> None:
    rng = random.Random(7)
    body = [
        "@prefix kg: <https://w3id.org/cakg/ontology#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
    ]
    body += [
        f'<https://w3id.org/cakg/person/crash-{i}> rdfs:label "P{i}"@en .' for i in range(1000)
    ]
    data = "\n".join(body).encode()
    outcomes = set()
    seen: set[str] = set()
    for _ in range(3):
        server = make_server(
            CURATOR_TOKENS="alice=tok-alice", VAR_DIR=tmp_path, MAX_SUBMISSION_BYTES=5_000_000
        )
        result: dict[str, int] = {}

        def send(srv: LiveServer = server, out: dict[str, int] = result) -> None:
            try:
                r = requests.post(
                    srv.url + "/submissions",
                    data=data,
                    timeout=60,
                    headers={"Content-Type": "text/turtle", "Authorization": "Bearer tok-alice"},
                )
                out["status"] = r.status_code
            except requests.RequestException:
                out["status"] = -1

        thread = threading.Thread(target=send)
        thread.start()
        time.sleep(rng.uniform(0.1, 2.0))
        server.process.send_signal(signal.SIGKILL)
        server.process.wait()
        thread.join()
        store = SubmissionStore(tmp_path / "submissions")
        assert_whole(store, seen)
        outcomes.add("stored" if result.get("status") == 201 else "interrupted")
    # after all the crashes, a fresh server serves exactly the whole submissions
    final = make_server(CURATOR_TOKENS="alice=tok-alice", VAR_DIR=tmp_path)
    store = SubmissionStore(tmp_path / "submissions")
    for submission_id in store.ids():
        n = requests.get(
            final.endpoint,
            params={
                "query": (
                    f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph_iri(submission_id)}> "
                    "{ ?s rdfs:label ?o "
                    'FILTER STRSTARTS(STR(?s), "https://w3id.org/cakg/person/crash-") } }'
                )
            },
            timeout=30,
        ).json()["results"]["bindings"][0]["n"]["value"]
        assert int(n) == 1000
    assert outcomes
