"""Malformed input gives one clear error with line and column; nothing is fetched."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import contacts, external_entity

from kg.errors import InputError
from kg.graph.parsing import parse_text, resolve_format

CASES = [
    pytest.param(
        "turtle",
        "@prefix a: <http://a/> .\na:b a:c a:d .\na:x a:y ;; a:z .\n",
        3,
        8,
        id="turtle-double-semicolon",
    ),
    pytest.param(
        "turtle", "@prefix a: <http://a/> .\na:b a:c zz:q .\n", 2, 9, id="turtle-unbound-prefix"
    ),
    pytest.param(
        "turtle", "@prefix a: <http://a/> .\na:b a:c a:d .\n a:x", 3, None, id="turtle-truncated"
    ),
    pytest.param(
        "nt",
        "<http://a> <http://b> <http://c> .\n<http://a> <http://b> .\n",
        2,
        1,
        id="ntriples-missing-object",
    ),
    pytest.param(
        "json-ld", '{"@id": "http://a",\n  "http://b": [1,, 2]}', 2, 18, id="jsonld-bad-json"
    ),
    pytest.param(
        "xml",
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        "<rdf:Description></rdf:RDF>",
        2,
        20,
        id="rdfxml-mismatched-tag",
    ),
]


@pytest.mark.parametrize(("fmt", "text", "line", "column"), CASES)
def test_syntax_error_names_line_and_column(
    fmt: str, text: str, line: int, column: int | None
) -> None:
    with pytest.raises(InputError) as info:
        parse_text(text, fmt, source="addition")
    assert info.value.line == line
    if column is not None:
        assert info.value.column == column
    assert str(info.value).startswith(f"addition:{line}")
    assert "syntax error" in str(info.value)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("turtle", "turtle", id="turtle"),
        pytest.param("text/turtle", "turtle", id="turtle-mime"),
        pytest.param("application/n-triples", "nt", id="nt-mime"),
        pytest.param("JSON-LD", "json-ld", id="jsonld-upper"),
        pytest.param("application/rdf+xml", "xml", id="rdfxml-mime"),
    ],
)
def test_format_names(name: str, expected: str) -> None:
    assert resolve_format(name) == expected


def test_unknown_format_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown format 'n3000'"):
        resolve_format("n3000")


def test_remote_jsonld_context_is_refused_and_not_fetched(listener: tuple[str, list[int]]) -> None:
    url, _ = listener
    doc = f'{{"@context": "{url}/context.jsonld", "@id": "http://a", "name": "x"}}'
    with pytest.raises(InputError, match="remote"):
        parse_text(doc, "json-ld")
    assert contacts(listener) == []


def test_nested_remote_context_is_refused(listener: tuple[str, list[int]]) -> None:
    url, _ = listener
    doc = (
        f'{{"@graph": [{{"@context": [{{"@vocab": "http://v/"}}, "{url}/c"], "@id": "http://a"}}]}}'
    )
    with pytest.raises(InputError, match="remote"):
        parse_text(doc, "json-ld")
    assert contacts(listener) == []


def test_inline_jsonld_context_is_accepted() -> None:
    doc = '{"@context": {"name": "http://schema.org/name"}, "@id": "http://a", "name": "x"}'
    assert len(parse_text(doc, "json-ld")) == 1


@pytest.mark.parametrize("target", ["file", "http"])
def test_rdfxml_external_entity_is_refused(
    listener: tuple[str, list[int]], tmp_path: Path, target: str
) -> None:
    doc = external_entity(target, listener[0], tmp_path)
    with pytest.raises(InputError, match="DTD") as info:
        parse_text(doc, "xml")
    assert info.value.line == 2
    assert contacts(listener) == []
