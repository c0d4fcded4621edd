"""The curator page in headless Chromium: paste, validate, see problems next to their lines,
fix, submit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from helpers import LiveServer, event, shot


def test_validate_fix_and_submit(browser: Any, curated: LiveServer, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.goto(curated.url + "/curate")
    bad = event("page-event", "Added from the page", status="planned")
    page.fill("#data", bad)
    page.click("#validate")
    page.wait_for_selector("td.note")
    note = page.locator("td.note").first.inner_text()
    assert "status" in note and "happened" in note
    flagged = page.locator("td.flagged").first.inner_text()
    assert "page-event" in flagged  # the problem sits next to the line it is about
    assert page.is_disabled("#submit")
    shot(page, "curate-report")

    page.fill("#data", bad.replace("status:planned", "status:happened"))
    page.click("#validate")
    page.wait_for_selector("#summary:has-text('Conforms:')")
    assert page.is_enabled("#submit")
    page.fill("#token", "tok-carol")
    page.fill("#comment", "from the curator page")
    page.click("#submit")
    page.wait_for_selector("text=Stored as submission")
    shot(page, "curate-submitted")
    page.goto(curated.url + "/event/page-event")
    assert page.locator("h1").inner_text() == "Added from the page"
    context.close()


def test_upload_a_file_and_see_a_syntax_error(
    browser: Any, curated: LiveServer, tmp_path: Path
) -> None:
    upload = tmp_path / "broken.ttl"
    upload.write_text("@prefix a: <http://a/> .\na:b a:c zz:d .\n")
    context = browser.new_context()
    page = context.new_page()
    page.goto(curated.url + "/curate")
    page.set_input_files("#file", str(upload))
    page.wait_for_function("document.getElementById('data').value.length > 0")
    page.click("#validate")
    page.wait_for_selector("#summary:has-text('line 2')")
    assert "not bound" in page.locator("#summary").inner_text()
    context.close()


def test_a_curator_with_an_article_finds_the_review_page(browser: Any, curated: LiveServer) -> None:
    """Issue 14: from /curate, a curator with a new article (not Turtle) reaches the review
    page by a link, with the keyboard."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(curated.url + "/curate")
    link = page.get_by_role("link", name="Draft the facts of an article")
    assert link.get_attribute("href") == "/curate/review"
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/curate/review")
    assert page.locator("h1").inner_text() == "Draft facts from an article"
    context.close()
