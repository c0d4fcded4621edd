"""Issue 11, finding 6: a curator's `javascript:` IRI is never a clickable link, in pages or in
the query page's results, and every page is sent with a strict Content-Security-Policy, looked
at in Chromium."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from helpers import LiveServer, event, shot, wait_until

EVIL = "javascript:alert(document.domain)//event"
ALICE = {"Authorization": "Bearer tok-alice", "Content-Type": "text/turtle"}
PAGES = ["/", "/query", "/timeline", "/map", "/ontology", "/dumps/", "/curate", "/city/khiva"]


@pytest.fixture(scope="module")
def hostile(make_server: Callable[..., LiveServer], tmp_path_factory: Any) -> LiveServer:
    """A server holding a conforming submission whose event is named by a javascript: IRI and
    whose neighbour points to one."""
    server = make_server(CURATOR_TOKENS="alice=tok-alice", VAR_DIR=tmp_path_factory.mktemp("var"))
    named = event("evil", label="Evil festival").replace(
        "<https://w3id.org/cakg/event/evil>", f"<{EVIL}>"
    )
    pointing = event("pointing", label="Pointing festival") + (
        "<https://w3id.org/cakg/event/pointing> rdfs:seeAlso <javascript:alert(1)> .\n"
    )
    for body in (named, pointing):
        answer = requests.post(server.url + "/submissions", data=body, headers=ALICE, timeout=60)
        assert answer.status_code == 201, answer.text
    return server


def javascript_links(page: Any) -> int:
    return int(page.evaluate("document.querySelectorAll('a[href^=\"javascript:\" i]').length"))


@pytest.mark.parametrize("path", ["/", "/timeline", "/event/pointing"])
def test_a_javascript_iri_is_text_not_a_link(
    browser_page: Any, hostile: LiveServer, path: str
) -> None:
    browser_page.goto(hostile.url + path)
    assert javascript_links(browser_page) == 0
    assert "festival" in browser_page.content().lower()


def test_query_results_never_link_a_javascript_iri(browser_page: Any, hostile: LiveServer) -> None:
    query = (
        "SELECT ?e ?see WHERE { { ?e a kg:CulturalEvent FILTER(STRSTARTS(STR(?e), 'javascript')) }"
        " UNION { ?x rdfs:seeAlso ?see } }"
    )
    # the query page's permalink opens the query in its editor and runs it
    browser_page.goto(hostile.url + "/query?" + urlencode({"query": query}))
    browser_page.wait_for_selector("#results table")
    table = browser_page.locator("#results table")
    # the event's IRI shown by its label (the editor's tables name IRIs, by a second query whose
    # answer comes after the table is drawn), the other as text
    wait_until(lambda: "Evil festival" in table.inner_text(), 30)
    assert "javascript:alert(1)" in table.inner_text()
    assert javascript_links(browser_page) == 0
    shot(browser_page, "security-javascript-iri-as-text")


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_sent_with_a_strict_policy(server: LiveServer, path: str) -> None:
    headers = requests.get(server.url + path, headers={"Accept": "text/html"}, timeout=30).headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("path", PAGES)
def test_no_page_breaks_its_own_policy(browser_page: Any, server: LiveServer, path: str) -> None:
    """Chromium reports what the policy blocks: nothing of ours may be."""
    violations: list[str] = []
    browser_page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    browser_page.goto(server.url + path)
    browser_page.wait_for_load_state("networkidle")
    assert violations == []
