"""The text of a document registered through the review page (issue 14) is served like the
five source documents' texts: at its document's IRI with ``.txt``, once the document is in the
graph, and never a file that only lies in the folder. A real server on loopback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from helpers import LiveServer

ALICE = {"Authorization": "Bearer tok-alice"}
#: Written for this test, in general English (not from the five documents).
ARTICLE = """Pottery from Rishtan shown in Kyoto

A pottery exhibition was held in Kyoto on May 4-9, 2025. Potters showed blue bowls.
"""


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("registered-var")


@pytest.fixture(scope="module")
def server(make_server: Callable[..., LiveServer], var_dir: Path) -> LiveServer:
    return make_server(CURATOR_TOKENS="alice=tok-alice", VAR_DIR=var_dir)


def submitted(server: LiveServer, text: str) -> dict[str, Any]:
    made = requests.post(
        server.url + "/curate/review", data={"text": text}, headers=ALICE, timeout=120
    )
    assert made.status_code == 201, made.text
    url = server.url + made.json()["location"] + "/submit"
    stored = requests.post(url, json={"facts": [{"index": 0}]}, headers=ALICE, timeout=120)
    assert stored.status_code == 201, stored.text
    answer: dict[str, Any] = stored.json()
    return answer


def path_of(iri: str) -> str:
    return "/" + iri.split("/cakg/", 1)[1]


def test_a_registered_documents_text_is_served_at_its_iri(server: LiveServer) -> None:
    document = submitted(server, ARTICLE)["document"]
    r = requests.get(server.url + path_of(document) + ".txt", timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/plain")
    assert r.text.startswith("Pottery from Rishtan shown in Kyoto")
    assert "blue bowls" in r.text
    assert r.headers.get("ETag")
    again = requests.get(
        server.url + path_of(document) + ".txt",
        headers={"If-None-Match": r.headers["ETag"]},
        timeout=30,
    )
    assert again.status_code == 304


def test_a_text_only_lying_in_the_folder_is_not_served(server: LiveServer, var_dir: Path) -> None:
    """A text is kept before its submission is validated: when the submission fails, the
    file stays but its document is not in the graph, so nothing is served."""
    folder = var_dir / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "00000000deadbeef.txt").write_text("not registered", "utf-8")
    r = requests.get(server.url + "/doc/00000000deadbeef.txt", timeout=30)
    assert r.status_code == 404
    assert "not registered" not in r.text


def test_a_source_documents_text_is_still_served(server: LiveServer) -> None:
    r = requests.get(server.url + "/doc/001_827a15a1c1169bd2.txt", timeout=30)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/plain")
