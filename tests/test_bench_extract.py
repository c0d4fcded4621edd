"""The curator's assistant's benchmark (bench/extract.py) run on one document, the smallest:
its result has every measure, and no plan is drafted as a happened event. The accuracy itself
is the benchmark's to report (`make bench-extract`), not this test's to hold."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from rdflib import Dataset

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"


def _bench() -> ModuleType:
    """bench/extract.py, which imports its two sibling modules by their names."""
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location("bench_extract", BENCH / "extract.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being made
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return _bench()


@pytest.fixture(scope="module")
def smallest() -> Path:
    return min(sorted((ROOT / "data").glob("0*.txt")), key=lambda p: len(p.read_bytes()))


@pytest.fixture(scope="module")
def result(bench: ModuleType, dataset: Dataset, smallest: Path) -> dict[str, Any]:
    evaluated: dict[str, Any] = bench.evaluate(dataset, ROOT / "data", [smallest.stem], runs=1)
    return evaluated


def test_one_document_left_out(result: dict[str, Any], smallest: Path) -> None:
    assert list(result["documents"]) == [smallest.stem]
    document = result["documents"][smallest.stem]
    # its own record is left out of the context, so the text is drafted as a new document
    assert document["registered"] is None
    assert document["words"] > 0 and document["extract_seconds"] > 0
    assert len(document["runs"]) == 1


def test_every_measure_is_there(bench: ModuleType, result: dict[str, Any]) -> None:
    totals = result["totals"]
    for key in (
        "linking_recall",
        "linking_precision",
        "facts_recall",
        "facts_precision",
        "status",
        "date_value",
        "date_value_precision",
    ):
        rate = totals[key]
        assert 0 <= rate["right"] <= rate["total"], key
    assert set(totals["per_class"]) == set(bench.CLASSES)
    assert totals["effort_accepted"] == totals["facts_recall"]["right"]
    assert totals["seconds_per_1000_words"] > 0
    table = bench.table(result)
    assert "plans drafted as happened events" in table and "curator effort" in table


def test_found_facts_are_counted_consistently(result: dict[str, Any]) -> None:
    (document,) = result["documents"].values()
    for cls, counts in document["facts"]["counts"].items():
        assert counts["found"] <= counts["gold"], cls
        assert counts["right"] <= counts["drafted"], cls
    effort = document["facts"]["effort"]
    assert len(effort["changes"]) == effort["accepted"]
    assert all(n >= 0 for n in effort["changes"])


def test_no_plan_is_drafted_as_happened(result: dict[str, Any]) -> None:
    (document,) = result["documents"].values()
    assert document["facts"]["plans_as_happened"] == []
    assert result["totals"]["plans_as_happened"] == 0
