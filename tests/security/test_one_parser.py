"""Issue 11, finding 3: what the serving engine cannot load is refused before anything is
written, and a stored file it cannot load is set aside at start instead of stopping the
service."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import event

TOKENS = "alice=tok-alice"
ALICE = {"Authorization": "Bearer tok-alice", "Content-Type": "text/turtle"}
#: Terms rdflib reads and Oxigraph refuses.
REFUSED = [
    pytest.param("<http://example.org/%zz>", id="bad-percent-encoding"),
    pytest.param("<http://example.org:abc/>", id="bad-port"),
    pytest.param("<http://[::1/>", id="bad-ip-literal"),
    pytest.param('"x"@abcdefghijklm', id="language-tag-too-long"),
]


@pytest.fixture(scope="module")
def curation(make_app: Callable[..., Flask], tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return make_app(CURATOR_TOKENS=TOKENS, VAR_DIR=tmp_path_factory.mktemp("var"))


def addition(term: str) -> str:
    return event("refused-term") + (
        f"<https://w3id.org/cakg/event/refused-term> rdfs:seeAlso {term} .\n"
    )


@pytest.mark.parametrize("term", REFUSED)
@pytest.mark.parametrize("path", ["/validate", "/submissions"])
def test_what_the_engine_refuses_is_a_400_and_nothing_is_written(
    curation: Flask, term: str, path: str
) -> None:
    client: FlaskClient = curation.test_client()
    answer = client.post(path, data=addition(term), headers=ALICE)
    assert answer.status_code == 400, answer.get_data(as_text=True)
    assert answer.json["error"] == "bad_input"
    assert "engine cannot hold" in answer.json["message"]
    assert client.get("/submissions").json["submissions"] == []
    var = Path(curation.config["VAR_DIR"]) / "submissions"
    assert list(var.glob("*.nq")) == []
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200


def test_a_good_addition_still_goes_through(curation: Flask) -> None:
    client = curation.test_client()
    answer = client.post("/submissions", data=addition("<http://example.org/ok>"), headers=ALICE)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert client.delete(answer.headers["Location"], headers=ALICE).status_code == 204


def test_a_stored_file_the_engine_refuses_is_set_aside_at_start(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    """An unloadable file (from an older version, or put there by hand) once stopped every
    query process and the boot; now it is quarantined, logged, and /health says so."""
    folder = tmp_path / "submissions"
    folder.mkdir()
    bad = "20260101T000000-0bad0bad"
    (folder / f"{bad}.nq").write_text(
        "<http://example.org/%zz> <http://example.org/p> <http://example.org/o> "
        f"<https://w3id.org/cakg/graph/submission/{bad}> .\n"
    )
    client = make_app(VAR_DIR=tmp_path, QUERY_WORKERS=1).test_client()
    health = client.get("/health").json
    assert health["status"] == "degraded"
    assert health["quarantined"] == [bad]
    assert (tmp_path / "quarantine" / f"{bad}.nq").is_file()
    assert not (folder / f"{bad}.nq").exists()
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
    assert client.get("/dumps/").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/city/a%3Eb", id="angle-bracket"),
        pytest.param("/city/khiva%3E%20%3Fp%20%3Fo%20.%20%3Cx", id="injected-pattern"),
        pytest.param("/city/a%20b", id="space"),
    ],
)
@pytest.mark.parametrize("accept", ["text/turtle", "text/html"])
def test_a_path_is_never_pasted_into_a_query(client: FlaskClient, path: str, accept: str) -> None:
    """`/city/a%3Eb` once answered "the query does not parse": the path went into SPARQL text."""
    answer = client.get(path, headers={"Accept": accept})
    assert answer.status_code == 404
    assert answer.mimetype == accept
    assert "parse" not in answer.get_data(as_text=True)
