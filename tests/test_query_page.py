"""The query page in headless Chromium (Debian's, driven by Playwright): run, read, download, err.

Screenshots go to test-artifacts/ for people to look at.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import LiveServer

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser: object, server: LiveServer) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.requested_hosts = set()  # type: ignore[attr-defined]
    page.on("request", lambda req: page.requested_hosts.add(urlparse(req.url).hostname))  # type: ignore[attr-defined]
    page.goto(server.url + "/")
    yield page
    context.close()


def shot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_runs_the_first_example_and_shows_a_table(page: object) -> None:
    assert page.locator("h1").inner_text() == "Query the knowledge graph"  # type: ignore[attr-defined]
    assert page.locator("#examples option").count() >= 30  # type: ignore[attr-defined]
    page.click("#run")  # type: ignore[attr-defined]
    page.wait_for_selector("#results table")  # type: ignore[attr-defined]
    rows = page.locator("#results tbody tr")  # type: ignore[attr-defined]
    assert rows.count() == 4
    assert "Rishtan" in page.locator("#results").inner_text()  # type: ignore[attr-defined]
    assert "4 rows" in page.locator("#status").inner_text()  # type: ignore[attr-defined]
    shot(page, "query-page-results")


def test_every_request_stays_on_the_server(page: object) -> None:
    page.click("#run")  # type: ignore[attr-defined]
    page.wait_for_selector("#results table")  # type: ignore[attr-defined]
    assert page.requested_hosts == {"127.0.0.1"}  # type: ignore[attr-defined]


def test_picking_an_example_loads_it(page: object) -> None:
    option = page.locator("#examples option").nth(2)  # type: ignore[attr-defined]
    page.select_option("#examples", option.get_attribute("value"))  # type: ignore[attr-defined]
    assert page.input_value("#query").startswith("# Q:")  # type: ignore[attr-defined]


def test_syntax_error_is_shown_with_its_line(page: object) -> None:
    page.fill("#query", "SELECT *\nWHERE { ?s ?p }")  # type: ignore[attr-defined]
    page.keyboard.press("Control+Enter")  # type: ignore[attr-defined]
    error = page.locator("#error")  # type: ignore[attr-defined]
    error.wait_for(state="visible")
    text = error.inner_text()
    assert "does not parse" in text and "line 2" in text
    shot(page, "query-page-error")


def test_graph_results_are_shown_as_turtle(page: object) -> None:
    page.fill("#query", "CONSTRUCT { ?c a kg:Country } WHERE { ?c a kg:Country }")  # type: ignore[attr-defined]
    page.click("#run")  # type: ignore[attr-defined]
    page.wait_for_selector("#results pre")  # type: ignore[attr-defined]
    assert "country:kz" in page.locator("#results pre").inner_text()  # type: ignore[attr-defined]


def test_download_links_carry_query_and_format(page: object, server: LiveServer) -> None:
    page.click("#run")  # type: ignore[attr-defined]
    page.wait_for_selector("#results table")  # type: ignore[attr-defined]
    with page.expect_download() as info:  # type: ignore[attr-defined]
        page.click("a.download[data-format=csv]")  # type: ignore[attr-defined]
    path = info.value.path()
    assert Path(path).read_text().splitlines()[0] == "first,second,year"


def test_keyboard_only_use(page: object) -> None:
    page.focus("#query")  # type: ignore[attr-defined]
    page.keyboard.press("Tab")  # type: ignore[attr-defined]
    assert page.evaluate("document.activeElement.id") == "run"  # type: ignore[attr-defined]
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    page.wait_for_selector("#results table")  # type: ignore[attr-defined]


def test_basic_accessibility(page: object) -> None:
    """One h1, labelled controls, a language, and a skip link."""
    assert page.locator("h1").count() == 1  # type: ignore[attr-defined]
    assert page.get_attribute("html", "lang") == "en"  # type: ignore[attr-defined]
    for control in ("#query", "#examples"):
        ident = control[1:]
        assert page.locator(f"label[for={ident}]").count() == 1  # type: ignore[attr-defined]
    assert page.locator("a.skip").count() == 1  # type: ignore[attr-defined]
