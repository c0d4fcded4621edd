"""Competency questions: each tests/cq/NN-*.rq against its answer, written from the documents.

The expected CSV has the projected variables as its header and one row per answer (IRIs in
full, literals as their lexical form; for ASK a single column ``ask``). Rows are compared as
a set, or as a list when the query orders them. Each question runs twice: on the engine, and
through the SPARQL endpoint (the app in process), where it is also a query-page example.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient
from helpers import QUESTIONS, compare, json_solutions

from kg.cli.tables import solutions
from kg.store.pool import load_whole


@pytest.fixture(scope="module")
def store(built: Path) -> ox.Store:
    return load_whole(built / "cakg.nq")


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
def test_competency_question_over_http(path: Path, client: FlaskClient) -> None:
    query = path.read_text("utf-8")
    response = client.post("/sparql", data={"query": query})
    assert response.status_code == 200, response.text
    compare(query, path, *json_solutions(response.json))
