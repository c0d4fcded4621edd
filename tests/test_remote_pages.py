"""The pages' capped lists on a remote store: the same things, in the same order, as on the
embedded store. A store of its own, which no test writes to (test_remote.py's stores take
submissions, which the embedded server beside them would not have)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests
from helpers import LiveServer, StoreServer


@pytest.fixture(scope="module")
def paged(
    store: StoreServer, make_server: Callable[..., LiveServer]
) -> tuple[LiveServer, LiveServer]:
    """A server in front of the store and an embedded one, each showing 10 things a page."""
    settings = {"PAGE_ITEMS": 10, "QUERY_SECONDS_PER_MINUTE": 600}
    return make_server(**store.settings(), **settings), make_server(**settings)


def _main(server: LiveServer, path: str) -> str:
    page = requests.get(server.url + path, headers={"Accept": "text/html"}, timeout=60)
    main = page.text.split("<main", 1)[1].split("</main>", 1)[0]
    assert page.status_code == 200, main
    return main


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/timeline",
        "/timeline?page=3",
        "/timeline?page=8",
        "/timeline?country=kz&page=2",
        "/timeline?type=festival",
    ],
)
def test_a_page_of_a_capped_list_is_the_same_on_every_store(
    paged: tuple[LiveServer, LiveServer], path: str
) -> None:
    """The pages' lists are capped, counted and ordered by the store's queries (LIMIT,
    OFFSET, GROUP BY, ORDER BY): a remote store shows the same things in the same order."""
    remote, embedded = paged
    shown = _main(embedded, path)
    assert path == "/timeline?type=festival" or "(page " in shown or "The first 10 of" in shown
    assert _main(remote, path) == shown
