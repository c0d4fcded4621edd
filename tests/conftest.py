"""Shared fixtures: settings pointing at the real sources, the assembled dataset, a CLI runner."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph

from kg import config
from kg.dataset import assemble, union
from kg.validate import load_shapes

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Settings with the real data and a private build folder."""
    return config.load({"BUILD_DIR": tmp_path_factory.mktemp("build")})


@pytest.fixture(scope="session")
def dataset(settings: dict[str, Any]) -> Dataset:
    return assemble(settings["DATA_DIR"], settings["ONTOLOGY_DIR"])


@pytest.fixture(scope="session")
def graph(dataset: Dataset) -> Graph:
    """The union of every named graph: what queries see as the default graph."""
    return union(dataset)


@pytest.fixture(scope="session")
def shapes(settings: dict[str, Any]) -> Graph:
    return load_shapes(settings["SHAPES_DIR"])


@pytest.fixture()
def runner(settings: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner for the `kg` command whose builds go to the private build folder."""
    monkeypatch.setenv("KG_BUILD_DIR", str(settings["BUILD_DIR"]))
    return CliRunner()
