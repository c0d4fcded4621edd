"""Competency questions: each tests/cq/NN-*.rq against its answer, written from the documents.

The expected CSV has the projected variables as its header and one row per answer (IRIs in
full, literals as their lexical form; for ASK a single column ``ask``). Rows are compared as
a set, or as a list when the query orders them.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from rdflib import Dataset

from kg.query import run

CQ_DIR = Path(__file__).parent / "cq"
QUESTIONS = sorted(CQ_DIR.glob("*.rq"))


def expected_rows(path: Path) -> tuple[list[str], list[tuple[str, ...]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], [tuple(r) for r in rows[1:] if r]


def test_there_are_at_least_thirty_questions() -> None:
    assert len(QUESTIONS) >= 30


@pytest.mark.parametrize("path", QUESTIONS, ids=lambda p: p.stem)
def test_question_is_stated_and_answered(path: Path) -> None:
    assert path.read_text("utf-8").startswith("# Q: ")
    assert path.with_suffix(".csv").exists()


@pytest.mark.parametrize("path", QUESTIONS, ids=lambda p: p.stem)
def test_competency_question(path: Path, dataset: Dataset) -> None:
    query = path.read_text("utf-8")
    header, expected = expected_rows(path.with_suffix(".csv"))
    result = run(dataset, query)
    if result.type == "ASK":
        assert header == ["ask"]
        assert [(str(bool(result.askAnswer)).lower(),)] == expected
        return
    variables = [str(v) for v in result.vars or []]
    assert variables == header
    actual = [tuple("" if t is None else str(t) for t in row) for row in result]  # type: ignore[union-attr]
    if re.search(r"\bORDER\s+BY\b", query, re.IGNORECASE):
        assert actual == expected
    else:
        assert sorted(actual) == sorted(expected)
