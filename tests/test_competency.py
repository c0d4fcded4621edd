"""Competency questions: each tests/cq/NN-*.rq against its answer, written from the documents.

The expected CSV has the projected variables as its header and one row per answer (IRIs in
full, literals as their lexical form; for ASK a single column ``ask``). Rows are compared as
a set, or as a list when the query orders them. Each question runs twice: on the engine in
process, and through the live SPARQL endpoint, where it is also a query-page example.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import requests
from conftest import LiveServer

from kg.cli.tables import solutions
from kg.store.pool import load_dump

CQ_DIR = Path(__file__).parent / "cq"
QUESTIONS = sorted(CQ_DIR.glob("*.rq"))


def expected_rows(path: Path) -> tuple[list[str], list[tuple[str, ...]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], [tuple(r) for r in rows[1:] if r]


def compare(query: str, path: Path, names: list[str], bindings: list[dict[str, Any]]) -> None:
    header, expected = expected_rows(path.with_suffix(".csv"))
    assert names == header
    actual = [tuple(b[n]["value"] if n in b else "" for n in names) for b in bindings]
    if re.search(r"\bORDER\s+BY\b", query, re.IGNORECASE):
        assert actual == expected
    else:
        assert sorted(actual) == sorted(expected)


@pytest.fixture(scope="module")
def store(built: Path) -> ox.Store:
    return load_dump(built / "cakg.nq")


def test_there_are_at_least_thirty_questions() -> None:
    assert len(QUESTIONS) >= 30


@pytest.mark.parametrize("path", QUESTIONS, ids=lambda p: p.stem)
def test_question_is_stated_and_answered(path: Path) -> None:
    assert path.read_text("utf-8").startswith("# Q: ")
    assert path.with_suffix(".csv").exists()


@pytest.mark.parametrize("path", QUESTIONS, ids=lambda p: p.stem)
def test_competency_question(path: Path, store: ox.Store) -> None:
    query = path.read_text("utf-8")
    names, bindings = solutions(store, query)
    compare(query, path, names, bindings)


@pytest.mark.parametrize("path", QUESTIONS, ids=lambda p: p.stem)
def test_competency_question_over_http(path: Path, server: LiveServer) -> None:
    query = path.read_text("utf-8")
    response = requests.post(server.endpoint, data={"query": query}, timeout=30)
    assert response.status_code == 200, response.text
    data = response.json()
    if "boolean" in data:
        names, bindings = ["ask"], [{"ask": {"value": str(data["boolean"]).lower()}}]
    else:
        names, bindings = data["head"]["vars"], data["results"]["bindings"]
    compare(query, path, names, bindings)
