"""Pages over more data than they show at once (the benchmark's generated graph): each lists
or draws at most PAGE_ITEMS things, says how many there are, and links the rest; a page's
queries share one deadline (PAGE_TIMEOUT_S)."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from helpers import LiveServer

PAGE_ITEMS = 200  # the default


def count(server: LiveServer, query: str) -> int:
    """Rows the query has, asked of the endpoint."""
    answer = requests.post(
        server.endpoint,
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    answer.raise_for_status()
    return len(answer.json()["results"]["bindings"])


def test_the_home_page_lists_a_page_of_each_and_links_the_rest(large_server: LiveServer) -> None:
    page = requests.get(large_server.url + "/", timeout=60)
    assert page.status_code == 200
    persons = re.search(
        r'id="list-5">Persons</h2>\s*<ul class="columns">(.*?)</ul>', page.text, re.S
    )
    assert persons is not None
    assert persons.group(1).count("<li>") == PAGE_ITEMS
    rest = re.search(r'The first 200 of (\d+) persons:\s*<a href="([^"]+)">', page.text)
    assert rest is not None, "the page says how many persons there are"
    total, link = int(rest.group(1)), rest.group(2).replace("&amp;", "&")
    assert total > PAGE_ITEMS
    (query,) = parse_qs(urlsplit(link).query)["query"]
    assert count(large_server, query) == total  # the link lists every one
    events = re.search(r"The first 200 of (\d+) events:", page.text)
    assert events is not None
    assert int(events.group(1)) == count(
        large_server,
        "SELECT DISTINCT ?e WHERE { ?e a <https://w3id.org/cakg/ontology#CulturalEvent> }",
    )
    assert len(page.content) < 300_000


def test_the_project_graph_is_listed_whole(server: LiveServer) -> None:
    """Fewer things than PAGE_ITEMS: every one is listed and no 'first … of' is said."""
    page = requests.get(server.url + "/", timeout=60)
    assert "The first" not in page.text
    assert "Abduaziz" in page.text


@pytest.mark.parametrize("path", ["/", "/timeline", "/map"])
def test_a_page_past_its_deadline_is_a_503_that_names_the_setting(
    make_server: Callable[..., LiveServer], path: str
) -> None:
    slow = make_server(PAGE_TIMEOUT_S=0.000001)
    answer = requests.get(slow.url + path, headers={"Accept": "application/json"}, timeout=60)
    assert answer.status_code == 503
    assert "PAGE_TIMEOUT_S" in answer.json()["message"]
    assert answer.headers["Retry-After"]
