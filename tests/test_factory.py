"""The app factory: one typed state object made up front, nothing created on first use."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from flask import Flask

from kg.web.state import EXTENSION, AppState


@pytest.fixture(scope="module")
def fresh(make_app: Callable[..., Flask]) -> Flask:
    """An app of this module's own, so that the requests below are its first."""
    return make_app(QUERY_WORKERS=1)


def test_the_factory_makes_every_part_of_the_state(fresh: Flask) -> None:
    state = fresh.extensions[EXTENSION]
    assert isinstance(state, AppState)
    for part in dataclasses.fields(AppState):
        assert getattr(state, part.name) is not None, part.name
    assert state.term_labels and len(state.shapes) > 0


@pytest.mark.parametrize(
    "path", ["/", "/sparql?query=ASK%7B%7D", "/city/khiva", "/timeline", "/health", "/metrics"]
)
def test_no_state_is_created_on_first_use(fresh: Flask, path: str) -> None:
    before = set(fresh.extensions)
    assert fresh.test_client().get(path).status_code == 200
    assert set(fresh.extensions) == before
    assert [k for k in fresh.extensions if k.startswith("kg")] == [EXTENSION]
