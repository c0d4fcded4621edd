"""The app factory: one typed state object made up front, nothing created on first use."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from kg.web import create_app
from kg.web.state import EXTENSION, AppState


@pytest.fixture(scope="module")
def app(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    var = tmp_path_factory.mktemp("var")
    made = create_app(
        {"BUILD_DIR": built, "VAR_DIR": var, "QUERY_WORKERS": 1, "QUERY_LOG": var / "q.log"}
    )
    yield made
    made.extensions[EXTENSION].store.close()


def test_the_factory_makes_every_part_of_the_state(app: Flask) -> None:
    state = app.extensions[EXTENSION]
    assert isinstance(state, AppState)
    for part in dataclasses.fields(AppState):
        assert getattr(state, part.name) is not None, part.name
    assert state.term_labels and len(state.shapes) > 0


@pytest.mark.parametrize(
    "path", ["/", "/sparql?query=ASK%7B%7D", "/city/khiva", "/timeline", "/health", "/metrics"]
)
def test_no_state_is_created_on_first_use(app: Flask, path: str) -> None:
    before = set(app.extensions)
    assert app.test_client().get(path).status_code == 200
    assert set(app.extensions) == before
    assert [k for k in app.extensions if k.startswith("kg")] == [EXTENSION]
