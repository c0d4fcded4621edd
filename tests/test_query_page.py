# ruff: noqa: F811  (each test takes the `page` fixture imported from test_query_editor)
"""The query page in headless Chromium (Debian's, driven by Playwright): run, read, download, err.

Screenshots go to test-artifacts/ for people to look at.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from helpers import LiveServer, shot
from playwright.sync_api import expect
from test_query_editor import page, set_query  # noqa: F401  (the editor's page fixture)


def test_runs_the_first_example_and_shows_a_table(page: Any) -> None:
    assert page.locator("h1").inner_text() == "Query the knowledge graph"
    assert page.locator("#examples option").count() >= 30
    page.click("#run")
    page.wait_for_selector("#results table")
    rows = page.locator("#results tbody tr")
    assert rows.count() == 4
    assert "Rishtan" in page.locator("#results").inner_text()
    assert "4 rows" in page.locator("#status").inner_text()
    shot(page, "query-page-results")


def test_every_request_stays_on_the_server(page: Any) -> None:
    page.click("#run")
    page.wait_for_selector("#results table")
    assert page.requested_hosts == {"127.0.0.1"}


def test_picking_an_example_loads_it(page: Any) -> None:
    option = page.locator("#examples option").nth(3)
    page.select_option("#examples", option.get_attribute("value"))
    # expect() polls from Playwright: wait_for_function would eval, which the page's CSP forbids
    expect(page.locator(".CodeMirror")).to_contain_text("# Q: How many Japanese")
    assert page.input_value("#query").startswith("# Q: How many")  # the form's field follows


def test_syntax_error_is_shown_with_its_line(page: Any) -> None:
    set_query(page, "SELECT *\nWHERE { ?s ?p }")
    page.click(".CodeMirror-code")
    page.keyboard.press("Control+Enter")
    error = page.locator("#error")
    error.wait_for(state="visible")
    text = error.inner_text()
    assert "does not parse" in text and "line 2" in text
    shot(page, "query-page-error")


def test_graph_results_are_shown_as_turtle(page: Any) -> None:
    set_query(page, "CONSTRUCT { ?c a kg:Country } WHERE { ?c a kg:Country }")
    page.click("#run")
    page.wait_for_selector("#results pre")
    assert "country:kz" in page.locator("#results pre").inner_text()


def test_download_links_carry_query_and_format(page: Any, server: LiveServer) -> None:
    page.click("#run")
    page.wait_for_selector("#results table")
    with page.expect_download() as info:
        page.click("a.download[data-format=csv]")
    path = info.value.path()
    assert Path(path).read_text().splitlines()[0] == "first,second,year"


def test_keyboard_only_use(page: Any) -> None:
    page.click(".CodeMirror-code")
    page.keyboard.press("Escape")  # Tab indents in the editor; Escape, then Tab, moves on
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "run"
    page.keyboard.press("Enter")
    page.wait_for_selector("#results table")


def test_basic_accessibility(page: Any) -> None:
    """One h1, labelled controls, a language, and a skip link."""
    assert page.locator("h1").count() == 1
    assert page.get_attribute("html", "lang") == "en"
    for control in ("#query", "#examples"):
        ident = control[1:]
        assert page.locator(f"label[for={ident}]").count() == 1
    assert page.locator("a.skip").count() == 1
