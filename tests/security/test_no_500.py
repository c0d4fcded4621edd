"""Issue 11, finding 8: inputs that once answered 500 get a clear 4xx, never a traceback."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests
from flask import Flask
from helpers import LiveServer, event

ALICE = {"Authorization": "Bearer tok-alice"}
TURTLE = {**ALICE, "Content-Type": "text/turtle"}


@pytest.fixture(scope="module")
def curation(make_app: Callable[..., Flask], tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return make_app(CURATOR_TOKENS="alice=tok-alice", VAR_DIR=tmp_path_factory.mktemp("var"))


def assert_clear_4xx(answer: object) -> None:
    status = answer.status_code  # type: ignore[attr-defined]
    body = answer.get_data(as_text=True)  # type: ignore[attr-defined]
    assert 400 <= status < 500, (status, body[:300])
    assert "Traceback" not in body


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/city/%E5%B8%82", id="non-latin-1"),
        pytest.param("/city/%E5%B8%82.ttl", id="non-latin-1-extension"),
        pytest.param("/event/%F0%9F%8E%89", id="emoji"),
    ],
)
def test_paths_beyond_latin_1_are_a_404(server: LiveServer, path: str) -> None:
    """On the real server: headers (Link, Content-Location) must be sent as Latin-1."""
    answer = requests.get(server.url + path, timeout=30)
    assert answer.status_code == 404, answer.text[:300]
    assert "Traceback" not in answer.text


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        pytest.param(
            "@prefix ex: <http://example.org/> . ex:a ex:b "
            + "[ ex:c " * 500
            + "1"
            + " ]" * 500
            + " .",
            "text/turtle",
            id="turtle-500-deep-blank-nodes",
        ),
        pytest.param(
            "@prefix ex: <http://example.org/> . ex:a ex:b " + "( " * 500 + "1" + " )" * 500 + " .",
            "text/turtle",
            id="turtle-500-deep-lists",
        ),
        pytest.param("[" * 5000 + "]" * 5000, "application/ld+json", id="json-5000-deep"),
        pytest.param('"just a string"', "application/ld+json", id="jsonld-top-level-string"),
        pytest.param(
            event("spaced").replace("event/spaced>", "event/spaced out>"),
            "text/turtle",
            id="iri-with-a-space",
        ),
    ],
)
@pytest.mark.parametrize("path", ["/validate", "/submissions"])
def test_hostile_bodies_are_a_4xx(curation: Flask, body: str, content_type: str, path: str) -> None:
    answer = curation.test_client().post(
        path, data=body.encode(), headers={**ALICE, "Content-Type": content_type}
    )
    assert_clear_4xx(answer)


def test_invalid_utf8_in_an_upload_is_a_400(curation: Flask) -> None:
    from io import BytesIO

    answer = curation.test_client().post(
        "/validate",
        data={"file": (BytesIO(b"\xff\xfe<x> <y> <z> ."), "bad.ttl")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 400
    assert_clear_4xx(answer)


def test_a_graph_store_id_too_long_for_a_file_name_is_a_4xx(curation: Flask) -> None:
    graph = "https://w3id.org/cakg/graph/submission/" + "a" * 300
    answer = curation.test_client().put(
        "/rdf-graphs", query_string={"graph": graph}, data=event("long-id"), headers=TURTLE
    )
    assert_clear_4xx(answer)


def utf16_entity_bomb() -> bytes:
    """RDF/XML declared and sent as UTF-16LE whose entities multiply (issue 11, finding 4:
    1.4 KB once took 13 s, the DTD check having read the wrong decoding)."""
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(6)
    )
    text = (
        '<?xml version="1.0" encoding="UTF-16LE"?>'
        f"<!DOCTYPE r [{entities}]>"
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:ex="http://example.org/"><rdf:Description rdf:about="http://example.org/x">'
        "<ex:p>&g;</ex:p></rdf:Description></rdf:RDF>"
    )
    return text.encode("utf-16-le")


@pytest.mark.parametrize("path", ["/validate", "/submissions"])
def test_entities_hidden_in_another_encoding_are_refused(curation: Flask, path: str) -> None:
    answer = curation.test_client().post(
        path, data=utf16_entity_bomb(), headers={**ALICE, "Content-Type": "application/rdf+xml"}
    )
    assert answer.status_code == 400, answer.get_data(as_text=True)[:300]
    assert "DTD" in answer.json["message"]
